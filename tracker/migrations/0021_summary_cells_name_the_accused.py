"""Count each commitment's claims by the party accused as well as by the claimant.

A summary's cells now end with the accused party's id, so every page can say
who claims and against whom; this builds every summary again in that shape.
Going back leaves the fifth value in place, which the older code ignores.
"""

from django.db import migrations


def count_by_accused_too(apps, schema_editor):
    """Build every commitment's summary as this version of the tracker keeps them."""
    from tracker import summaries

    Commitment = apps.get_model("tracker", "Commitment")
    ComplianceEvent = apps.get_model("tracker", "ComplianceEvent")
    ComplianceSummary = apps.get_model("tracker", "ComplianceSummary")
    ids = list(Commitment.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        built = summaries.build(
            ids[start : start + 500], events=ComplianceEvent, summary=ComplianceSummary
        )
        summaries.store(built, model=ComplianceSummary)


class Migration(migrations.Migration):

    dependencies = [
        ("tracker", "0020_staff_see_revisions"),
    ]

    operations = [
        migrations.RunPython(count_by_accused_too, migrations.RunPython.noop),
    ]
