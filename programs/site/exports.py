"""
CSV and JSON exports of the public lists.

Every list answers ``?format=csv`` and ``?format=json`` with all the rows its
filters select, not one page, through the same FilterSet as the HTML page.
Each kind of record's exported fields are its columns in ``programs.kinds``;
nothing else leaves the site, and a field a model declares staff-only cannot
be named at all.

Related records appear by name, in the language of the page the export was
asked from, and only when they are published: a draft district is a blank
cell, a draft source is left out of the list of sources.

Rows stream: the response reads the rows as it writes them, so memory
stays flat however many rows there are. The WSGI server must iterate the
response itself (an ASGI server would gather it into memory).

Two readings of the same columns write the same bytes:

- ``Export.rows`` reads model objects, and ``write_csv``/``write_json`` write
  them cell by cell here. The reference: what each cell holds is plain to
  read below. The bulk download (``data_package.py``) writes through it;
- the lists' downloads read their rows as the database writes them
  (``export_sql.py``): ten times as many rows a second or more, the same
  bytes, as tests/test_exports_fast.py pins on both databases.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..kinds import KINDS
from ..spreadsheets import guarded
from . import export_sql
from .export_sql import batches

FORMATS = ("csv", "json")

# Rows read from the database at a time, each chunk with its own prefetches.
CHUNK_SIZE = export_sql.CHUNK_SIZE
# Rows per piece handed to the server: fewer, larger writes than one per row.
ROWS_PER_WRITE = 200

# Names that are never public whatever the model says.
NEVER_EXPORTED = ("id", "pk", "publication_status")


@dataclass(frozen=True)
class Column:
    """One exported value: a JSON key, a CSV header and how to read it."""

    key: str
    label: str
    value: Callable[[Any], Any]
    # The model field it writes, if any: export_sql.py reads it in SQL.
    field: Any = None


def public_name(record):
    """Return ``record``'s name in the active language, or None unless public."""
    if record is None or not record.is_public:
        return None
    return record.name


def field_column(model, name, key=None):
    """Return the column for model field ``name``, headed by its verbose name."""
    field = model._meta.get_field(name)
    key, label = key or name, capfirst(field.verbose_name)
    if field.many_to_many:
        # Prefetched by Export, published records only.
        public_related = attrgetter(f"public_{name}")
        return Column(
            key, label, lambda record: [r.name for r in public_related(record)], field
        )
    if field.many_to_one:
        related = attrgetter(name)
        return Column(key, label, lambda record: public_name(related(record)), field)
    if field.choices:
        # get_FOO_display() rebuilds its lookup on every call: slow per cell.
        labels, value = dict(field.flatchoices), attrgetter(name)
        return Column(
            key, label, lambda record: labels.get(value(record), value(record)), field
        )
    return Column(key, label, attrgetter(name), field)


