"""Stop quoting a draft's reason in the history of the reading it replaced as the working one.

When a reading became the working one, the reading it replaced was saved
with "No longer the working reading: <the reason given>". That history
reason is public (the changes page and feed) whenever the replaced reading
is, so a draft's reason showed there. The services now quote it only when
the new working reading is public; this rewrites the reasons written before
where the new working reading, as its own history row of that change shows,
was not published (or cannot be found), to "No longer the working reading.".
Going back leaves the reasons as they are: the quotes are not kept anywhere.
"""

from django.db import migrations

PREFIX = "No longer the working reading: "
UNQUOTED = "No longer the working reading."


def unquote_draft_reasons(apps, schema_editor):
    history = apps.get_model("tracker", "HistoricalReading")
    replaced = history.objects.filter(history_change_reason__startswith=PREFIX).values(
        "history_id", "id", "commitment_id", "history_date", "history_change_reason"
    )
    for row in list(replaced):
        quoted = row["history_change_reason"][len(PREFIX) :]
        chosen = (
            history.objects.filter(
                commitment_id=row["commitment_id"],
                is_working=True,
                history_change_reason=quoted,
                history_date__gte=row["history_date"],
            )
            .exclude(id=row["id"])
            .order_by("history_date", "history_id")
            .values_list("is_published", flat=True)
            .first()
        )
        if not chosen:
            history.objects.filter(history_id=row["history_id"]).update(
                history_change_reason=UNQUOTED
            )


class Migration(migrations.Migration):
    dependencies = [("tracker", "0021_summary_cells_name_the_accused")]

    operations = [migrations.RunPython(unquote_draft_reasons, migrations.RunPython.noop)]
