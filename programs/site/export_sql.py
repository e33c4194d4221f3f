"""
The exports' rows read and written by the database (``exports.py``).

``Export.rows`` reads model objects and ``write_csv``/``write_json`` write
them: the reference, clear and slow (about 5,500 rows a second at 100,000
experts: three objects and a ``reverse()`` per row, translations per cell,
two hundred prefetch queries). Here each column is an SQL expression of the
very value the reference writes, in the language of the export:

- a related record's name, blank unless it is published, in the active
  language or the other one where that is blank (``Record.name``);
- a choice's label, and the record's page: the detail URL around its slug;
- the names of the published records of a many-to-many, in the related
  model's ``Meta.ordering`` (the order the reference's prefetch reads them
  in), then by id, so that ties come out the same every time.

They are read in one of two ways:

- on PostgreSQL, by one ``COPY (SELECT …) TO STDOUT``: the server writes each
  CSV line (quoting, the formula guard, Yes and No, ISO dates) or each JSON
  object, and Python hands the bytes on a few hundred rows at a time as they
  arrive, so memory stays flat. One query, whatever the number of rows;
- elsewhere (SQLite), by ``values_list`` a chunk at a time, with one query
  per many-to-many column and chunk for the related names; the reference's
  writers write the tuples.

tests/test_exports_fast.py pins both to the reference, byte for byte, on
SQLite and on PostgreSQL.
"""

import json
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import replace
from itertools import islice
from operator import itemgetter

from django.conf import settings
from django.contrib.postgres.aggregates import JSONBAgg, StringAgg
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections, models, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Case, F, Func, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf
from django.urls import reverse
from django.utils.translation import gettext

from ..kinds import NAMES, kind_of
from ..models import PublicationStatus
from ..models.base import active_and_other_language
from ..spreadsheets import FORMULA_STARTS, TEXT_MARK

# Records read at a time on the values path, with one query per
# many-to-many column for their related names.
CHUNK_SIZE = 1000

# COPY is one statement, which lasts until the client has read the whole
# file. A page's queries get DJANGO_DB_STATEMENT_TIMEOUT_MS; the COPY gets at
# least as long as gunicorn gives a request (--timeout, deploy/serve.py),
# after which the worker is ended anyway. Behind nginx, which buffers the
# response, it lasts only as long as the server takes to write the rows.
COPY_TIMEOUT_MS = 120_000

# What COPY is told: CSV as Python's csv module writes it (COPY writes an
# empty string as "", so the cells make blanks NULL, which it writes bare);
# a JSON object per line, which holds no control character, so a quote and a
# delimiter of control characters leave it as it is.
CSV_OPTIONS = "FORMAT csv"
JSON_OPTIONS = "FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02'"

PUBLISHED = PublicationStatus.PUBLISHED
# Any valid slug: the detail URL is reversed once, around it.
SLUG_MARK = "slug-mark"


def copies(queryset):
    """Return True if ``queryset``'s database writes the files itself (COPY)."""
    return connections[queryset.db].vendor == "postgresql"


def name_fields(model):
    """Return ``model``'s (English, Chinese) name fields: a source's are its title."""
    kind = kind_of(model)
    return kind.name_fields if kind else NAMES


def name_in_language(model, prefix=""):
    """Return ``Record.name`` in SQL: the active language's, else the other's."""
    by_suffix = dict(zip(("en", "zh"), name_fields(model), strict=True))
    (preferred, _tag), (other, _other_tag) = active_and_other_language()
    return Coalesce(
        NullIf(F(prefix + by_suffix[preferred]), Value("")),
        F(prefix + by_suffix[other]),
        output_field=models.CharField(),
    )


def public_name(field):
    """Return the name of the record ``field`` points to; NULL unless public."""
    prefix = f"{field.name}__"
    return Case(
        When(
            **{f"{prefix}publication_status": PUBLISHED},
            then=name_in_language(field.related_model, prefix),
        ),
        default=None,
        output_field=models.CharField(),
    )