class Export:
    """The public columns of one kind of record and the reads they need."""

    def __init__(self, model, fields):
        self.model = model
        self.columns = []
        self.select_related = []
        self.prefetch_related = []
        for name in fields:
            # "url" is the record's page on this site (the last column), so a
            # field of that name, a source's own link, is exported as "link".
            key = "link" if name == "url" else name
            if name in NEVER_EXPORTED or name in model.STAFF_ONLY_FIELDS:
                raise ImproperlyConfigured(f"{model.__name__}.{name} is not public.")
            field = model._meta.get_field(name)
            if field.many_to_many:
                related = field.related_model.objects.public()
                self.prefetch_related.append(
                    Prefetch(name, queryset=related, to_attr=f"public_{name}")
                )
            elif field.many_to_one:
                self.select_related.append(name)
            self.columns.append(field_column(model, name, key))
        # Every row says whether it was invented by generate_demo, so that an
        # export is never mistaken for sourced facts.
        self.columns.append(field_column(model, "is_demo"))

    def rows(self, queryset):
        """Return the records of ``queryset`` one by one, read a chunk at a time."""
        return (
            queryset.select_related(*self.select_related)
            .prefetch_related(*self.prefetch_related)
            .iterator(chunk_size=CHUNK_SIZE)
        )

    def columns_linking_to(self, origin):
        """Return the columns, last the record's page on the site at ``origin``.

        The list downloads and the bulk download (``data_package.py``) both
        end with it, so that their files have the same columns.
        """
        return [
            *self.columns,
            Column("url", _("URL"), lambda r: origin + r.get_absolute_url()),
        ]

    def written_by_database(self, queryset, origin, export_format):
        """Yield the file of every record in ``queryset``, as ``write_csv`` or
        ``write_json`` would write it from ``self.rows(queryset)``.

        The database reads and writes the cells (``export_sql.py``):
        PostgreSQL writes the whole file, other databases the values.
        """
        if export_sql.copies(queryset):
            if export_format == "csv":
                lines = export_sql.copied_csv(self, queryset, origin)
                header = csv_header(self.columns_linking_to(origin))
                return csv_from_copy(header, lines)
            return json_from_copy(export_sql.copied_json(self, queryset, origin))
        columns = export_sql.value_columns(self.columns_linking_to(origin))
        rows = export_sql.value_rows(self, queryset, origin)
        write = write_csv if export_format == "csv" else write_json
        return write(columns, rows)

    def response(self, request, queryset, export_format):
        """Return a streaming download of every record in ``queryset``."""
        origin = f"{request.scheme}://{request.get_host()}"
        content = written_in(
            translation.get_language(),
            self.written_by_database(queryset, origin, export_format),
        )
        content_type = (
            "text/csv; charset=utf-8" if export_format == "csv" else "application/json"
        )
        # Named after the list it was asked from: /projects/ gives projects-….
        name = request.path.strip("/").rsplit("/", 1)[-1]
        filename = f"{name}-{timezone.localdate():%Y-%m-%d}.{export_format}"
        return StreamingHttpResponse(
            content,
            content_type=content_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def written_in(language, pieces):
    """Yield ``pieces`` with ``language`` active while each one is made.

    The body is written after the view has returned, so the request's
    language is made active again here for headers, names and choices.
    """
    with translation.override(language):
        yield from pieces


class Echo:
    """A file-like object that hands back what is written (Django's CSV recipe)."""

    def write(self, value):
        return value


def csv_cell(value):
    """Return ``value`` as CSV text that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    elif hasattr(value, "isoformat"):
        return value.isoformat()
    return guarded(str(value))


def csv_header(columns):
    """Return the CSV's first line, after a byte-order mark for spreadsheets."""
    return (
        "\ufeff" + csv.writer(Echo()).writerow([str(c.label) for c in columns])
    ).encode()


def write_csv(columns, records):
    """Yield UTF-8 CSV with a byte-order mark, so spreadsheets read Chinese."""
    writer = csv.writer(Echo())
    yield csv_header(columns)
    for batch in batches(records, ROWS_PER_WRITE):
        lines = (
            writer.writerow([csv_cell(c.value(record)) for c in columns])
            for record in batch
        )
        yield "".join(lines).encode()


def write_json(columns, records):
    """Yield a JSON array of objects, one per record, keyed in English."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    separator = "\n"
    yield b"["
    for batch in batches(records, ROWS_PER_WRITE):
        pieces = []
        for record in batch:
            row = {c.key: c.value(record) for c in columns}
            pieces.append(separator + encoder.encode(row))
            separator = ",\n"
        yield "".join(pieces).encode()
    yield b"\n]\n"


def csv_from_copy(header, lines):
    """Yield the CSV of ``header`` and COPY's ``lines``, which end ``\\n``.

    Python's csv module ends a line ``\\r\\n``, and COPY cannot be told to:
    each line's end is swapped. A line break inside a quoted cell stays as
    it is, in both.
    """
    yield header
    for batch in batches(lines, ROWS_PER_WRITE):
        yield b"\r\n".join(line[:-1] for line in batch) + b"\r\n"


def json_from_copy(lines):
    """Yield the JSON array of COPY's ``lines``, each an object ending ``\\n``."""
    separator = b"\n"
    yield b"["
    for batch in batches(lines, ROWS_PER_WRITE):
        yield separator + b",\n".join(line[:-1] for line in batch)
        separator = b",\n"
    yield b"\n]\n"


EXPORTS = {kind.model: Export(kind.model, kind.columns) for kind in KINDS}


def bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def filter_errors(form):
    """Return a plain-text message naming each filter that could not be used."""
    lines = [str(_("Nothing was exported because some filters could not be used:"))]
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{name} ({field.label})" if field else name
        lines.extend(f"- {label}: {error}" for error in errors)
    lines.append(str(_("Correct them and try again.")))
    return "\n".join(lines) + "\n"


class ExportMixin:
    """Answer ``?format=csv`` or ``?format=json`` with every row the filters select.

    For a FilterView: the export goes through the view's own FilterSet and
    queryset, sorted as the page would be, but not paged.
    """

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("format", "")
        if not export_format:
            return super().get(request, *args, **kwargs)
        if export_format not in FORMATS:
            return bad_request(
                str(_("Unknown export format. Use format=csv or format=json.")) + "\n"
            )
        filterset = self.get_filterset(self.get_filterset_class())
        # An invalid filter is dropped by the FilterSet: exporting then would
        # hand over every row as if it were the selection asked for.
        if not filterset.is_valid():
            return bad_request(filter_errors(filterset.form))
        return EXPORTS[self.model].response(request, filterset.qs, export_format)
