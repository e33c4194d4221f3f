"""Load the seed fixtures, validating every record and updating by natural key."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from programs.seeding import OUTCOMES, SeedError, SeedLoader, default_seed_files


class Command(BaseCommand):
    help = (
        "Load seed fixtures (every seeds/*.yaml in name order unless paths are "
        "given). Each record is validated as the admin would; a record that "
        "exists (same natural key) is updated only where the fixture differs, "
        "and an M2M list replaces the record's set. Fields a fixture leaves out "
        "keep their values. Any bad record rolls back the whole run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", help="Fixture files to load instead of seeds/*.yaml."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and report what would change, then roll back.",
        )

    def handle(self, *args, paths, dry_run, **options):
        files = [(Path(path), path) for path in paths] or default_seed_files()
        if not files:
            raise CommandError("No seed files: seeds/*.yaml matched nothing.")
        loader = SeedLoader()
        try:
            # One transaction around everything: a bad record anywhere leaves
            # the database exactly as it was.
            with transaction.atomic():
                for path, shown in files:
                    loader.load_file(path, shown)
                if dry_run:
                    transaction.set_rollback(True)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(format_counts(loader.counts))
        self.stdout.write(self.summary(loader.counts, dry_run))

    def summary(self, counts, dry_run):
        """Return the closing line: what changed, or that nothing did."""
        totals = {o: sum(row[o] for row in counts.values()) for o in OUTCOMES}
        if totals["created"] == totals["updated"] == 0:
            line = (
                f"Nothing created or updated: all {totals['unchanged']} records "
                "are unchanged."
            )
        else:
            line = (
                f"Created {totals['created']}, updated {totals['updated']}, "
                f"unchanged {totals['unchanged']}."
            )
        if dry_run:
            return self.style.WARNING(f"Dry run, nothing written. {line}")
        return self.style.SUCCESS(line)


def format_counts(counts):
    """Return a plain-text table of created / updated / unchanged per model."""
    rows = [(label, *(row[o] for o in OUTCOMES)) for label, row in counts.items()]
    rows.append(("total", *(sum(row[i] for row in rows) for i in range(1, 4))))
    header = ("model", *OUTCOMES)
    width = max(len(str(row[0])) for row in [header, *rows])
    lines = [
        f"{row[0]:<{width}}  " + "  ".join(f"{cell:>9}" for cell in row[1:])
        for row in [header, *rows]
    ]
    return "\n".join(lines)
