"""The staff roles as groups, so that every fresh database has them.

Viewer sees every record and changes nothing. Editor and District editor
hold the same model permissions; what narrows a district editor to their
districts is checked on every request by programs.admin (see
programs.permissions), not by these permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RECORD_MODELS = (
    "source",
    "district",
    "researchfield",
    "organization",
    "agreement",
    "agreementparty",
    "project",
    "expert",
    "workstation",
    "overseasentrepreneur",
    "announcedfigure",
)
ROLES = {
    "Viewer": ("view",),
    "Editor": ("view", "add", "change", "delete"),
    "District editor": ("view", "add", "change", "delete"),
}


def create_roles(apps, schema_editor):
    # Permissions are otherwise made after all migrations; make them now.
    # The migration state's app config has no models module, which
    # create_permissions() takes as "nothing to do" unless told otherwise.
    app_config = apps.get_app_config("programs")
    app_config.models_module = getattr(app_config, "models_module", None) or True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, actions in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        codenames = [f"{a}_{model}" for a in actions for model in RECORD_MODELS]
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="programs", codename__in=codenames
            )
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0004_history_scopes_and_versions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
