"""Indexes each database needs in its own dialect.

Agreement and project lists are ordered by date, newest first, undated last
(``DESC NULLS LAST``). PostgreSQL can walk an index in that order only if the
index says NULLS LAST too; SQLite refuses NULLS LAST in an index but already
sorts NULLs last when descending. So the two list-order indexes are written
per database here rather than in ``Meta.indexes``.

Trigram (pg_trgm) GIN indexes for substring search, on PostgreSQL only.

Every list's `q` filter, and site-wide search, match with `icontains`, which
Django writes on PostgreSQL as ``UPPER(col::text) LIKE UPPER('%…%')``. A GIN
index over exactly that expression with ``gin_trgm_ops`` serves those
searches, in English and in Chinese, instead of a scan of every row. The
index must exist for *every* field a search ORs together, or the planner
falls back to a scan; tests/test_postgres.py keeps this list in step with the
FilterSets' ``search_fields``.

SQLite keeps a plain substring match: nothing runs there.
"""

from django.db import migrations

SEARCH_FIELDS = {
    "district": ("name_en", "name_zh", "slug", "city_en", "city_zh"),
    "organization": ("name_en", "name_zh", "slug"),
    "agreement": ("name_en", "name_zh", "slug"),
    "project": ("name_en", "name_zh", "slug"),
    "workstation": ("name_en", "name_zh", "slug"),
    "expert": ("name_en", "name_zh", "slug", "title_en", "title_zh"),
    "overseasentrepreneur": (
        "name_en",
        "name_zh",
        "slug",
        "venture_en",
        "venture_zh",
        "country_or_region_en",
        "country_or_region_zh",
    ),
    "source": ("title_en", "title_zh", "outlet", "slug"),
}


def index_name(model, field):
    return f"programs_{model}_{field}_trgm"


# model: the date its list is ordered by (then by name).
LIST_ORDERS = {"agreement": "signed_on", "project": "announced_on"}


def create_list_order_indexes(apps, schema_editor):
    nulls_last = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    for model, date in LIST_ORDERS.items():
        schema_editor.execute(
            f"CREATE INDEX {model}_list_order "
            f"ON programs_{model} ({date} DESC{nulls_last}, name_en)"
        )


def drop_list_order_indexes(apps, schema_editor):
    for model in LIST_ORDERS:
        schema_editor.execute(f"DROP INDEX {model}_list_order")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Left in place when migrating backwards: other schemas may use it.
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
    dependencies = [("programs", "0002_list_indexes_and_demo_flag")]

    operations = [
        migrations.RunPython(create_list_order_indexes, drop_list_order_indexes),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
