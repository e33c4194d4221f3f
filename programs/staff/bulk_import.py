"""
An import's reads and writes in bulk: a few queries per file, not per row.

An import used to cost some thirty queries a row (each related record looked
up by slug, each record loaded, checked for uniqueness, saved, its links set
and its history written one by one), about 30 rows a second. Here the same
work is done a batch at a time. ``programs.staff.resources`` calls it:

- **Reading** (``FileLookups``, before the first row): every record the file
  names in a foreign-key or many-to-many column, every record its rows match
  by key, the slugs of the records those relate to (the preview shows them)
  and their links, each in a query per table and per ``CHUNK`` values. The
  rows are then read against these, in memory.
- **Writing** (``create_records``, ``update_records``, for each batch of
  valid rows): one ``INSERT``, or an ``UPDATE`` per ``CHUNK`` rows, the links
  added and removed in bulk, and a history version per record, attributed to
  the importer, with its links as saved (as an admin save records them:
  ``admin/history.py``), copied in the database.

Bulk writes send no ``pre_save``, ``post_save`` or ``m2m_changed`` signal, so
what the receivers of those signals do is done here instead, and
``tests/test_import_speed.py`` pins the list of receivers it stands in for:

- ``programs.staff.versions``: the edit version of a changed record is raised;
- ``programs.sorting``: the pinyin sort keys are filled;
- ``auto_now`` timestamps are stamped (``bulk_update`` leaves them alone);
- django-simple-history: the version, with its links (``_history_m2m_fields``);
- ``programs.site.cache``: the content version is bumped once per import, by
  the resource, when the import is over (``bump_content_version``).
"""

from collections import defaultdict

from django.conf import settings
from django.db import connections, router
from django.db.models import CheckConstraint, Q
from django.utils import timezone
from import_export.instance_loaders import ModelInstanceLoader
from simple_history.utils import get_history_manager_for_model

from ..models.base import Record
from ..sorting import fill_sort_keys, sort_key_fields
from ..spreadsheets import unguarded

# Values per IN list: well under SQLite's 999 bound parameters.
CHUNK = 500
# Rows per UPDATE: bulk_update writes a CASE of every row's value for each
# column, which each row then searches, so its cost grows with the square.
UPDATE_BATCH = 100


