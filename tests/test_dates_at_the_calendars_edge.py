"""No page fails on a date at the edge of the calendar already stored, in any reader's zone.

The doors now refuse a claim dated before 1900 or in the future
(``test_implausible_dates``), but a typing slip stored before ("0001-03-20" for
2025) must still be shown rather than fail the pages that show it, and a claim
about a period from the year 1 to today must not make its commitment's summary grow
with every day of it.
"""

import datetime as dt

import pytest
import time_machine

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
)
from tracker.clock import calendar_day, utc_to_local
from tracker.models import ComplianceSummary
from tracker.site.strips import Severity
from tracker.site.timelines import TIMELINE_WIDTH, ReadingSpan, timeline

UTC = dt.UTC
RECORDED = dt.datetime(2025, 3, 19, 12, tzinfo=UTC)
READ = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)
FIRST_INSTANT = dt.datetime(1, 1, 1, tzinfo=UTC)
LAST_INSTANT = dt.datetime(9999, 12, 31, 23, 59, tzinfo=UTC)

ZONES = ["UTC", "Europe/Kyiv", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
PAGES = [
    "/commitments/energy-pause/",
    "/commitments/energy-pause/?as_of=2025-03-20",
    "/commitments/energy-pause/feed/",
    "/commitments/energy-pause/card.png",
    "/commitments/energy-pause/calendar.ics",
    "/embed/commitments/energy-pause/",
    "/",
    "/as-of/2025-03-20/",
    "/search/?q=typo",
    "/parties/kremlin/",
    "/regions/",
    "/regions/UA-59/",
    "/changes/",
    "/changes/feed/",
    "/data/events.csv",
    "/api/events/",
]


@pytest.fixture
def typos(db):
    """Claims dated at both ends of the calendar, at midnight and to the minute, and a period."""
    with time_machine.travel(RECORDED, tick=False):
        pause = CommitmentFactory(slug="energy-pause")
        ReadingFactory(commitment=pause)
        kremlin = PartyFactory(slug="kremlin", name="Kremlin")
        for at, precision in [
            (FIRST_INSTANT, "day"),
            (FIRST_INSTANT, "minute"),
            (LAST_INSTANT, "day"),
            (LAST_INSTANT, "minute"),
        ]:
            ComplianceEventFactory(
                commitment=pause,
                claimant=kremlin,
                occurred_at=at,
                precision=precision,
                region="UA-59",
                summary=f"A typo dated {at:%Y}",
            )
        ComplianceEventFactory(
            commitment=pause,
            claimant=kremlin,
            occurred_at=FIRST_INSTANT,
            occurred_until=dt.datetime(2025, 3, 19, tzinfo=UTC),
            summary="A typo about a period",
        )
    with time_machine.travel(READ, tick=False):
        yield pause


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("address", PAGES)
def test_every_page_shows_claims_dated_at_the_calendars_edge(client, typos, address, zone):
    separator = "&" if "?" in address else "?"
    query = "" if address.startswith(("/api/", "/data/")) else f"{separator}tz={zone}"

    response = client.get(address + query)

    assert response.status_code == 200


@pytest.mark.parametrize("language", ["en", "uk", "ru"])
def test_the_commitment_page_says_the_stored_year_as_it_is(client, typos, language):
    page = client.get(
        "/commitments/energy-pause/?tz=America/New_York", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert "0001" in page
    assert "9999" in page


def test_a_period_from_the_year_1_keeps_the_summary_small(typos):
    summary = ComplianceSummary.objects.get(commitment=typos)

    assert len(summary.worst_days) == 3  # the two single days and the period, not 739,000 days


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("instant", [FIRST_INSTANT, LAST_INSTANT])
def test_an_instant_at_the_calendars_edge_is_shown_at_the_edge_of_every_zones_calendar(
    zone, instant
):
    local = utc_to_local(instant, zone)

    assert local.year == instant.year
    assert calendar_day(instant, "day").year == instant.year


def test_a_timeline_from_the_year_1_to_the_year_9999_draws_inside_its_width():
    drawing = timeline(
        [ReadingSpan("Working", RECORDED, READ, is_working=True)],
        [(FIRST_INSTANT, Severity.ALLEGED, "typo"), (LAST_INSTANT, Severity.ALLEGED, "typo")],
        READ,
        "Pacific/Kiritimati",
    )

    assert [tick.x for tick in drawing.ticks] == [0.0, TIMELINE_WIDTH]
    assert drawing.marks
    assert all(0 <= mark.x <= TIMELINE_WIDTH for mark in drawing.marks)
    assert drawing.marks[0].label == "0002"  # years, each said by its year
