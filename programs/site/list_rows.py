"""
The rows of each public list's table, one ``Column`` per cell.

A list shows 25 rows of five or six cells. Written as a template, each cell
was a tag and each label a translation: a few hundred template nodes, each
looking the language up again, reversing a URL, translating a status, most
of what the page cost to render. Here each list names its columns once, and
``render_rows`` writes the rows in one loop with a ``RowWriter``, which looks
up what every row shares once per page: the language, the start and end of
each kind's detail URL, the labels of each choice. The rows are read as
tuples (``values_list``) into ``ListedRecord``s holding just what the cells
read, not as model objects.

The HTML is the same as the template tags write (templatetags/programs.py:
``record_name``, ``record_link``, ``localized``, ``show_date``), byte for
byte; tests/test_list_rows.py compares them.

Every cell carries ``data-label``, its column's heading, so that on a narrow
screen each row becomes a card with its labels (site.css, "Facets and
phones"): the labels must match the headings of the template's table_head.
"""

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_noop as label

from ..kinds import kind_of
from ..models.base import PublicationStatus, active_and_other_language
from ..templatetags.programs import (
    URL_SAFE_SLUG,
    date_in_language,
    demo_badge,
    detail_url_around,
    missing,
)


@dataclass(frozen=True)
class Column:
    """A column of a list's table: its heading and what each row shows in it.

    ``cell(writer, record)`` returns the cell's HTML, escaped. The first
    column names the row (``<th scope="row">``). ``fields`` are the fields the
    cell reads, for ``values_list()``: a page loads no other column of its
    records.
    """

    heading: str  # the English message, translated per page
    cell: Callable
    fields: tuple


def fields_of(columns):
    """Return the fields ``columns`` read, for the rows' ``values_list()``."""
    return list(dict.fromkeys(field for column in columns for field in column.fields))


def escape(text):
    """Return ``text`` escaped for HTML, as ``django.utils.html.escape``.

    Which is ``html.escape(str(text))`` behind a check for lazy arguments
    that a page's few hundred cells paid for on every call.
    """
    return html.escape(str(text))


class ListedRecord:
    """What a list's cells read of one record, from a ``values_list`` row.

    The cells read attributes, a URL and whether a related record is public:
    model objects for them (a page's 25 rows and their related records) cost
    a list more than the query that fills them.
    """

    def __init__(self, url_name, fields):
        self.url_name = url_name
        self.__dict__.update(fields)

    @property
    def is_public(self):
        return self.publication_status == PublicationStatus.PUBLISHED

    def get_absolute_url(self):
        return reverse(self.url_name, args=[self.slug])


class RowReader:
    """Turns ``values_list(*fields)`` rows of a model into ``ListedRecord``s.

    A related record's fields (``district__slug``, ``district__name_en``…)
    become a ``ListedRecord`` of their own (``record.district``), or None
    when the relation is empty.
    """

    def __init__(self, model, columns):
        self.fields = fields_of(columns)
        self.url_name = kind_of(model).detail_url_name
        own, related = [], {}
        for index, field in enumerate(self.fields):
            relation, _, name = field.rpartition("__")
            if relation:
                related.setdefault(relation, []).append((name, index))
            else:
                own.append((field, index))
        self.own = own
        self.related = [
            (
                relation,
                kind_of(model._meta.get_field(relation).related_model).detail_url_name,
                names,
            )
            for relation, names in related.items()
        ]

    def records(self, rows):
        """Return a ``ListedRecord`` for each row, in order."""
        records = []
        for row in rows:
            fields = {name: row[index] for name, index in self.own}
            for relation, url_name, names in self.related:
                values = {name: row[index] for name, index in names}
                fields[relation] = (
                    None if values["slug"] is None else ListedRecord(url_name, values)
                )
            records.append(ListedRecord(self.url_name, fields))
        return records


@functools.cache
def reader(model, columns):
    """Return the ``RowReader`` of ``model``'s list, made once per process."""
    return RowReader(model, columns)


class RowWriter:
    """What the rows of one page share, looked up once.

    Each method writes a cell's HTML as the template tag of the same purpose
    does.
    """

    def __init__(self, model):
        self.model = model
        self.language = get_language()
        (self.suffix, self.tag), (self.other_suffix, self.other_tag) = (
            active_and_other_language()
        )
        self.none = missing(gettext("none"))
        self.unknown = missing(gettext("unknown"))
        self.badge = demo_badge()
        self.urls = {}
        self.choices = {}

    def text(self, record, stem):
        """Return ``stem`` in the active language, marked if it falls back."""
        text = getattr(record, f"{stem}_{self.suffix}", "")
        if text:
            return escape(text)
        other = getattr(record, f"{stem}_{self.other_suffix}", "")
        if other:
            return f'<span lang="{self.other_tag}">{escape(other)}</span>'
        return ""

    def url(self, record):
        """Return ``record.get_absolute_url()``."""
        url_name = record.url_name
        if not URL_SAFE_SLUG.fullmatch(record.slug):
            return record.get_absolute_url()
        if url_name not in self.urls:
            self.urls[url_name] = detail_url_around(url_name)
        before, after = self.urls[url_name]
        return f"{before}{record.slug}{after}"

    def name(self, record, link=False):
        """As ``{% record_name record link=... %}``."""
        name = self.text(record, "name")
        if link:
            name = f'<a href="{escape(self.url(record))}">{name}</a>'
        if getattr(record, "is_demo", False):
            return f"{name} {self.badge}"
        return name

    def link(self, record):
        """As ``{% record_link record %}``."""
        if record and record.is_public:
            return (
                f'<a href="{escape(self.url(record))}">{self.text(record, "name")}</a>'
            )
        return self.none

    def date(self, date):
        """As ``{% show_date date %}``."""
        if not date:
            return self.unknown
        return date_in_language(date, self.language)

    def display(self, record, field):
        """As ``record.get_<field>_display()``, escaped."""
        if field not in self.choices:
            choices = self.model._meta.get_field(field).flatchoices
            self.choices[field] = {value: escape(text) for value, text in choices}
        value = getattr(record, field)
        return self.choices[field].get(value, escape(value))