def chunks(items, size=CHUNK):
    """Yield ``items`` as lists of at most ``size``."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def slug_text(value):
    """Return a cell naming a related record as the slug it is compared to.

    ``filter(slug=5)`` reads a number from a spreadsheet as "5"; so does this.
    Blank is None.
    """
    value = value.strip() if isinstance(value, str) else value
    if value is None or value == "":
        return None
    return str(value)


def by_slug(model, slugs):
    """Return {slug: record} for the ``slugs`` on file, None for each missing."""
    found = dict.fromkeys(slugs)
    for chunk in chunks(sorted(found)):
        found.update(
            (record.slug, record) for record in model.objects.filter(slug__in=chunk)
        )
    return found


def links_of(field, owner_pks):
    """Return {owner pk: [(linked pk, linked slug)]} for many-to-many ``field``."""
    through = field.remote_field.through
    owner = field.m2m_field_name()
    target = field.m2m_reverse_field_name()
    links = defaultdict(list)
    for chunk in chunks(owner_pks):
        rows = through.objects.filter(**{f"{owner}__in": chunk}).values_list(
            f"{owner}_id", f"{target}_id", f"{target}__slug"
        )
        for owner_pk, target_pk, slug in rows:
            links[owner_pk].append((target_pk, slug))
    return links


class FileLookups:
    """What a file's rows name, read before its first row.

    - ``keys``: each row's key (``RecordResource.row_key``), None if it has
      none;
    - ``records``: {key: record} for the rows that match a record on file;
    - ``slugs``: {foreign key: {pk: slug}} of the records related to those,
      and of those the file names, for the preview's cells;
    - ``links``: {many-to-many field: {record pk: [(linked pk, slug)]}} of
      the records on file.

    The widgets of the file's slug columns are given the records they name
    (``known``).
    """

    def __init__(self, resource, rows):
        model = resource._meta.model
        columns = set(rows[0]) if rows else set()
        fields = resource.get_import_fields()
        for field in fields:
            if hasattr(field.widget, "known") and field.column_name in columns:
                field.widget.known = by_slug(
                    field.widget.model, field.widget.slugs_in(rows, field.column_name)
                )
        self.keys = [resource.row_key(row) for row in rows]
        self.records = self._records(resource)
        self.slugs = {
            field.attribute: self._slugs(model, field)
            for field in fields
            if field.attribute in resource.foreign_key_attributes()
        }
        pks = [record.pk for record in self.records.values()]
        self.links = {
            field.attribute: links_of(model._meta.get_field(field.attribute), pks)
            for field in fields
            if field.attribute in resource.many_to_many_attributes()
        }

    def _records(self, resource):
        # Without their related records: the library copies each row's record
        # to compare it (deepcopy), and related ones would be copied too.
        keys = {key for key in self.keys if key is not None}
        first = resource.key_fields()[0]
        records = {}
        for chunk in chunks({key[0] for key in keys}):
            for record in resource.get_queryset().filter(**{f"{first}__in": chunk}):
                records[resource.record_key(record)] = record
        return records

    def _slugs(self, model, field):
        attname = model._meta.get_field(field.attribute).attname
        slugs = {
            record.pk: slug
            for slug, record in (field.widget.known or {}).items()
            if record is not None
        }
        missing = {getattr(record, attname) for record in self.records.values()}
        missing -= {None, *slugs}
        for chunk in chunks(missing):
            related = field.widget.model.objects.filter(pk__in=chunk)
            slugs.update(related.values_list("pk", "slug"))
        return slugs


class FileInstanceLoader(ModelInstanceLoader):
    """Find each row's record among those the file's lookups read.

    Without them (an import whose ``before_import`` failed), as the library
    does: a query per row.
    """

    def get_instance(self, row):
        lookups = getattr(self.resource, "lookups", None)
        if lookups is None:
            return super().get_instance(row)
        return lookups.records.get(self.resource.row_key(row))


def rows_on_file(dataset):
    """Return ``dataset``'s rows as dicts, each cell as the import reads it.

    As ``RecordResource.before_import_row`` will: with the formula guard off.
    """
    return [
        {
            header: unguarded(value) if isinstance(value, str) else value
            for header, value in zip(dataset.headers, values, strict=True)
        }
        for values in dataset
    ]


def repeated_keys(keys):
    """Return {row number: first row number} for rows repeating a key.

    Rows are numbered from 1, as the library numbers them.
    """
    first, repeated = {}, {}
    for number, key in enumerate(keys, 1):
        if key is None:
            continue
        if key in first:
            repeated[number] = first[key]
        else:
            first[key] = number
    return repeated


def unique_besides(model, key):
    """Return True if ``model`` keeps fields unique other than the ``key``."""
    opts = model._meta
    sets = {(f.name,) for f in opts.concrete_fields if f.unique and not f.primary_key}
    sets |= {tuple(names) for names in opts.unique_together}
    sets |= {tuple(constraint.fields) for constraint in opts.total_unique_constraints}
    return any(set(names) != set(key) for names in sets)


def has_check_constraints(model):
    return any(isinstance(c, CheckConstraint) for c in model._meta.constraints)


def create_records(model, records, user):
    """Insert ``records``, their links (``_links_on_file``) and their history."""
    for record in records:
        fill_sort_keys(record)
    model._default_manager.bulk_create(records)
    if any(record.pk is None for record in records):
        raise RuntimeError("The database did not return the new records' keys.")
    write_links(model, records, {})
    write_history(model, records, user, update=False)


def update_records(model, records, fields, user, old_links):
    """Write ``fields`` of ``records``, their links and history, as saves would.

    ``old_links`` are their links before the import (``FileLookups.links``).
    """
    now = timezone.now()
    fields = set(fields)
    fields.update(key for key, _chinese, _english in sort_key_fields(model))
    stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", 0)]
    fields.update(field.name for field in stamped)
    for record in records:
        fill_sort_keys(record)
        for field in stamped:
            setattr(record, field.attname, now)
    if issubclass(model, Record):
        fields.add("version")
        for record in records:
            record.version += 1
    if fields:
        update_rows(model, records, sorted(fields))
    write_links(model, records, old_links)
    write_history(model, records, user, update=True, when=now)


def update_rows(model, records, fields):
    """Write ``fields`` of ``records``: ``bulk_update()``, faster on PostgreSQL.

    Django's ``bulk_update`` writes each column as a ``CASE`` with a branch
    per record, which takes it longer to build than to run, and PostgreSQL
    longer to run the larger the batch. On PostgreSQL the rows are joined to
    a ``VALUES`` list instead, a batch of ``CHUNK`` rows a statement, each
    value prepared as the ORM prepares it for a save.
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(records, fields, batch_size=UPDATE_BATCH)
        return
    opts = model._meta
    columns = [opts.pk, *(opts.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(field.column)} = CAST(v.c{number} AS {field.db_type(connection)})"
        for number, field in enumerate(columns)
        if number
    )
    names = ", ".join(f"c{number}" for number in range(len(columns)))
    pk_type = opts.pk.db_type(connection)
    for chunk in chunks(records):
        row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        sql = (
            f"UPDATE {quote(opts.db_table)} SET {assignments} "
            f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v({names}) "
            f"WHERE {quote(opts.db_table)}.{quote(opts.pk.column)} "
            f"= CAST(v.c0 AS {pk_type})"
        )
        params = [
            field.get_db_prep_save(getattr(record, field.attname), connection)
            for record in chunk
            for field in columns
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def write_links(model, records, old_links):
    """Make the links of ``records`` those on file, adding and removing rows."""
    names = {name for record in records for name in record._links_on_file}
    for name in sorted(names):
        field = model._meta.get_field(name)
        through = field.remote_field.through
        owner = f"{field.m2m_field_name()}_id"
        target = f"{field.m2m_reverse_field_name()}_id"
        had = old_links.get(name, {})
        added, removed = [], defaultdict(set)
        for record in records:
            if name not in record._links_on_file:
                continue
            wanted = {linked.pk for linked in record._links_on_file[name]}
            existing = {pk for pk, _slug in had.get(record.pk, ())}
            added += [
                through(**{owner: record.pk, target: pk})
                for pk in sorted(wanted - existing)
            ]
            if existing - wanted:
                removed[record.pk] = existing - wanted
        for chunk in chunks(sorted(removed)):
            condition = Q()
            for pk in chunk:
                condition |= Q(**{owner: pk, f"{target}__in": removed[pk]})
            through.objects.filter(condition).delete()
        through.objects.bulk_create(added)


def write_history(model, records, user, update, when=None):
    """Write a version of each of ``records``, with its links, as now stored.

    What django-simple-history's ``bulk_history_create`` and its
    ``m2m_changed`` handler write, copied in the database (``INSERT ...
    SELECT``) rather than read into Python and written back: the same rows,
    a version and its link snapshots, at a tenth of the cost. Attributed to
    ``user`` unless a record names its own ``_history_user``, as the library
    lets it.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = get_history_manager_for_model(model).model
    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name
    opts, history_opts = model._meta, history._meta
    copied = history.tracked_fields
    field = history_opts.get_field
    stamps = ["history_date", "history_change_reason", "history_type", "history_user"]
    insert = (
        f"INSERT INTO {quote(history_opts.db_table)} ("
        + ", ".join(quote(field(f.name).column) for f in copied)
        + ", "
        + ", ".join(quote(field(name).column) for name in stamps)
        + ") SELECT "
        + ", ".join(quote(f.column) for f in copied)
        + f", %s, NULL, %s, %s FROM {quote(opts.db_table)} "
        + f"WHERE {quote(opts.pk.column)} IN "
    )
    date = field("history_date").get_db_prep_save(when or timezone.now(), connection)
    by_user = defaultdict(list)
    for record in records:
        who = getattr(record, "_history_user", user)
        by_user[who.pk if who else None].append(record.pk)
    versions = []
    with connection.cursor() as cursor:
        for user_pk, pks in by_user.items():
            for chunk in chunks(pks):
                cursor.execute(
                    insert
                    + f"({', '.join(['%s'] * len(chunk))}) "
                    + f"RETURNING {quote(history_opts.pk.column)}",
                    [date, "~" if update else "+", user_pk, *chunk],
                )
                versions += [row[0] for row in cursor.fetchall()]
        for link_field in getattr(history, "_history_m2m_fields", ()):
            copy_links(cursor, history, link_field, versions)


def copy_links(cursor, history, field, versions):
    """Snapshot the links of many-to-many ``field`` into each of ``versions``."""
    quote = cursor.db.ops.quote_name
    snapshot = getattr(history, field.name).model._meta
    through = field.remote_field.through._meta
    owner = through.get_field(field.m2m_field_name()).column
    copied = through.fields
    history_column = snapshot.get_field("history").column
    pk_name = field.model._meta.pk.name
    insert = (
        f"INSERT INTO {quote(snapshot.db_table)} ("
        + ", ".join(quote(snapshot.get_field(f.name).column) for f in copied)
        + f", {quote(history_column)}) SELECT "
        + ", ".join(f"link.{quote(f.column)}" for f in copied)
        + f", version.{quote(history._meta.pk.column)} "
        + f"FROM {quote(through.db_table)} link "
        + f"JOIN {quote(history._meta.db_table)} version "
        + f"ON version.{quote(history._meta.get_field(pk_name).column)} "
        + f"= link.{quote(owner)} "
        + f"WHERE version.{quote(history._meta.pk.column)} IN "
    )
    for chunk in chunks(versions):
        cursor.execute(insert + f"({', '.join(['%s'] * len(chunk))})", chunk)
