"""The benchmark behind `make bench`: see README.md."""
