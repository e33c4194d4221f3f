"""
Queries compiled to SQL once per process, then run with a new key each time.

A record's page asks the same few questions of every record of its kind: the
record by its slug, then its sources, fields and so on by its key. Django
compiles a queryset to SQL each time it runs it, and for these small queries
compiling cost more than running: 0.5 to 0.9 ms each, against 0.3 ms for the
round trip, in a demo expert's page of 9 ms (PostgreSQL, 100,000 records).

A ``CompiledQuery`` compiles its queryset once per process and database, for
a placeholder key, and runs that SQL with the real key in the placeholder's
place. Its rows become model instances as Django's own ``ModelIterable``
makes them: the database's converters, ``Model.from_db``, then the
``select_related`` records. ``RelatedRead`` does the same for one
``Prefetch`` of a single record, and ``read_with_related`` reads a record and
several of them in one round trip.

Lists ask the same questions too. ``CompiledRows`` reads a page of a list
with no filter set (its bounds written as Django writes a slice's), and
``RowsForKeys`` what a page reads of each of its records (a list of keys in
the placeholders' places), both as rows: ``values()`` dicts or
``values_list()`` tuples, converted as the ORM converts them.

The compiled SQL must depend on nothing but the key, the keys or the bounds:
not on the request, the language or the time. The queries here filter on
stored values only; a list's order, which the language decides, is compiled
once for each.
"""

from contextlib import nullcontext

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Subquery
from django.db.models.query import (
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)

# Keys that find where in the compiled parameters the key goes, compared by
# value: a field's lookup may copy them (str(), int()). The number is within
# every integer column's range, as Django compiles a key out of its column's
# range to a query with no SQL at all.
PLACEHOLDERS = {int: 2_147_483_000, str: "\x1fcompiled-query-key\x1f"}


class CompiledQuery:
    """The rows of ``build(key)``, a queryset of model instances, for any key.

    ``key_type`` is the key's Python type (``int`` for a primary key, ``str``
    for a slug); ``build`` must use the key in exactly one place.
    """

    def __init__(self, build, key_type):
        self.build = build
        self.placeholder = PLACEHOLDERS[key_type]
        self._compiled = {}  # database alias -> _Compiled

    def __call__(self, key, using=DEFAULT_DB_ALIAS):
        """Return the list of records the query finds for ``key``."""
        return read_together([(self, key)], using)[0]

    def compiled(self, using):
        """Return the query compiled for database ``using``, compiling it once."""
        compiled = self._compiled.get(using)
        if compiled is None:
            # Two threads may both compile on their first request: the same
            # SQL, so whichever is kept is right.
            compiled = self._compiled[using] = _Compiled(
                self.build(self.placeholder), self.placeholder, using
            )
        return compiled


def read_together(queries, using=DEFAULT_DB_ALIAS):
    """Return the records each ``(CompiledQuery, key)`` of ``queries`` finds.

    On PostgreSQL several are sent together and answered in one round trip
    (talentzone.postgresql's ``pipeline``): a record's four relations took
    1.0 ms one by one and 0.5 ms together, on loopback.
    """
    connection = connections[using]
    compiled = [(query.compiled(using), key) for query, key in queries]
    together = getattr(connection, "pipeline", None)
    cursors = [connection.cursor() for _ in compiled]
    try:
        with together() if together and len(compiled) > 1 else nullcontext():
            for cursor, (query, key) in zip(cursors, compiled, strict=True):
                cursor.execute(query.sql, query.params_for(key))
        return [
            query.records(cursor.fetchall(), connection)
            for cursor, (query, _key) in zip(cursors, compiled, strict=True)
        ]
    finally:
        for cursor in cursors:
            cursor.close()


