"""Let both roles see the revisions waiting for review and the records sent back (tracker.roles)."""

from django.db import migrations

from tracker.roles import ensure_staff_roles


def grant(apps, schema_editor):
    ensure_staff_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0019_versions_and_revisions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
