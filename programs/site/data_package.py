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
changes it. A file is written under a temporary name and renamed into place,
so no one ever reads half a file.

After an edit, a job rebuilds them (``programs.jobs.rebuild_data_package``):
every write to a record schedules one when its transaction commits, once per
transaction, and a job still waiting in the queue covers every edit made
before it starts. Until it has run, visitors get the files of the version
before, which the page dates (the first request after an edit does not wait
for a build). The files are built on request, under a file lock so that
several workers waiting for them build them once, only when there is no
file at all, or no worker has taken the rebuild within ``REBUILD_PATIENCE``
(no worker running: the request then builds, as it did before there were
jobs).

A write that commits during a build leaves files that may hold it, tagged
with the version from before it: they are stale at once, and the rebuild
loops until the files are of the version the database holds. So a build
needs no transaction (on SQLite a long read transaction would hold writers
back).

What a rebuild costs, measured on SQLite on a two-core machine shared with
other work (where ``generate_demo --size 100000`` took 71 s, against about
15 s on the machine the README's figures come from): the seeds (15 records)
about 0.1 s; ``generate_demo --size 2000`` (2,185 records) about 1 s;
``--size 100000`` (108,515 records, a 4.8 MB zip and a 69 MB JSON file)
65 to 85 s, in the same 170 MB of memory as the small one. That is why it is
a job. ``generate_demo`` writes in bulk, with no signals: run
``build_data_package`` after loading.
"""

import datetime
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
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Job, Source
from .cache import content_changed, content_version
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
# How long visitors may be given the files of the version before an edit
# while its rebuild waits for a worker; after that a request builds them.
REBUILD_PATIENCE = datetime.timedelta(minutes=10)


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
    """Return the package to serve, built first only if there is none to serve.

    The package of the content the database holds if it is built; else, while
    a rebuild job is on its way, the one built before it; else the current
    one, built now. Costs one primary-key query when the files are current.
    """
    directory = Path(directory or package_directory())
    package = Package(directory, content_version())
    if package.is_built():
        return package
    previous = previous_package(directory)
    if previous is not None and rebuild_is_pending():
        return previous
    return rebuild(directory)


def rebuild(directory=None):
    """Build the package of the content the database holds, unless it is built.

    Holds the build lock, and builds again if an edit committed meanwhile.
    """
    directory = Path(directory or package_directory())
    with build_lock(directory):
        # Read again: whoever held the lock may have built a newer version.
        package = Package(directory, content_version())
        while not package.is_built():
            build(package)
            package = Package(directory, content_version())
    return package


def previous_package(directory):
    """Return the package built last in ``directory``, or None."""
    for path in directory.glob(f"{NAME}-*.zip"):
        version = path.stem.removeprefix(f"{NAME}-")
        if version.lstrip("-").isdigit():
            package = Package(directory, int(version))
            if package.is_built():
                return package
    return None


def rebuild_is_pending():
    """Return True if a rebuild job was asked for lately and has not finished."""
    return Job.objects.filter(
        kind=Job.Kind.DATA_PACKAGE,
        state__in=Job.UNFINISHED,
        created_at__gte=timezone.now() - REBUILD_PATIENCE,
    ).exists()


def schedule_rebuild(using=None):
    """Have a job rebuild the files once the current transaction commits.

    Once per transaction however many records it writes (the callback is
    looked for among those the transaction already holds).
    """
    connection = transaction.get_connection(using)
    if any(callback is _start_rebuild for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_start_rebuild, using=using)


def _start_rebuild():
    from ..jobs import start

    # A job still waiting will read the content version when it starts: it
    # covers this edit too.
    if Job.objects.filter(kind=Job.Kind.DATA_PACKAGE, state=Job.State.QUEUED).exists():
        return
    start(Job(kind=Job.Kind.DATA_PACKAGE))


def _rebuild_after(sender, using=None, **kwargs):
    schedule_rebuild(using)


def connect_signals():
    """Rebuild the files after every change of the content version.

    That is, after every write to a record, whether it sent a signal or not
    (``programs.site.cache``).
    """
    content_changed.connect(_rebuild_after, dispatch_uid="data-package-rebuild")


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
