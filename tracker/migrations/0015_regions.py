"""Regions become ISO 3166-2 codes (``tracker.regions``); commitments get a list of them.

A claim's region was free text in three languages ("Kursk region",
"Курська область"). Each is matched to a code where one of its texts names
one region (``regions.match``, by a code or by a name in any of the three
languages); a text that names no region, or several ("Donetsk and Sumy
regions", "15 regions"), is kept by adding it to the claim's location in the
same language, so nothing is lost. The history rows are mapped by the same
rule, so every version of a claim reads the same way. The location grows
by the longest region text and its separator so that nothing is cut.

The search index over claims is dropped first (on SQLite, triggers name the
columns that go) and built again at the end from the new description.
Going back turns each code into its names again; texts that were moved to
the location stay there.
"""

import tracker.regions
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q


LANGUAGES = ("en", "uk", "ru")


def _joined(location, region):
    location, region = (location or "").strip(), (region or "").strip()
    if not region:
        return location
    return f"{location}; {region}" if location else region


def regions_to_codes(apps, schema_editor):
    from tracker import regions

    region_columns = ["region", *(f"region_{l}" for l in LANGUAGES)]
    location_columns = ["location", *(f"location_{l}" for l in LANGUAGES)]
    for name in ("ComplianceEvent", "HistoricalComplianceEvent"):
        model = apps.get_model("tracker", name)
        named = Q()
        for column in region_columns:
            named |= Q(**{f"{column}__gt": ""})
        rows = model.objects.filter(named).values("pk", *region_columns, *location_columns)
        for row in list(rows):
            code = regions.match_any(
                [row["region_en"], row["region"], row["region_uk"], row["region_ru"]]
            )
            changes = {"region": code or ""}
            if code is None:
                english = row["region_en"] or row["region"]
                changes["location"] = _joined(row["location_en"] or row["location"], english)
                changes["location_en"] = _joined(row["location_en"], english) or None
                for language in ("uk", "ru"):
                    if row[f"region_{language}"]:
                        changes[f"location_{language}"] = _joined(
                            row[f"location_{language}"], row[f"region_{language}"]
                        )
            model.objects.filter(pk=row["pk"]).update(**changes)


def codes_to_names(apps, schema_editor):
    from tracker import regions

    for name in ("ComplianceEvent", "HistoricalComplianceEvent"):
        model = apps.get_model("tracker", name)
        for pk, code in model.objects.exclude(region="").values_list("pk", "region"):
            region = regions.get(code)
            if region is None:
                continue
            model.objects.filter(pk=pk).update(
                region=region.name("en"),
                **{f"region_{l}": region.name(l) for l in LANGUAGES},
            )


def drop_search_indexes(apps, schema_editor):
    from tracker.search import index

    index.drop_all(schema_editor.connection.alias)


def build_search_indexes(apps, schema_editor):
    from tracker.search import index

    index.ensure(schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0014_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_search_indexes, build_search_indexes),
        migrations.AlterField(
            model_name='complianceevent',
            name='location',
            field=models.CharField(blank=True, max_length=330),
        ),
        migrations.AlterField(
            model_name='complianceevent',
            name='location_en',
            field=models.CharField(blank=True, max_length=330, null=True),
        ),
        migrations.AlterField(
            model_name='complianceevent',
            name='location_ru',
            field=models.CharField(blank=True, max_length=330, null=True),
        ),
        migrations.AlterField(
            model_name='complianceevent',
            name='location_uk',
            field=models.CharField(blank=True, max_length=330, null=True),
        ),
        migrations.AlterField(
            model_name='historicalcomplianceevent',
            name='location',
            field=models.CharField(blank=True, max_length=330),
        ),
        migrations.AlterField(
            model_name='historicalcomplianceevent',
            name='location_en',
            field=models.CharField(blank=True, max_length=330, null=True, verbose_name='location [en]'),
        ),
        migrations.AlterField(
            model_name='historicalcomplianceevent',
            name='location_ru',
            field=models.CharField(blank=True, max_length=330, null=True, verbose_name='location [ru]'),
        ),
        migrations.AlterField(
            model_name='historicalcomplianceevent',
            name='location_uk',
            field=models.CharField(blank=True, max_length=330, null=True, verbose_name='location [uk]'),
        ),
        migrations.RunPython(regions_to_codes, codes_to_names),
        migrations.RemoveField(
            model_name='complianceevent',
            name='region_en',
        ),
        migrations.RemoveField(
            model_name='complianceevent',
            name='region_ru',
        ),
        migrations.RemoveField(
            model_name='complianceevent',
            name='region_uk',
        ),
        migrations.RemoveField(
            model_name='historicalcomplianceevent',
            name='region_en',
        ),
        migrations.RemoveField(
            model_name='historicalcomplianceevent',
            name='region_ru',
        ),
        migrations.RemoveField(
            model_name='historicalcomplianceevent',
            name='region_uk',
        ),
        migrations.AlterField(
            model_name='complianceevent',
            name='region',
            field=models.CharField(blank=True, help_text='The region, as an ISO 3166-2 code (UA-59 Sumy, RU-KRS Kursk).', max_length=10, validators=[tracker.regions.validate_region_code]),
        ),
        migrations.AlterField(
            model_name='historicalcomplianceevent',
            name='region',
            field=models.CharField(blank=True, help_text='The region, as an ISO 3166-2 code (UA-59 Sumy, RU-KRS Kursk).', max_length=10, validators=[tracker.regions.validate_region_code]),
        ),
        migrations.AddField(
            model_name='commitment',
            name='regions',
            field=models.JSONField(blank=True, default=list, help_text='The regions the commitment covers, as ISO 3166-2 codes (UA-59, RU-KRS).', validators=[tracker.regions.validate_region_codes]),
        ),
        migrations.AddField(
            model_name='historicalcommitment',
            name='regions',
            field=models.JSONField(blank=True, default=list, help_text='The regions the commitment covers, as ISO 3166-2 codes (UA-59, RU-KRS).', validators=[tracker.regions.validate_region_codes]),
        ),
        migrations.AddIndex(
            model_name='complianceevent',
            index=models.Index(fields=['region', '-occurred_at', '-id'], name='event_region_idx'),
        ),
        migrations.RunPython(build_search_indexes, drop_search_indexes),
    ]
