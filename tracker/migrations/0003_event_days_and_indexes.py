"""Store the calendar day each event is dated on, and index what the pages sort and count by.

Existing events (and their history rows) are dated here in batches, by the rule
``presenters.calendar_day`` had when this was written: a day-precision instant
is read twelve hours later, anything finer is dated in UTC. The rule is copied
rather than imported so the migration keeps meaning what it meant.
"""

import datetime as dt

from django.db import migrations, models

BATCH_SIZE = 2000
DAY_PRECISION_SHIFT = dt.timedelta(hours=12)


def calendar_day(instant, precision):
    if instant is None:
        return None
    if precision == "day":
        instant = instant + DAY_PRECISION_SHIFT
    return instant.astimezone(dt.UTC).date()


def date_rows(model, key):
    rows = model.objects.order_by(key).only(key, "occurred_at", "occurred_until", "precision")
    last = None
    while True:
        batch = rows.filter(**{f"{key}__gt": last}) if last is not None else rows
        batch = list(batch[:BATCH_SIZE])
        if not batch:
            return
        for row in batch:
            row.occurred_on = calendar_day(row.occurred_at, row.precision)
            row.occurred_until_on = calendar_day(row.occurred_until, row.precision)
        model.objects.bulk_update(batch, ["occurred_on", "occurred_until_on"])
        last = getattr(batch[-1], key)


def date_events(apps, schema_editor):
    date_rows(apps.get_model("tracker", "ComplianceEvent"), "id")
    date_rows(apps.get_model("tracker", "HistoricalComplianceEvent"), "history_id")


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_staff_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="complianceevent",
            name="occurred_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="complianceevent",
            name="occurred_until_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalcomplianceevent",
            name="occurred_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalcomplianceevent",
            name="occurred_until_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(date_events, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="complianceevent",
            name="occurred_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="The calendar day the event is dated on, kept so pages can count by day.",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcomplianceevent",
            name="occurred_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="The calendar day the event is dated on, kept so pages can count by day.",
            ),
        ),
        migrations.AddIndex(
            model_name="complianceevent",
            index=models.Index(
                fields=[
                    "commitment",
                    "is_published",
                    "kind",
                    "verification",
                    "occurred_on",
                    "occurred_until_on",
                ],
                name="event_days_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="complianceevent",
            index=models.Index(fields=["-occurred_at", "-id"], name="event_newest_idx"),
        ),
        migrations.AddIndex(
            model_name="complianceevent",
            index=models.Index(
                fields=["commitment", "-recorded_at", "-id"], name="event_commitment_feed_idx"
            ),
        ),
    ]
