"""Status changes keep how exactly their time was given, and on which clock.

Each change gets a precision and a zone, and each commitment (and each of its
history rows) those of the change that gave it its status, so pages say "19
March 2025" for a change given as that day in Kyiv rather than "18 March
2025, 22:00 UTC". The changes already recorded are read for what caused them:

- one that took effect exactly at a start, end or due time of one of the
  commitment's readings (the clock's expiry at the working end, a delivery
  on its due day) is as precise as that reading, on its clock;
- one that took effect at midnight on the clock it was most likely typed on
  (the working reading's zone, which the staff form uses, or UTC without
  one; then the other readings' and the parties' zones) was given as a day,
  as staff forms read a midnight typed with no time of day;
- any other is precise to the minute, on the working reading's clock.

Going back drops the columns.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import tracker.models.validators
from django.db import migrations, models


def _is_midnight(instant, zone_name):
    try:
        local = instant.astimezone(ZoneInfo(zone_name))
    except (ValueError, OSError, KeyError):
        return False
    return local.time() == dt.time()


def _precision_and_zone(change, readings, party_zones):
    """The precision and zone a recorded change was most likely given in (see above)."""
    for reading in readings:
        if change.effective_at in (reading.starts_at, reading.ends_at, reading.due_at):
            return reading.precision, reading.time_zone
    working = next((r for r in readings if r.is_working), None)
    typed_in = working.time_zone if working else "UTC"
    candidates = [typed_in, *(r.time_zone for r in readings), *party_zones]
    for zone_name in dict.fromkeys(candidates):
        if _is_midnight(change.effective_at, zone_name):
            return "day", zone_name
    return "minute", typed_in


def fill_from_causes(apps, schema_editor):
    Commitment = apps.get_model("tracker", "Commitment")
    HistoricalCommitment = apps.get_model("tracker", "HistoricalCommitment")
    StatusChange = apps.get_model("tracker", "StatusChange")
    Reading = apps.get_model("tracker", "Reading")
    CommitmentParty = apps.get_model("tracker", "CommitmentParty")

    commitment_ids = set(StatusChange.objects.values_list("commitment_id", flat=True))
    for commitment_id in commitment_ids:
        readings = list(Reading.objects.filter(commitment_id=commitment_id).order_by("pk"))
        party_zones = list(
            CommitmentParty.objects.filter(commitment_id=commitment_id)
            .order_by("party__time_zone")
            .values_list("party__time_zone", flat=True)
        )
        given = {}
        for change in StatusChange.objects.filter(commitment_id=commitment_id).order_by(
            "recorded_at", "pk"
        ):
            precision, zone_name = _precision_and_zone(change, readings, party_zones)
            StatusChange.objects.filter(pk=change.pk).update(
                precision=precision, time_zone=zone_name
            )
            given[change.effective_at] = (precision, zone_name)
        # The commitment, and each version of it, as precise as the change that set its status.
        for model in (Commitment, HistoricalCommitment):
            rows = model.objects.filter(id=commitment_id).values_list("pk", "status_changed_at")
            for pk, changed_at in list(rows):
                if changed_at in given:
                    precision, zone_name = given[changed_at]
                    model.objects.filter(pk=pk).update(
                        status_changed_precision=precision, status_changed_zone=zone_name
                    )


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0015_regions'),
    ]

    operations = [
        migrations.AddField(
            model_name='commitment',
            name='status_changed_precision',
            field=models.CharField(choices=[('day', 'day'), ('hour', 'hour'), ('minute', 'minute')], default='minute', editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name='commitment',
            name='status_changed_zone',
            field=models.CharField(default='UTC', editable=False, max_length=64, validators=[tracker.models.validators.validate_time_zone]),
        ),
        migrations.AddField(
            model_name='historicalcommitment',
            name='status_changed_precision',
            field=models.CharField(choices=[('day', 'day'), ('hour', 'hour'), ('minute', 'minute')], default='minute', editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name='historicalcommitment',
            name='status_changed_zone',
            field=models.CharField(default='UTC', editable=False, max_length=64, validators=[tracker.models.validators.validate_time_zone]),
        ),
        migrations.AddField(
            model_name='statuschange',
            name='precision',
            field=models.CharField(choices=[('day', 'day'), ('hour', 'hour'), ('minute', 'minute')], default='minute', max_length=10),
        ),
        migrations.AddField(
            model_name='statuschange',
            name='time_zone',
            field=models.CharField(default='UTC', max_length=64, validators=[tracker.models.validators.validate_time_zone]),
        ),
        migrations.RunPython(fill_from_causes, migrations.RunPython.noop),
    ]
