"""Reviewers see and retry deliveries and see subscriptions, with addresses shortened.

Whole addresses take a permission of their own, which no role holds (tracker.roles).
"""

from django.db import migrations

from tracker.roles import ensure_staff_roles


def grant(apps, schema_editor):
    ensure_staff_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0007_standard_webhooks_secrets"),
        ("tracker", "0023_summaries_keep_periods_whole"),
        ("axes", "__latest__"),
        ("authtoken", "__latest__"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="subscription",
            options={
                "ordering": ["-created_at", "pk"],
                "permissions": [
                    ("view_subscriber_address", "Can see subscribers' whole addresses")
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
