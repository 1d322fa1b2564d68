"""Keep each timeline tick's summary in every language it has.

The summaries' days now hold {"en": …, "uk": …, "ru": …} where they held one
English text; this builds every summary again in that shape.
"""

from django.db import migrations


def summarise_in_every_language(apps, schema_editor):
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
        ("tracker", "0011_texts_in_three_languages"),
    ]

    operations = [
        migrations.RunPython(summarise_in_every_language, migrations.RunPython.noop),
    ]