def choice_label(field):
    """Return the label of ``field``'s choice, or its value if it has none."""
    return Case(
        *(
            When(**{field.name: value}, then=Value(str(text)))
            for value, text in field.flatchoices
        ),
        default=F(field.name),
        output_field=models.CharField(),
    )


def page_url(model, origin):
    """Return the record's page at ``origin``, as ``get_absolute_url()`` names it."""
    path = reverse(kind_of(model).detail_url_name, args=[SLUG_MARK])
    before, after = path.split(SLUG_MARK)
    return Concat(
        Value(origin + before), F("slug"), Value(after), output_field=models.CharField()
    )


def value(field):
    """Return the value of a column that is not a many-to-many, as it is written."""
    if field.many_to_one:
        return public_name(field)
    if field.choices:
        return choice_label(field)
    return F(field.name)


def related(field):
    """Return the published records of many-to-many ``field``, in order."""
    model = field.related_model
    return model.objects.public().order_by(*model._meta.ordering, "pk")


# The values path.


def value_columns(columns):
    """Return ``columns`` reading the tuples of ``value_rows`` instead of records."""
    return [replace(column, value=itemgetter(n)) for n, column in enumerate(columns)]


def value_rows(export, queryset, origin):
    """Yield, for each record of ``queryset``, its values in the columns' order."""
    fields = [column.field for column in export.columns]
    many = [(n, field) for n, field in enumerate(fields) if field.many_to_many]
    single = [value(field) for field in fields if not field.many_to_many]
    rows = queryset.values_list("pk", *single, page_url(export.model, origin))
    chunks = batches(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE)
    for chunk in chunks:
        pks = [row[0] for row in chunk]
        names = [(n, related_names(field, pks)) for n, field in many]
        for pk, *values in chunk:
            for n, by_record in names:
                values.insert(n, by_record.get(pk, []))
            yield values


def related_names(field, pks):
    """Return the names of the published records each of ``pks`` has in ``field``."""
    owner = field.related_query_name()
    rows = (
        related(field)
        .filter(**{f"{owner}__in": pks})
        .values_list(owner, name_in_language(field.related_model))
    )
    names = defaultdict(list)
    for pk, name in rows:
        names[pk].append(name)
    return names


def batches(iterable, size):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


# The COPY path: PostgreSQL writes every cell.


class TextCell(Func):
    """A text as ``exports.csv_cell`` writes it: guarded as ``spreadsheets.guarded()``
    guards it, and NULL (which COPY writes as a bare blank) when empty.

    ``ascii()`` is the code of the first character, 0 for an empty text: an
    integer, so no first character is cut out as a text of its own per cell.
    """

    output_field = models.TextField()

    def as_sql(self, compiler, connection, **extra_context):
        text, params = compiler.compile(self.get_source_expressions()[0])
        starts = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
        sql = (
            f"CASE WHEN ascii({text}) IN ({starts}) THEN %s || {text}"
            f" ELSE NULLIF({text}, '') END"
        )
        return sql, (*params, TEXT_MARK, *params, *params)


def csv_cell(field):
    """Return ``field``'s value as ``exports.csv_cell`` writes it."""
    if field.many_to_many:
        names = StringAgg(
            name_in_language(field.related_model),
            "; ",
            order_by=related(field).query.order_by,
        )
        return aggregated(field, names, TextCell(F("names")))
    if isinstance(field, models.BooleanField):
        return Case(
            When(**{field.name: True}, then=Value(gettext("Yes"))),
            When(**{field.name: False}, then=Value(gettext("No"))),
            default=None,
            output_field=models.CharField(),
        )
    if isinstance(field, models.DateTimeField):
        # isoformat() would need the time zone: no export has a datetime yet.
        raise ImproperlyConfigured(f"Exports cannot write {field!r} in SQL yet.")
    if isinstance(field, models.DateField):
        return Func(
            F(field.name),
            Value("YYYY-MM-DD"),
            function="to_char",
            output_field=models.CharField(),
        )
    if (
        field.many_to_one
        or field.choices
        or isinstance(field, (models.CharField, models.TextField))
    ):
        return TextCell(value(field))
    raise ImproperlyConfigured(f"Exports cannot write {field!r} in SQL yet.")


