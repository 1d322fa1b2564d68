"""The iCalendar feeds of deadlines and window ends."""

import datetime as dt

import icalendar
import pytest
import time_machine

from tests.factories import CommitmentFactory, ReadingFactory
from tracker import services

UTC = dt.UTC


def events(response) -> dict[str, icalendar.Event]:
    """The calendar's events by summary, after checking it is a calendar at all."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def energy_pause(db):
    """The pause with both readings: Moscow's 30 days from 18 March, Kyiv's from 25 March."""
    with time_machine.travel(dt.datetime(2025, 3, 26, 10, tzinfo=UTC), tick=False):
        commitment = CommitmentFactory(slug="energy-pause", title="Energy pause")
        ReadingFactory(
            commitment=commitment,
            label="Kremlin's count",
            starts_at=dt.datetime(2025, 3, 17, 21, tzinfo=UTC),
            ends_at=dt.datetime(2025, 4, 16, 21, tzinfo=UTC),
            time_zone="Europe/Moscow",
        )
        ReadingFactory(
            commitment=commitment,
            label="Ukraine's count",
            is_working=False,
            starts_at=dt.datetime(2025, 3, 24, 22, tzinfo=UTC),
            ends_at=dt.datetime(2025, 4, 23, 21, tzinfo=UTC),
            time_zone="Europe/Kyiv",
        )
    return commitment


def test_the_working_end_is_the_deadline_and_other_readings_are_labelled_events(
    client, energy_pause
):
    found = events(client.get("/calendar.ics"))

    working = found["Ends: Energy pause"]
    other = found["Ends by Ukraine's count: Energy pause"]
    # Each reading gives a day: the day it names, whatever the calendar's zone.
    assert working["DTSTART"].dt == dt.date(2025, 4, 17)
    assert other["DTSTART"].dt == dt.date(2025, 4, 24)
    assert "17 April 2025" in working["DESCRIPTION"]  # the day the reading gives
    assert "24 April 2025" in other["DESCRIPTION"]
    assert "not the working reading" in other["DESCRIPTION"]
    assert "Status now: in force" in working["DESCRIPTION"]
    assert working["URL"] == "http://testserver/commitments/energy-pause/"


def test_every_event_has_a_stable_uid_and_a_timestamp(client, energy_pause):
    first = events(client.get("/calendar.ics"))
    second = events(client.get("/calendar.ics"))

    for summary, event in first.items():
        assert event["UID"] == second[summary]["UID"]
        assert event["DTSTAMP"].dt == dt.datetime(2025, 3, 26, 10, tzinfo=UTC)
    assert len({str(event["UID"]) for event in first.values()}) == len(first)


def test_an_extension_moves_the_same_event_instead_of_adding_one(client, energy_pause, reviewer):
    before = events(client.get("/calendar.ics"))["Ends: Energy pause"]
    with time_machine.travel(dt.datetime(2025, 4, 10, tzinfo=UTC), tick=False):
        services.extend_window(energy_pause, actor=reviewer, reason="Extended", extra_days=30)

    after = events(client.get("/calendar.ics"))["Ends: Energy pause"]

    assert after["UID"] == before["UID"]
    assert after["DTSTART"].dt == dt.date(2025, 5, 17)
    assert after["DTSTAMP"].dt == dt.datetime(2025, 4, 10, tzinfo=UTC)


def test_a_deliverable_due_date_is_an_event(client, db):
    exchange = CommitmentFactory(slug="exchange", title="Exchange 175 for 175", shape="deliverable")
    ReadingFactory(
        commitment=exchange,
        starts_at=None,
        ends_at=None,
        due_at=dt.datetime(2025, 3, 19, 12, tzinfo=UTC),
        precision="minute",
    )

    found = events(client.get("/commitments/exchange/calendar.ics"))

    assert found["Due: Exchange 175 for 175"]["DTSTART"].dt == dt.datetime(
        2025, 3, 19, 12, tzinfo=UTC
    )


def test_a_due_day_is_that_day_in_every_calendar_never_the_evening_before(client, db):
    # "On 19 March", by the Kremlin's readout: midnight in Moscow, 18 March 21:00 UTC.
    exchange = CommitmentFactory(slug="exchange", title="Exchange of 19 March", shape="deliverable")
    ReadingFactory(
        commitment=exchange,
        starts_at=None,
        ends_at=None,
        due_at=dt.datetime(2025, 3, 18, 21, tzinfo=UTC),
        precision="day",
        time_zone="Europe/Moscow",
    )

    response = client.get("/commitments/exchange/calendar.ics")
    event = events(response)["Due: Exchange of 19 March"]

    assert event["DTSTART"].dt == dt.date(2025, 3, 19)
    assert b"DTSTART;VALUE=DATE:20250319" in response.content
    assert "19 March 2025" in event["DESCRIPTION"]


def test_open_ended_windows_and_unpublished_readings_give_no_event(client, db):
    open_ended = CommitmentFactory(slug="talks", title="Talks")
    ReadingFactory(commitment=open_ended, ends_at=None, is_open_ended=True)
    ReadingFactory(commitment=open_ended, is_working=False, label="Draft", is_published=False)

    assert events(client.get("/commitments/talks/calendar.ics")) == {}


def test_a_commitment_calendar_holds_only_that_commitment(client, energy_pause):
    other = CommitmentFactory(slug="black-sea", title="Black Sea")
    ReadingFactory(commitment=other)

    found = events(client.get("/commitments/energy-pause/calendar.ics"))

    assert set(found) == {"Ends: Energy pause", "Ends by Ukraine's count: Energy pause"}


def test_unknown_or_unpublished_commitment_calendar_is_404(client, db):
    CommitmentFactory(slug="draft", is_published=False)

    assert client.get("/commitments/draft/calendar.ics").status_code == 404
    assert client.get("/commitments/nothing/calendar.ics").status_code == 404


def test_calendar_answers_conditional_gets_with_304(client, energy_pause):
    # The ETag names the current minute: both requests must fall in the same one.
    with time_machine.travel(dt.datetime(2025, 4, 10, 12, tzinfo=UTC), tick=False):
        first = client.get("/calendar.ics")

        again = client.get("/calendar.ics", HTTP_IF_NONE_MATCH=first["ETag"])

    assert "public" in first["Cache-Control"]
    assert again.status_code == 304


def test_a_calendar_with_no_deadline_still_holds_a_component_as_rfc_5545_requires(client, db):
    CommitmentFactory(slug="talks", title="Talks")

    for address in ("/commitments/talks/calendar.ics", "/calendar.ics"):
        response = client.get(address)
        calendar = icalendar.Calendar.from_ical(response.content)
        assert events(response) == {}
        assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
        assert calendar.subcomponents[0]["TZID"] == "UTC"
        assert calendar["DESCRIPTION"] == "No published deadline yet."
        body = response.content.decode()
        assert "BEGIN:STANDARD\r\n" in body and "TZOFFSETTO:+0000\r\n" in body


def test_a_calendar_with_deadlines_holds_only_its_events(client, energy_pause):
    calendar = icalendar.Calendar.from_ical(client.get("/calendar.ics").content)

    assert {c.name for c in calendar.subcomponents} == {"VEVENT"}
    assert "DESCRIPTION" not in calendar
