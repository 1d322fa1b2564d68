"""Let reviewers unlock a login that django-axes locked (see tracker.roles)."""

from django.db import migrations

from tracker.roles import ensure_staff_roles


def grant(apps, schema_editor):
    ensure_staff_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0003_event_days_and_indexes"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