class _Compiled:
    """One query's SQL for one database, and how to make records of its rows."""

    def __init__(self, queryset, placeholder, using):
        compiler = queryset.query.get_compiler(using=using)
        # as_sql() also fills select, klass_info and annotation_col_map.
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        positions = [
            position
            for position, value in enumerate(self.params)
            if value == placeholder
        ]
        if len(positions) != 1:
            raise ValueError(
                f"The key must stand once in the query's parameters, not "
                f"{len(positions)} times: {self.sql}"
            )
        self.key_position = positions[0]
        # Its records only, and their select_related ones: the records a
        # related manager would point back at are RelatedRead's to set.
        if queryset._prefetch_related_lookups:
            raise ValueError(
                "A compiled query does not prefetch: read each relation with "
                "its own RelatedRead."
            )
        select, klass_info = compiler.select, compiler.klass_info
        self.using = using
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.attnames = [
            column[0].target.attname for column in select[self.start : self.end]
        ]
        self.related_populators = get_related_populators(klass_info, select, using)
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = list(
            compiler.get_converters(
                [column[0] for column in select[: compiler.col_count]]
            ).items()
        )

    def params_for(self, key):
        params = self.params.copy()
        params[self.key_position] = key
        return params

    def records(self, rows, connection):
        return [self.record(row, connection) for row in rows]

    def record(self, row, connection):
        if self.converters:
            row = list(row)
            for position, (converters, expression) in self.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
        record = self.model.from_db(
            self.using, self.attnames, row[self.start : self.end]
        )
        for populator in self.related_populators:
            populator.populate(row, record)
        for name, position in self.annotations:
            setattr(record, name, row[position])
        return record


class RelatedRead:
    """One ``Prefetch`` of the records of ``records``, a queryset, compiled,
    for one record at a time, found by ``field`` (a unique text field: its
    slug): read with ``read_with_related``.

    The related records are found by a subquery for the record's key, not by
    the key itself, so that they can be asked for together with the record:
    one round trip rather than two.
    """

    def __init__(self, records, field, prefetch):
        if "__" in prefetch.prefetch_through or prefetch.queryset is None:
            raise ValueError(
                f"Only one level with a queryset: {prefetch.prefetch_through}"
            )
        model = records.model
        self.name = prefetch.prefetch_to
        self.queryset = prefetch.queryset
        relation = model._meta.get_field(prefetch.prefetch_through)
        # A reverse foreign key's rows point back at the record: set, as
        # prefetch_related sets it, so that reading it costs no query.
        reverse_foreign_key = relation.auto_created and relation.one_to_many
        self.back_to_record = relation.field.name if reverse_foreign_key else None

        def related_to(key):
            record = records.filter(**{field: key})
            if reverse_foreign_key:
                # Rows whose foreign key is the record's: the filter Django's
                # related manager applies, which takes a record, not a
                # subquery.
                target = relation.field.target_field.attname
                found = Subquery(record.values(target))
                return prefetch.queryset.filter(**{self.back_to_record: found})
            # An unsaved record whose key is that subquery: its related
            # manager applies the filter Django's prefetch applies to a
            # Prefetch's queryset, comparing with the subquery.
            found = Subquery(record.values("pk"))
            return getattr(model(pk=found), self.name)._apply_rel_filters(
                prefetch.queryset
            )

        self.query = CompiledQuery(related_to, key_type=str)

    def keep(self, record, related):
        """Leave ``related``, this read's records for ``record``, on ``record``."""
        if self.back_to_record:
            for row in related:
                setattr(row, self.back_to_record, record)
        # What prefetch_related keeps: the records as a done queryset, whose
        # filters are the manager's, as Django's own.
        done = getattr(record, self.name)._apply_rel_filters(self.queryset)
        done._result_cache = related
        done._prefetch_done = True
        record.__dict__.setdefault("_prefetched_objects_cache", {})[self.name] = done


def read_with_related(query, key, reads, using=DEFAULT_DB_ALIAS):
    """Return the records ``query``, a ``CompiledQuery``, finds for ``key``,
    the first with what each ``RelatedRead`` of ``reads`` finds for the same
    key left on it as ``prefetch_related`` would leave it: each related
    manager's ``.all()`` answers from them, with no query.

    All sent together: on PostgreSQL, one round trip.
    """
    found, *related = read_together(
        [(query, key), *((read.query, key) for read in reads)], using
    )
    if found:
        for read, records in zip(reads, related, strict=True):
            read.keep(found[0], records)
    return found


