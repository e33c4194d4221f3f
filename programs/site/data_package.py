"""
The bulk download at /data/: every published record in two files.

- ``talentzone-data.zip``: one CSV per kind of record, plus the announced
  figures, and ``datapackage.json``, a Frictionless Data Package descriptor
  that names the licence and the sources and describes every column;
- ``talentzone-data.json``: the same rows as JSON, ``{"data": {name: rows}}``
  beside the descriptor's metadata.

Each kind's CSV and JSON are exactly its list's ``?format=csv`` and
``?format=json`` downloads with no filter (``exports.py`` writes both, from
the same FilterSet, columns and reads), so nothing reaches the bulk files
that the lists do not already publish: published records only, public
columns only. Both are written in the site's default language (English):
headers, related records' names and choice labels, as the English lists
write them; each record's own name comes in both languages anyway.

The files live in ``DATA_PACKAGE_DIR`` (default ``var/data/``), named after
the content version (``cache.content_version()``) read before they were
built. They are current while the database holds that version: every write
changes it, so the first request after an edit finds no file of the new
version and builds one, under a file lock so that several workers waiting
for it build it once. A file is written under a temporary name and renamed
into place, so no one ever reads half a file. As with the page cache: once
an edit has committed, no request that starts after it gets a file built
before it.

A write that commits during a build leaves files that may hold it, tagged
with the version from before it: they are stale at once and the next
request rebuilds them. So a build needs no transaction (on SQLite a long
read transaction would hold writers back).

What a rebuild costs, measured on SQLite on a two-core machine shared with
other work (where ``generate_demo --size 100000`` took 71 s, against about
15 s on the machine the README's figures come from): the seeds (15 records)
about 0.1 s; ``generate_demo --size 2000`` (2,185 records) about 1 s;
``--size 100000`` (108,515 records, a 4.8 MB zip and a 69 MB JSON file)
65 to 85 s, in the same 170 MB of memory as the small one. That is the wait
of the first request after an edit at that size, and every request for
/data/ meanwhile waits on the lock, holding its worker: within gunicorn's
120 s ``--timeout``, but no page's wait. At that size, run
``build_data_package`` after loading, and rebuild from a job after edits
rather than on the next request (the project has no job framework yet).
"""

import fcntl
import itertools
import os
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Source
from .cache import content_version
from .data_tables import data_tables, table_resource
from .exports import write_csv, write_json

NAME = "talentzone-data"
FORMATS = ("zip", "json")
DESCRIPTOR = "datapackage.json"

# What the data may be reused under, until the project states a licence of
# its own: set DATA_LICENCE (a Frictionless licence: name, path, title).
DEFAULT_DATA_LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
# The site's public address, which every record's "URL" column starts with.
# The files are built for every visitor alike, often with no request at hand
# (build_data_package), so the address cannot come from a request as the
# list downloads' does.
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def package_directory():
    """Return the directory the built files live in."""
    configured = getattr(settings, "DATA_PACKAGE_DIR", None)
    return Path(configured or settings.BASE_DIR / "var" / "data")


def data_licence():
    """Return the licence the data is published under, as Frictionless states one."""
    return getattr(settings, "DATA_LICENCE", DEFAULT_DATA_LICENCE)


def site_origin():
    """Return the site's public address, with no trailing slash.

    ``SITE_URL`` if a setting names it, else ``$DJANGO_SITE_URL`` (which
    ``assign_role`` reads for its links too), else the development server.
    """
    configured = getattr(settings, "SITE_URL", "") or os.environ.get(
        "DJANGO_SITE_URL", ""
    )
    return (configured or DEFAULT_SITE_URL).rstrip("/")


@dataclass(frozen=True)
class Package:
    """The two files built from one content version, in ``directory``."""

    directory: Path
    version: int

    def path(self, file_format):
        return self.directory / f"{NAME}-{self.version}.{file_format}"

    def is_built(self):
        return all(self.path(file_format).exists() for file_format in FORMATS)


def current_package(directory=None):
    """Return the package of the content the database holds, built if it was not.

    Costs one primary-key query when the files are current.
    """
    directory = Path(directory or package_directory())
    package = Package(directory, content_version())
    if package.is_built():
        return package
    with build_lock(directory):
        # Read again: whoever held the lock may have built a newer version.
        package = Package(directory, content_version())
        if not package.is_built():
            build(package)
    return package


