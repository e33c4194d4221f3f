"""The fault suite behind `make chaos`: see reliability/README.md."""
