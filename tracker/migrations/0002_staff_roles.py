"""Create the two staff roles (see tracker.roles)."""

from django.db import migrations

from tracker.roles import ROLES, ensure_staff_roles


def create_roles(apps, schema_editor):
    ensure_staff_roles(apps, with_login_unlocking=False)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