def open_current(file_format, directory=None):
    """Return the current package and its ``file_format`` file, open for reading.

    A rebuild removes the files it replaces; if one goes between the check and
    the opening, the second try finds (or builds) the files that replaced it.
    Once open, a removed file can still be read to its end.
    """
    try:
        package = current_package(directory)
        return package, package.path(file_format).open("rb")
    except FileNotFoundError:
        package = current_package(directory)
        return package, package.path(file_format).open("rb")


@contextmanager
def build_lock(directory):
    """Hold the directory's build lock: one build at a time across processes."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def build(package):
    """Write ``package``'s files, then remove those of every other version.

    The caller holds the build lock.
    """
    directory = package.directory
    directory.mkdir(parents=True, exist_ok=True)
    # Left by a build that died: none can be running, the caller holds the lock.
    for leftover in directory.glob(".building-*"):
        leftover.unlink(missing_ok=True)
    with translation.override(settings.LANGUAGE_CODE):
        origin = site_origin()
        tables = data_tables(origin)
        descriptor = describe(tables, origin)
        with (
            replaced_atomically(package.path("zip")) as zip_out,
            replaced_atomically(package.path("json")) as json_out,
        ):
            write_files(zip_out, json_out, descriptor, tables)
    current = {package.path(file_format).name for file_format in FORMATS}
    for old in directory.glob(f"{NAME}-*"):
        if old.name not in current:
            old.unlink(missing_ok=True)


@contextmanager
def replaced_atomically(path):
    """Yield a file to write, which replaces ``path`` once it is whole."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".building-")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            # On disk before the rename: a crash must not leave an empty file
            # under a current version's name, which would be served as built.
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def describe(tables, origin):
    """Return the Data Package descriptor of ``tables``."""
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": _("Talent programmes of the Yangtze River Delta demonstration zone"),
        "description": _(
            "Science-and-technology talent programmes of the Yangtze River Delta "
            "Ecology and Green Integrated Development Demonstration Zone."
        ),
        "homepage": f"{origin}/",
        "licenses": [data_licence()],
        "sources": published_sources(),
        "created": timezone.now().isoformat(timespec="seconds"),
        "resources": [table_resource(table, tables) for table in tables],
    }


def published_sources():
    """Return the published sources as a Data Package lists them: title and link."""
    return [
        {"title": source.name, **({"path": source.url} if source.url else {})}
        for source in Source.objects.public().only("title_en", "title_zh", "url")
    ]


def write_files(zip_out, json_out, descriptor, tables):
    """Write the zip and the JSON file together, reading each table once.

    The zip holds the descriptor, then one CSV per table. The JSON file holds
    the descriptor's metadata, then ``data``: not the tables at the top level
    beside it, where the table of sources would clash with the Data
    Package's ``sources`` (what the data comes from).

    Reading the records and their related records costs more than writing
    them, so each is read once: ``tee`` hands it to the CSV writer and to the
    JSON writer, which take turns a batch at a time, so no more than a batch
    of records waits in memory between them.
    """
    # Zip dates have no time zone: the site's. Without one, a member written
    # as a stream would be dated 1980.
    now = timezone.localtime().timetuple()[:6]
    with zipfile.ZipFile(zip_out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zip_entry(DESCRIPTOR, now), encode(descriptor, indent=2))
        json_out.write(b"{\n")
        for key, value in descriptor.items():
            if key not in ("profile", "resources"):
                json_out.write(encode(key) + b": " + encode(value) + b",\n")
        json_out.write(b'"data": {')
        for n, table in enumerate(tables):
            json_out.write((b",\n" if n else b"\n") + encode(table.name) + b": ")
            for_csv, for_json = itertools.tee(table.rows())
            pieces = itertools.zip_longest(
                write_csv(table.columns, for_csv),
                write_json(table.columns, for_json),
                fillvalue=b"",
            )
            with archive.open(zip_entry(table.path, now), "w") as member:
                for csv_piece, json_piece in pieces:
                    member.write(csv_piece)
                    json_out.write(json_piece)
        json_out.write(b"}}\n")


def zip_entry(name, date_time):
    entry = zipfile.ZipInfo(name, date_time=date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    # Readable by everyone once extracted, as the download itself is.
    entry.external_attr = 0o644 << 16
    return entry


def encode(value, **options):
    return DjangoJSONEncoder(ensure_ascii=False, **options).encode(value).encode()
