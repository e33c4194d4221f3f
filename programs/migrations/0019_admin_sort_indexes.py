"""Indexes for the admin's sortable columns of the two lists of 100,000 rows.

Both lists open sorted by English name; a click on another column's header
sorts by that column, then by the name, then by primary key (the admin makes
the order total): ``ORDER BY name_zh, name_en, id DESC``. With no index on
the column, PostgreSQL joined and sorted every row to show 50: 0.6 s per
click at 100,000 experts. An index on the column serves it (the planner sorts
the few rows that share a value by the rest as it walks); a column of a few
values (a status) needs the name in the index too, or it sorts the half of
the table that shares the first value.

Columns of other tables (a district's or an organization's name) are sorted
through their own indexes; the smaller tables sort in memory. The date and
English name columns have indexes already (0002). The sort by district stays
a sort of every row: a LEFT JOIN (experts of no district come last) cannot be
walked in the district's order. Written in SQL, like 0003 and 0014, so that
the models' state is left as it is; SQLite accepts the same statements.
"""

from django.db import migrations

# table: (index name, columns)
SORT_INDEXES = {
    "expert": (
        ("expert_name_zh", "name_zh"),
        ("expert_title_en", "title_en"),
        ("expert_status_key", "status, name_en"),
        ("expert_publication_key", "publication_status, name_en"),
    ),
    "entrepreneur": (
        ("entrepreneur_name_zh", "name_zh"),
        ("entrepreneur_venture_en", "venture_en"),
        ("entrepreneur_status_key", "status, name_en"),
        ("entrepreneur_publication_key", "publication_status, name_en"),
    ),
}


def create_indexes(apps, schema_editor):
    for table, indexes in SORT_INDEXES.items():
        for name, columns in indexes:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON programs_{table} ({columns})"
            )


def drop_indexes(apps, schema_editor):
    for indexes in SORT_INDEXES.values():
        for name, _columns in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    # After the newest migration in the tree today, so that the graph has one
    # leaf; its number is the lead's to settle when the migrations are merged.
    dependencies = [("programs", "0018_content_summary")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
