"""Indexes in the page order of the two lists of 100,000 rows, key included.

A public list is ordered by name and then by key, so that records of the
same name keep their places from page to page (programs/sorting.py,
``totally_ordered``). A later page reads its keys first, walking that order
past the pages before it, then its rows by key (programs/site/records.py).
With the key in the index the walk reads the index alone, never the table:
page 4,000 of 100,000 experts took 62 ms, 16 with these (and 188 before its
keys were read first).

English pages are in the order of the English name, Chinese pages in the
order of the pinyin key and then the Chinese name (programs/sorting.py).
The English index replaces 0019's, and serves the admin's sort by
publication status as that one did. Written in SQL, like 0019, so that the
models' state is left as it is; SQLite accepts the same statements.
"""

from django.db import migrations

# table: (index name, columns)
PAGE_ORDER_INDEXES = {
    "expert": (
        ("expert_publication_key", "publication_status, name_en, id"),
        ("expert_publication_pinyin", "publication_status, name_pinyin, name_zh, id"),
    ),
    "entrepreneur": (
        ("entrepreneur_publication_key", "publication_status, name_en, id"),
        (
            "entrepreneur_publication_pinyin",
            "publication_status, name_pinyin, name_zh, id",
        ),
    ),
}
# What 0019 made of the English ones, restored when this is reversed.
BEFORE = "publication_status, name_en"


def create_indexes(apps, schema_editor):
    for table, indexes in PAGE_ORDER_INDEXES.items():
        for name, columns in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
            schema_editor.execute(f"CREATE INDEX {name} ON programs_{table} ({columns})")


def restore_0019(apps, schema_editor):
    for table, ((english, _columns), (pinyin, _pinyin_columns)) in (
        PAGE_ORDER_INDEXES.items()
    ):
        schema_editor.execute(f"DROP INDEX IF EXISTS {pinyin}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {english}")
        schema_editor.execute(f"CREATE INDEX {english} ON programs_{table} ({BEFORE})")


class Migration(migrations.Migration):
    dependencies = [("programs", "0019_admin_sort_indexes")]

    operations = [migrations.RunPython(create_indexes, restore_0019, elidable=False)]