class CompiledRows:
    """The rows of ``build()``, a ``values()`` or ``values_list()`` queryset,
    compiled once per process and database, then read a slice at a time
    (``read(50, 75)``), as dicts or tuples.

    For the first pages of a list with no filter set: every visitor's page 2
    is the same query, and compiling it cost a list page about as much as
    running it.
    """

    def __init__(self, build):
        self.build = build
        self._compiled = {}  # database alias -> _CompiledRows

    def read(self, start, stop, using=DEFAULT_DB_ALIAS):
        """Return rows ``start`` to ``stop`` (excluded)."""
        if stop <= start:
            # As an empty slice of a queryset: no query (and no LIMIT 0,
            # which limit_offset_sql() would leave out).
            return []
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = _CompiledRows(self.build(), using)
        connection = connections[using]
        # As Django slices a queryset: the bounds written in the SQL.
        sql = f"{compiled.sql} {connection.ops.limit_offset_sql(start, stop)}"
        return compiled.run(sql, compiled.params)


class RowsForKeys:
    """The rows of ``build(keys)``, a ``values_list`` queryset that filters by
    a list of keys (``field__in=keys``), compiled once per process, database
    and number of keys, then read for any keys of that number.

    For what a page of records reads of each of them: the keys differ from
    page to page, the query does not. The number is rounded up to a power of
    two (the last key repeated, which an ``IN`` list ignores), so that a few
    compiled queries serve every page size.
    """

    def __init__(self, build):
        self.build = build
        self._compiled = {}  # (database alias, number of keys) -> _CompiledRows

    def read(self, keys, using=DEFAULT_DB_ALIAS):
        """Return the rows for ``keys`` as tuples."""
        keys = list(keys)
        if not keys:
            return []
        size = 1 << (len(keys) - 1).bit_length()
        compiled = self._compiled.get((using, size))
        if compiled is None:
            placeholders = [PLACEHOLDERS[int] + n for n in range(size)]
            compiled = _CompiledRows(self.build(placeholders), using)
            compiled.positions = [
                compiled.position_of(placeholder) for placeholder in placeholders
            ]
            self._compiled[(using, size)] = compiled
        params = list(compiled.params)
        padded = keys + keys[-1:] * (size - len(keys))
        for position, key in zip(compiled.positions, padded, strict=True):
            params[position] = key
        return compiled.run(compiled.sql, params)


class _CompiledRows:
    """A ``values()`` or ``values_list()`` queryset's SQL for one database, its
    converters and, for ``values()``, the names of its columns."""

    def __init__(self, queryset, using):
        query = queryset.query
        if queryset._iterable_class is ValuesIterable:
            # In the order Django selects them, as ValuesIterable names them.
            self.names = [
                *query.extra_select,
                *query.values_select,
                *query.annotation_select,
            ]
        elif queryset._iterable_class is ValuesListIterable and list(
            queryset._fields
        ) == [*query.extra_select, *query.values_select, *query.annotation_select]:
            # Fields, then any expressions: Django selects them in that order
            # whatever the order asked, and ValuesListIterable puts the
            # columns back in it; here they already are.
            self.names = None
        else:
            raise ValueError(
                "Compiled rows are a values(), or a values_list() of fields "
                "followed by any expressions."
            )
        if query.low_mark or query.high_mark is not None:
            raise ValueError("Compiled rows are sliced when read, not before.")
        compiler = query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()
        self.params = tuple(params)
        self.using = using
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        self.converters = list(compiler.get_converters(columns).items())

    def position_of(self, placeholder):
        positions = [n for n, value in enumerate(self.params) if value == placeholder]
        if len(positions) != 1:
            raise ValueError(
                f"Each key must stand once in the query's parameters: {self.sql}"
            )
        return positions[0]

    def run(self, sql, params):
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = [convert(row, self.converters, connection) for row in rows]
        if self.names is None:
            return rows
        return [dict(zip(self.names, row, strict=True)) for row in rows]


def convert(row, converters, connection):
    """Return ``row`` with each of ``converters`` applied, as Django's compiler does."""
    row = list(row)
    for position, (functions, expression) in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return tuple(row)
