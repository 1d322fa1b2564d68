"""Let both roles make API tokens for themselves, and reviewers revoke any (see tracker.roles)."""

from django.db import migrations

from tracker.roles import ensure_staff_roles


def grant(apps, schema_editor):
    ensure_staff_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0008_summary_worst_days"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
