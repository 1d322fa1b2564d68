"""A status change's reason in English, Ukrainian and Russian.

Adds a column per language beside the reason, and copies each reason into
its English column: staff write reasons in English. The Ukrainian and
Russian columns start empty, not yet translated. Going back drops them; the
plain column keeps the English reason.
"""

from django.db import migrations, models
from django.db.models import F


def copy_reasons_into_english(apps, schema_editor):
    apps.get_model("tracker", "StatusChange").objects.update(reason_en=F("reason"))


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0016_status_change_precision_and_zone'),
    ]

    operations = [
        migrations.AddField(
            model_name='statuschange',
            name='reason_en',
            field=models.TextField(null=True),
        ),
        migrations.AddField(
            model_name='statuschange',
            name='reason_ru',
            field=models.TextField(null=True),
        ),
        migrations.AddField(
            model_name='statuschange',
            name='reason_uk',
            field=models.TextField(null=True),
        ),
        migrations.RunPython(copy_reasons_into_english, migrations.RunPython.noop),
    ]