def aggregated(field, aggregate, result):
    """Return a subquery giving ``result`` of ``aggregate`` over ``field``'s records."""
    owner = field.related_query_name()
    per_record = (
        field.related_model.objects.public()
        .filter(**{owner: OuterRef("pk")})
        .order_by()
        .values(owner)
        .annotate(names=aggregate)
        .values_list(result)
    )
    return Subquery(per_record, output_field=models.TextField())


class JSONAgg(JSONBAgg):
    """``json_agg``: the same text as ``jsonb_agg``, with no jsonb built first."""

    function = "JSON_AGG"


class JSONLine(Func):
    """A record's JSON object, as Python's ``json`` writes it: ``{"key": value, …}``.

    Strings are written by ``to_json``, which escapes what Python's encoder
    escapes (with ``ensure_ascii=False``); a NULL is ``null``, a
    many-to-many with no published record ``[]``.
    """

    output_field = models.TextField()

    def __init__(self, members):
        self.members = [(key, empty) for key, _expression, empty in members]
        super().__init__(*(expression for _key, expression, _empty in members))

    def as_sql(self, compiler, connection, **extra_context):
        pieces, params = [], []
        for n, ((key, empty), expression) in enumerate(
            zip(self.members, self.get_source_expressions(), strict=True)
        ):
            sql, value_params = compiler.compile(expression)
            opener = ("{" if n == 0 else ", ") + json.dumps(key) + ": "
            pieces.append(f"%s || COALESCE(to_json({sql})::text, %s)")
            params.extend((opener, *value_params, empty))
        return " || ".join([*pieces, "'}'"]), tuple(params)


def json_member(column):
    """Return ``(key, expression, JSON when NULL)`` of one column."""
    field = column.field
    if field.many_to_many:
        names = JSONAgg(
            name_in_language(field.related_model),
            order_by=related(field).query.order_by,
        )
        return column.key, aggregated(field, names, F("names")), "[]"
    return column.key, value(field), "null"


def copied_csv(export, queryset, origin):
    """Yield each record's CSV line, ending ``\\n``, as COPY writes it."""
    cells = [csv_cell(column.field) for column in export.columns]
    url = TextCell(page_url(export.model, origin))
    return copied(queryset.values_list(*cells, url), CSV_OPTIONS)


def copied_json(export, queryset, origin):
    """Yield each record's JSON object, ending ``\\n``, as COPY writes it."""
    members = [json_member(column) for column in export.columns]
    members.append(("url", page_url(export.model, origin), "null"))
    return copied(queryset.values_list(JSONLine(members)), JSON_OPTIONS)


def copied(rows, options):
    """Yield the lines ``COPY (rows) TO STDOUT (options)`` writes, as they come.

    A server sends each row of a COPY as a message of its own (the protocol
    says so), and psycopg hands over one message at a time: a line each.

    The COPY goes straight to psycopg, past Django's ``execute()``: it is
    logged where queries are (a test counting them counts it) once it ends,
    and the client-side deadline of ``talentzone.postgresql`` does not
    watch it, as it does not watch a server-side cursor's fetches.
    """
    connection = connections[rows.db]
    try:
        sql, params = rows.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:
        return  # a filter that nothing can match: no query
    statement = f"COPY ({sql}) TO STDOUT ({options})"
    # A transaction for the settings below; within one already open (a
    # test's), no savepoint: an error rolls the outer one back anyway.
    atomic = transaction.atomic(using=rows.db, savepoint=False)
    with atomic, connection.cursor() as cursor:
        # For this transaction only. JIT compiling the query's expressions
        # takes about half a second, more than it saves on these rows.
        timeout = max(settings.DB_STATEMENT_TIMEOUT_MS, COPY_TIMEOUT_MS)
        if not settings.DB_STATEMENT_TIMEOUT_MS:
            timeout = 0  # none, as configured
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true),"
            " set_config('jit', 'off', true)",
            [str(timeout)],
        )
        logged = (
            cursor.debug_sql(statement, params)
            if isinstance(cursor, CursorDebugWrapper)
            else nullcontext()
        )
        with logged, cursor.cursor.copy(statement, params) as copy:
            yield from copy
