"""Indexes for counting a district's records and for its latest ones.

The home page and /stats/ count each district's public (and demo) records of
every kind. With an index on (district, publication_status, is_demo) each
count is an index-only scan instead of a visit to every row: at 100,000
people the home page's counting query went from about 330 ms to a few.

The latest-first lists of dated people and workstations (the home page's
timeline, a district's page) get order indexes written per database, as in
0003: PostgreSQL needs NULLS LAST in the index, SQLite refuses it.
"""

from django.db import migrations, models

COUNTED = (
    "organization",
    "agreement",
    "project",
    "workstation",
    "expert",
    "overseasentrepreneur",
)
# model: the date its latest-first lists are ordered by (then by name).
LATEST_ORDERS = {
    "workstation": "established_on",
    "expert": "appointed_on",
    "overseasentrepreneur": "signed_on",
}


def create_latest_order_indexes(apps, schema_editor):
    nulls_last = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    for model, date in LATEST_ORDERS.items():
        schema_editor.execute(
            f"CREATE INDEX {model}_latest_order "
            f"ON programs_{model} ({date} DESC{nulls_last}, name_en)"
        )


def drop_latest_order_indexes(apps, schema_editor):
    for model in LATEST_ORDERS:
        schema_editor.execute(f"DROP INDEX {model}_latest_order")


class Migration(migrations.Migration):
    dependencies = [("programs", "0005_staff_roles")]

    operations = [
        *(
            migrations.AddIndex(
                model_name=model,
                index=models.Index(
                    fields=["district", "publication_status", "is_demo"],
                    name=f"{model[:12]}_district_count",
                ),
            )
            for model in COUNTED
        ),
        migrations.RunPython(create_latest_order_indexes, drop_latest_order_indexes),
    ]
