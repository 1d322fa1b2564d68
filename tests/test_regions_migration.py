"""The migration that turns free-text regions into codes: matched where a text names one
region, kept in the location where none does, in the records and in their history."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tracker", "0014_search")]
AFTER = [("tracker", "0015_regions")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _event(apps, commitment, **texts):
    return apps.get_model("tracker", "ComplianceEvent").objects.create(
        commitment=commitment,
        kind="alleged_violation",
        occurred_at="2025-03-20T10:00Z",
        occurred_on="2025-03-20",
        summary="Drones",
        summary_en="Drones",
        **texts,
    )


@pytest.mark.django_db(transaction=True)
def test_free_text_regions_become_codes_and_unmatched_text_moves_to_the_location():
    old = _migrate(BEFORE)
    agreement = old.get_model("tracker", "Agreement").objects.create(
        title="Call", slug="call", held_on="2025-03-18"
    )
    commitment = old.get_model("tracker", "Commitment").objects.create(
        agreement=agreement, title="Pause", slug="pause", category="energy", shape="window"
    )
    kursk = _event(
        old,
        commitment,
        location="Sudzha",
        location_en="Sudzha",
        region="Kursk region",
        region_en="Kursk region",
        region_uk="Курська область",
        region_ru="Курская область",
    )
    sumy = _event(old, commitment, region="Sumska oblast", region_en="Sumska oblast")
    several = _event(
        old,
        commitment,
        location="Sloviansk",
        location_en="Sloviansk",
        location_uk="Слов'янськ",
        region="Donetsk and Sumy regions",
        region_en="Donetsk and Sumy regions",
        region_uk="Донецька і Сумська області",
    )
    old.get_model("tracker", "HistoricalComplianceEvent").objects.create(
        id=several.pk,
        commitment_id=commitment.pk,
        kind="alleged_violation",
        occurred_at="2025-03-20T10:00Z",
        occurred_on="2025-03-20",
        recorded_at="2025-03-20T12:00Z",
        updated_at="2025-03-20T12:00Z",
        summary="Drones",
        verification="unverified",
        is_published=False,
        location="",
        region="15 regions",
        region_en="15 regions",
        history_date="2025-03-20T12:00Z",
        history_type="+",
        history_change_reason="Recorded",
    )

    new = _migrate(AFTER)

    events = new.get_model("tracker", "ComplianceEvent").objects
    assert events.get(pk=kursk.pk).region == "RU-KRS"
    assert events.get(pk=kursk.pk).location == "Sudzha"
    assert events.get(pk=sumy.pk).region == "UA-59"
    moved = events.get(pk=several.pk)
    assert (moved.region, moved.location, moved.location_en, moved.location_uk) == (
        "",
        "Sloviansk; Donetsk and Sumy regions",
        "Sloviansk; Donetsk and Sumy regions",
        "Слов'янськ; Донецька і Сумська області",
    )
    history = new.get_model("tracker", "HistoricalComplianceEvent").objects.get()
    assert (history.region, history.location, history.history_change_reason) == (
        "",
        "15 regions",
        "Recorded",
    )
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
