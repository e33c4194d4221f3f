"""One spelling per kind: OverseasEntrepreneur is Entrepreneur, Expert.fields
is Expert.research_fields.

Renames, not drop-and-create: the rows, their history and their many-to-many
links stay. The content type is renamed by Django's contenttypes app as the
model is; the permissions that the staff roles hold are renamed here, so that
a role keeps what it had.
"""

import django.db.models.deletion
from django.db import migrations, models

RENAMED_MODELS = {"overseasentrepreneur": "entrepreneur"}
RENAMED_PERMISSIONS = {
    **RENAMED_MODELS,
    "historicaloverseasentrepreneur": "historicalentrepreneur",
}


def rename_permissions(apps, schema_editor, renames=RENAMED_PERMISSIONS):
    Permission = apps.get_model("auth", "Permission")
    for old, new in renames.items():
        for permission in Permission.objects.filter(
            content_type__app_label="programs", codename__endswith=f"_{old}"
        ):
            action = permission.codename.removesuffix(f"_{old}")
            permission.codename = f"{action}_{new}"
            permission.name = permission.name.replace(
                "overseas entrepreneur", "entrepreneur"
            )
            permission.save(update_fields=["codename", "name"])


def restore_permissions(apps, schema_editor):
    rename_permissions(
        apps,
        schema_editor,
        {new: old for old, new in RENAMED_PERMISSIONS.items()},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0006_district_count_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameModel("OverseasEntrepreneur", "Entrepreneur"),
        migrations.RenameModel(
            "HistoricalOverseasEntrepreneur", "HistoricalEntrepreneur"
        ),
        migrations.RenameModel(
            "HistoricalOverseasEntrepreneur_sources", "HistoricalEntrepreneur_sources"
        ),
        migrations.RenameField(
            "historicalentrepreneur_sources", "overseasentrepreneur", "entrepreneur"
        ),
        migrations.RenameField("expert", "fields", "research_fields"),
        migrations.RenameModel(
            "HistoricalExpert_fields", "HistoricalExpert_research_fields"
        ),
        # The related names and history labels that follow the new spelling.
        migrations.AlterModelOptions(
            name="historicalentrepreneur_sources",
            options={"verbose_name": "HistoricalEntrepreneur_sources"},
        ),
        migrations.AlterModelOptions(
            name="historicalexpert_research_fields",
            options={"verbose_name": "HistoricalExpert_research_fields"},
        ),
        migrations.AlterField(
            model_name="entrepreneur",
            name="district",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entrepreneurs",
                to="programs.district",
                verbose_name="district",
            ),
        ),
        migrations.AlterField(
            model_name="entrepreneur",
            name="field",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entrepreneurs",
                to="programs.researchfield",
                verbose_name="field",
            ),
        ),
        migrations.AlterField(
            model_name="entrepreneur",
            name="host_organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entrepreneurs",
                to="programs.organization",
                verbose_name="signed with",
            ),
        ),
        migrations.AlterField(
            model_name="entrepreneur",
            name="project",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entrepreneurs",
                to="programs.project",
                verbose_name="project",
            ),
        ),
        migrations.AlterField(
            model_name="entrepreneur",
            name="sources",
            field=models.ManyToManyField(
                blank=True,
                related_name="entrepreneurs",
                to="programs.source",
                verbose_name="sources",
            ),
        ),
        migrations.RunPython(rename_permissions, restore_permissions),
    ]
