"""Build the bulk download at /data/ ahead of the first visitor who asks for it."""

import time

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat

from programs.site import data_package
from programs.site.cache import content_version


class Command(BaseCommand):
    help = (
        "Build the bulk download at /data/: a zip of one CSV per kind of "
        "published record with its datapackage.json, and the same as one JSON "
        "file. A download rebuilds them itself when an edit has made them "
        "stale, but at scale that keeps its visitor waiting: run this after "
        "load_seeds, generate_demo or an import. It does nothing while the "
        "files are current, unless --force. Records' URLs start with "
        "$DJANGO_SITE_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Build again even if the files are current.",
        )

    def handle(self, *args, force, **options):
        directory = data_package.package_directory()
        started = time.perf_counter()
        if force:
            with data_package.build_lock(directory):
                package = data_package.Package(directory, content_version())
                data_package.build(package)
            verb = "Built"
        else:
            current = data_package.Package(directory, content_version())
            was_built = current.is_built()
            package = data_package.rebuild(directory)
            verb = "Already current:" if was_built else "Built"
        sizes = ", ".join(
            f"{package.path(f).name} ({filesizeformat(package.path(f).stat().st_size)})"
            for f in data_package.FORMATS
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{verb} {sizes} in {directory} ({seconds:.1f} s); "
            f"records' URLs start with {data_package.site_origin()}."
        )
