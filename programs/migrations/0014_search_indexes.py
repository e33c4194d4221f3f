"""Trigram indexes for the fields search reads beyond those of 0003.

Search matches every word of a query in any of a kind's search fields, which
now include the summaries, and site-wide search finds announced figures by
their labels (programs/site/search.py). Each word is an ``icontains``, written
on PostgreSQL as ``UPPER(col::text) LIKE UPPER('%…%')``; as in 0003, a GIN
index with ``gin_trgm_ops`` over exactly that expression serves it, and every
field a word is ORed over must have one, or the planner scans the table.
tests/test_postgres.py keeps 0003 and this list together in step with the
FilterSets' ``search_fields``.

Trigrams rather than full-text search: PostgreSQL's text search parsers do not
segment Chinese, and a visitor types part of a name (青浦, "qing"), not a
stem. A word of one or two characters has no trigram to look up; the
measurements in programs/site/search.py say what that costs.

SQLite keeps a plain substring match: nothing runs there.
"""

from django.db import migrations

SEARCH_FIELDS = {
    "district": ("summary_en", "summary_zh"),
    "organization": ("summary_en", "summary_zh"),
    "agreement": ("summary_en", "summary_zh"),
    "project": ("summary_en", "summary_zh"),
    "workstation": ("summary_en", "summary_zh"),
    "expert": ("summary_en", "summary_zh"),
    "entrepreneur": ("summary_en", "summary_zh"),
    "announcedfigure": ("label_en", "label_zh", "slug"),
}


def index_name(model, field):
    return f"programs_{model}_{field}_trgm"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # 0003 made it; repeated so that this migration stands on its own.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model, fields in SEARCH_FIELDS.items():
        for field in fields:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index_name(model, field)} "
                f"ON programs_{model} "
                f"USING gin ((UPPER({field}::text)) gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, fields in SEARCH_FIELDS.items():
        for field in fields:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index_name(model, field)}")


class Migration(migrations.Migration):
    dependencies = [("programs", "0013_name_sort_keys")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
