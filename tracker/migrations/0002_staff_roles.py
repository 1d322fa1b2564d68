"""Create the two staff roles.

Editors record and edit; Reviewers additionally verify, publish and correct.
The services check these permissions, so the groups are the whole policy.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITED_MODELS = [
    "party",
    "source",
    "agreement",
    "commitment",
    "commitmentparty",
    "reading",
    "complianceevent",
    "deliveredquantity",
]
INLINE_ROWS = ["commitmentparty", "deliveredquantity"]

EDITOR_CODENAMES = (
    [f"{action}_{model}" for model in EDITED_MODELS for action in ("add", "change", "view")]
    + [f"view_historical{model}" for model in EDITED_MODELS]
    + [f"delete_{model}" for model in INLINE_ROWS]
    + ["view_statuschange", "change_commitment_status"]
)
REVIEWER_CODENAMES = EDITOR_CODENAMES + [
    "verify_complianceevent",
    "publish_records",
    "correct_commitment_status",
]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they
    # exist now so the groups can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [("Editors", EDITOR_CODENAMES), ("Reviewers", REVIEWER_CODENAMES)]:
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="tracker", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions missing for {name}: {sorted(missing)}")
        group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
