"""Staff forms show and read times on the clock of the record's own zone, and keep what is left."""

import datetime as dt

import pytest
import time_machine

from tests.admin_support import page_values
from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker.models import ComplianceEvent, Source

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pause(db):
    pause = CommitmentFactory(slug="energy-pause", title="Energy pause")
    ReadingFactory(commitment=pause, is_working=True, time_zone="Europe/Kyiv")
    return pause


def change_url(claim):
    return f"/admin/tracker/complianceevent/{claim.pk}/change/"


def test_a_claims_times_are_shown_on_the_clock_of_its_region(client, editor, pause):
    claim = ComplianceEventFactory(
        commitment=pause, region="RU-KGD", occurred_at=dt.datetime(2025, 4, 6, 4, 30, tzinfo=UTC)
    )
    client.force_login(editor)

    page = client.get(change_url(claim))

    assert page.context["adminform"].form["occurred_at"].value() == dt.datetime(2025, 4, 6, 6, 30)
    assert "Europe/Kaliningrad</a>" in page.text
    assert "stored as 2025-04-06 04:30 UTC" in page.text


def test_without_a_region_the_working_readings_zone_is_used(client, editor, pause):
    client.force_login(editor)

    page = client.get(f"/admin/tracker/complianceevent/add/?commitment={pause.pk}")

    assert page.context["adminform"].form["time_zone"].value() == "Europe/Kyiv"
    assert "hours ahead of server time" not in page.text


def test_a_time_left_as_it_was_keeps_its_instant_to_the_second(client, reviewer, pause):
    recorded = dt.datetime(2025, 4, 6, 4, 30, 17, 250000, tzinfo=UTC)
    claim = ComplianceEventFactory(commitment=pause, recorded_at=recorded)
    client.force_login(reviewer)
    data = page_values(client.get(change_url(claim)))

    client.post(change_url(claim), data | {"count": "4", "reason": "Count corrected"})

    stored = ComplianceEvent.objects.get(pk=claim.pk)
    # To the second, as the history keeps instants; not moved to the minute it shows.
    assert (stored.count, stored.recorded_at) == (4, recorded.replace(microsecond=0))


def test_another_zone_moves_the_instant_the_time_is_read_as(client, reviewer, pause):
    claim = ComplianceEventFactory(
        commitment=pause, occurred_at=dt.datetime(2025, 4, 6, 4, 30, tzinfo=UTC)
    )
    client.force_login(reviewer)
    data = page_values(client.get(change_url(claim)))
    assert data["occurred_at_1"] == "07:30:00"  # Kyiv, summer time

    client.post(change_url(claim), data | {"time_zone": "Asia/Dubai", "reason": "Dubai time"})

    assert ComplianceEvent.objects.get(pk=claim.pk).occurred_at == dt.datetime(
        2025, 4, 6, 3, 30, tzinfo=UTC
    )


def test_show_in_utc_saves_nothing(client, editor, pause):
    claim = ComplianceEventFactory(commitment=pause)
    client.force_login(editor)
    data = page_values(client.get(change_url(claim)))

    page = client.post(
        change_url(claim),
        data | {"occurred_at_1": "09:15", "reason": "Later", "_show_in_utc": "1"},
    )

    assert page.status_code == 200
    assert "Not saved yet" in page.text
    assert "will be stored as" in page.text
    assert ComplianceEvent.objects.get(pk=claim.pk).occurred_at == claim.occurred_at


def test_a_sources_language_is_chosen_from_a_list(client, editor):
    source = SourceFactory(language="uk")
    client.force_login(editor)
    url = f"/admin/tracker/source/{source.pk}/change/"
    page = client.get(url)
    assert '<option value="uk" selected>Ukrainian (uk)</option>' in page.text

    data = page_values(page)
    refused = client.post(url, data | {"language": "Ukrainian", "reason": "Typed"})

    assert refused.status_code == 200
    assert "Select a valid choice" in refused.text
    assert Source.objects.get(pk=source.pk).language == "uk"