def read_rows(model, rows, columns):
    """Return ``rows``, ``values_list(*fields_of(columns))`` of ``model``, as
    ``ListedRecord``s."""
    return reader(model, columns).records(rows)


def render_rows(model, records, columns):
    """Return the ``<tr>`` rows of ``records`` (``ListedRecord``s of ``model``),
    one cell per column, as HTML."""
    writer = RowWriter(model)
    cells = []
    for index, column in enumerate(columns):
        tag = 'th scope="row"' if index == 0 else "td"
        heading = escape(gettext(column.heading))
        cells.append(
            (f'  <{tag} data-label="{heading}">', f"</{tag[:2]}>", column.cell)
        )
    rows = []
    for record in records:
        row = "\n".join(
            f"{start}{cell(writer, record)}{end}" for start, end, cell in cells
        )
        rows.append(f"<tr>\n{row}\n</tr>")
    return mark_safe("".join(rows))


NAME = ("slug", "name_en", "name_zh", "is_demo")


def name_link(writer, record):
    return writer.name(record, link=True)


def display(field):
    """Return a cell of ``field``'s choice label ("Appointed"), and its field."""
    return (lambda writer, record: writer.display(record, field)), (field,)


def in_language(stem):
    """Return a cell of ``stem`` in the active language, and its fields."""
    cell = lambda writer, record: writer.text(record, stem)  # noqa: E731
    return cell, (f"{stem}_en", f"{stem}_zh")


def related(field):
    """Return a cell linking to the related record in ``field``, if public."""
    cell = lambda writer, record: writer.link(getattr(record, field))  # noqa: E731
    read = ("slug", "name_en", "name_zh", "publication_status")
    return cell, tuple(f"{field}__{name}" for name in read)


def date(field):
    """Return a cell of the date in ``field``, and its field."""
    return (lambda writer, record: writer.date(getattr(record, field))), (field,)


def yes_or_no(field):
    """Return a cell saying Yes or No, as ``|yesno:_("Yes,No")``."""

    def cell(writer, record):
        yes, no = gettext("Yes,No").split(",")
        return escape(yes if getattr(record, field) else no)

    return cell, (field,)


def source_title(writer, source):
    return f'<a href="{escape(writer.url(source))}">{writer.text(source, "title")}</a>'


def outlet(writer, source):
    return escape(source.outlet or gettext("not stated"))


DISTRICT = (
    Column(label("Name"), name_link, NAME),
    Column(label("City"), *in_language("city")),
    Column(label("Province"), *in_language("province")),
    Column(label("In the demonstration zone"), *yes_or_no("in_demonstration_zone")),
)
ORGANIZATION = (
    Column(label("Name"), name_link, NAME),
    Column(label("Kind"), *display("kind")),
    Column(label("District"), *related("district")),
)
AGREEMENT = (
    Column(label("Name"), name_link, NAME),
    Column(label("Signed on"), *date("signed_on")),
    Column(label("Status"), *display("status")),
    Column(label("District"), *related("district")),
)
PROJECT = (
    Column(label("Name"), name_link, NAME),
    Column(label("Kind"), *display("kind")),
    Column(label("Status"), *display("status")),
    Column(label("Announced on"), *date("announced_on")),
    Column(label("Lead"), *related("lead_organization")),
    Column(label("District"), *related("district")),
)
WORKSTATION = (
    Column(label("Name"), name_link, NAME),
    Column(label("Host"), *related("host_organization")),
    Column(label("District"), *related("district")),
    Column(label("Set up on"), *date("established_on")),
    Column(label("Status"), *display("status")),
)
EXPERT = (
    Column(label("Name"), name_link, NAME),
    Column(label("Title"), *in_language("title")),
    Column(label("Appointed by"), *related("appointed_by")),
    Column(label("Appointed on"), *date("appointed_on")),
    Column(label("Serves in"), *related("district")),
    Column(label("Status"), *display("status")),
)
ENTREPRENEUR = (
    Column(label("Name"), name_link, NAME),
    Column(label("Country or region"), *in_language("country_or_region")),
    Column(label("Venture"), *in_language("venture")),
    Column(label("Signed with"), *related("host_organization")),
    Column(label("Signed on"), *date("signed_on")),
    Column(label("Status"), *display("status")),
)
SOURCE = (
    Column(label("Title"), source_title, ("slug", "title_en", "title_zh")),
    Column(label("Outlet"), outlet, ("outlet",)),
    Column(label("Published on"), *date("published_on")),
)
