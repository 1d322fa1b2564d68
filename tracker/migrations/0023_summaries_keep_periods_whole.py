"""Keep a claim about a period as one entry of its commitment's summary, not one per day.

The summaries' worst days held every day a period covered, so one claim
dated from the year 1 to today made its summary 18 MB, read on every page
showing the commitment. A period is now kept whole ("2025-03-18/2025-04-16");
this builds again the summaries of the commitments that have such claims.
"""

from django.db import migrations
from django.db.models import F


def keep_periods_whole(apps, schema_editor):
    from tracker import summaries

    ComplianceEvent = apps.get_model("tracker", "ComplianceEvent")
    ComplianceSummary = apps.get_model("tracker", "ComplianceSummary")
    ids = sorted(
        set(
            ComplianceEvent.objects.filter(
                is_published=True, occurred_until_on__gt=F("occurred_on")
            ).values_list("commitment_id", flat=True)
        )
    )
    for start in range(0, len(ids), summaries.REFRESH_BATCH):
        built = summaries.build(
            ids[start : start + summaries.REFRESH_BATCH],
            events=ComplianceEvent,
            summary=ComplianceSummary,
        )
        summaries.store(built, model=ComplianceSummary)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0022_unquote_draft_reasons")]

    operations = [migrations.RunPython(keep_periods_whole, migrations.RunPython.noop)]
