"""Make or remove invented demo records, for trying the site at scale."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from programs.demo import (
    DemoGenerator,
    Plan,
    clear_demo_records,
    demo_districts,
    described,
    existing_demo_records,
)
from programs.models import Entrepreneur, Expert
from programs.site.cache import bump_content_version


class Command(BaseCommand):
    help = (
        "Make SIZE invented people (half experts, half overseas entrepreneurs) "
        "with organizations, agreements, projects and workstations in "
        "proportion, all marked as demo data, in the districts on file. The "
        "same --seed and --size make the same records. --clear removes demo "
        "records only; with --size it replaces them. Everything happens in one "
        "transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size", type=int, help="How many people to make (at least 1)."
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="Seed of the random choices (0)."
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Delete every demo record first; sourced records are untouched.",
        )

    def handle(self, *args, size, seed, clear, **options):
        if size is None and not clear:
            raise CommandError("Give --size N to make demo records, or --clear.")
        if size is not None and size < 1:
            raise CommandError("--size must be at least 1.")
        try:
            with transaction.atomic():
                if clear:
                    self.clear()
                if size is not None:
                    started = time.perf_counter()
                    created = self.generate(size, seed)
                    # bulk_create sends no signal for the page cache to see.
                    bump_content_version()
        except (ProtectedError, RestrictedError) as exc:
            raise CommandError(
                "Nothing was deleted: records that are not demo data point at "
                f"demo records ({exc.args[0]})"
            ) from exc
        if size is not None:
            self.stdout.write(
                self.style.SUCCESS(summary(created, time.perf_counter() - started))
            )

    def clear(self):
        deleted = clear_demo_records(report=self.stdout.write)
        total = sum(deleted.values())
        self.stdout.write(
            self.style.SUCCESS(f"Deleted {total:,} demo records.")
            if total
            else "No demo records to delete."
        )

    def generate(self, size, seed):
        existing = existing_demo_records()
        if existing:
            raise CommandError(
                f"There are already {sum(existing.values()):,} demo records. "
                "Run with --clear to replace them, or --clear alone to remove them."
            )
        districts = demo_districts()
        if not districts:
            raise CommandError(
                "No published districts of the demonstration zone to put demo "
                "records in. Run `python manage.py load_seeds` first."
            )
        generator = DemoGenerator(districts, seed, report=self.stdout.write)
        return generator.run(Plan(size))


def summary(created, seconds):
    """Return the closing line: how many people and records of each kind, how fast."""
    people = created[Expert] + created[Entrepreneur]
    others = ", ".join(
        f"{n:,} {described(model, n)}"
        for model, n in created.items()
        if model not in (Expert, Entrepreneur) and not model._meta.auto_created
    )
    return (
        f"Created {people:,} people ({created[Expert]:,} experts, "
        f"{created[Entrepreneur]:,} overseas entrepreneurs), {others}, "
        f"all marked as demo data, in {seconds:.1f} s."
    )
