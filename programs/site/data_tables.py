"""
The tables of the bulk download (``data_package.py``) and their Table Schemas.

One table per kind of record, read and written exactly as its list's
download with no filter: the same FilterSet (so the same rows, in the same
order), the same ``Export`` (so the same columns, staff-only fields refused).
The announced figures have no list of their own; their table is an
``Export`` too, with the number of records on file that each one counts, as
the home page sets them side by side.

A schema's field names are the CSV's header, in the language the package is
built in; a field's type, title and description come from its model field.
Each record's "URL", its page on the site, is the primary key: the lists'
downloads hold no slug, and names need not be unique. Foreign keys point a
related record's name at the English name column of its own table: the only
link a download holds, and only as good as the names are distinct. Columns
of many related records are names joined by "; ", which a Table Schema
cannot point at.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from django.db import models
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..kinds import FIGURE_COLUMNS, KINDS
from ..models import AnnouncedFigure
from .exports import EXPORTS, Column, Export

# The descriptor's own words are English, as the files are built in English
# (data_package.py); field titles are the models' verbose names.
CSV_DESCRIPTION = (
    "UTF-8 with a byte-order mark. Text that starts with = + - or @ begins "
    "with an apostrophe, so that no spreadsheet runs it as a formula."
)
MANY_TO_MANY = "The names of the published related records, separated by '; '."
MANY_TO_ONE = "The related record's name; blank unless it is published."
# The columns that are not a model field.
COMPUTED_FIELDS = {
    "url": {
        "type": "string",
        "format": "uri",
        "description": "The record's page on this site.",
    },
    "on_record": {
        "type": "integer",
        "description": (
            "Published records on file that match the figure; demo records never "
            "count. Blank where no kind of record matches what it counts."
        ),
    },
}

FIGURE_EXPORT = Export(
    AnnouncedFigure,
    # A figure has no page, so no URL: its slug is its key.
    ("slug", *FIGURE_COLUMNS),
)
ON_RECORD = Column("on_record", capfirst(_("on record")), attrgetter("on_record"))


@dataclass(frozen=True)
class Table:
    """One CSV of the bulk download, and one list of its JSON."""

    # Named as the list's address and its downloads are: "projects".
    name: str
    title: str
    model: type
    columns: list
    rows: Callable
    # The key of the column that identifies a row, and of its name.
    primary_key: str
    name_key: str

    @property
    def path(self):
        return f"{self.name}.csv"


def data_tables(origin):
    """Return the tables of every kind of record, then the announced figures.

    ``origin`` is the site's address, which each record's "URL" starts with.
    """
    return [*(kind_table(kind, origin) for kind in KINDS), figure_table()]


def kind_table(kind, origin):
    """Return the table of ``kind``: its list's download, unfiltered."""
    export = EXPORTS[kind.model]

    def rows():
        # Bound with no data, as the list is with only ?format=csv.
        filterset = kind.filterset(data={}, queryset=kind.model.objects.public())
        return export.rows(filterset.qs)

    return Table(
        name=reverse(kind.list_url_name).strip("/").rsplit("/", 1)[-1],
        title=str(kind.heading),
        model=kind.model,
        columns=export.columns_linking_to(origin),
        rows=rows,
        primary_key="url",
        name_key=kind.name_fields[0],
    )


def figure_table():
    """Return the table of published announced figures."""
    figures = (
        AnnouncedFigure.objects.public()
        .with_on_record()
        # Meta.ordering leaves ties; the slug makes every build the same.
        .order_by(*AnnouncedFigure._meta.ordering, "slug")
    )
    return Table(
        name="announced-figures",
        title=str(capfirst(AnnouncedFigure._meta.verbose_name_plural)),
        model=AnnouncedFigure,
        columns=[*FIGURE_EXPORT.columns, ON_RECORD],
        rows=lambda: FIGURE_EXPORT.rows(figures),
        primary_key="slug",
        name_key="label_en",
    )


def table_resource(table, tables):
    """Return the Data Package resource describing ``table``'s CSV."""
    schema = {
        "fields": [schema_field(table.model, column) for column in table.columns],
        "primaryKey": table_label(table, table.primary_key),
        "missingValues": [""],
    }
    if keys := foreign_keys(table, tables):
        schema["foreignKeys"] = keys
    return {
        "profile": "tabular-data-resource",
        "name": table.name,
        "path": table.path,
        "title": table.title,
        "description": CSV_DESCRIPTION,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def table_label(table, key):
    """Return the header of ``table``'s column ``key``."""
    return next(str(c.label) for c in table.columns if c.key == key)


def model_field(model, column):
    """Return the model field behind ``column``, or None for a computed one."""
    if column.key in COMPUTED_FIELDS:
        return None
    # Exports call a field named "url" (a source's own link) "link".
    return model._meta.get_field("url" if column.key == "link" else column.key)


def schema_field(model, column):
    """Return the Table Schema field of ``column``: name, type, title, description."""
    label = str(column.label)
    described = {"name": label, "title": label}
    field = model_field(model, column)
    if field is None:
        return {**described, **COMPUTED_FIELDS[column.key]}
    described.update(field_type(field))
    notes = [str(field.help_text)] if field.help_text else []
    if field.many_to_many:
        notes.append(MANY_TO_MANY)
    elif field.many_to_one:
        notes.append(MANY_TO_ONE)
    if notes:
        described["description"] = " ".join(notes)
    return described


def field_type(field):
    """Return the Table Schema type of ``field``, as ``csv_cell`` writes it."""
    if field.many_to_many or field.many_to_one:
        return {"type": "string"}
    if isinstance(field, models.BooleanField):
        return {
            "type": "boolean",
            "trueValues": [str(_("Yes"))],
            "falseValues": [str(_("No"))],
        }
    if isinstance(field, models.DateTimeField):
        return {"type": "datetime"}
    if isinstance(field, models.DateField):
        return {"type": "date"}
    if isinstance(field, models.IntegerField):
        return {"type": "integer"}
    if isinstance(field, models.URLField):
        return {"type": "string", "format": "uri"}
    if field.choices:
        labels = [str(label) for _value, label in field.flatchoices]
        return {"type": "string", "constraints": {"enum": labels}}
    return {"type": "string"}


def foreign_keys(table, tables):
    """Return a foreign key for each column naming one related record of a table."""
    by_model = {other.model: other for other in tables}
    keys = []
    for column in table.columns:
        field = model_field(table.model, column)
        if (
            field is None
            or not field.many_to_one
            or field.related_model not in by_model
        ):
            continue
        target = by_model[field.related_model]
        keys.append(
            {
                "fields": str(column.label),
                "reference": {
                    "resource": target.name,
                    "fields": table_label(target, target.name_key),
                },
            }
        )
    return keys
