"""Machine-readable times are valid HTML on every public page, whatever the stored instants.

``<time datetime>`` (and ``<ins>``/``<del>``) must hold one of the forms the HTML
standard lists: a date, a time with at most three digits of fractions of a
second, a local or global date and time, and so on. Instants are stored with
microseconds (a claim imported from a spreadsheet, every history row), and
Django's ``|date:'c'`` writes all six digits, which the standard refuses.
Every public page kind is rendered here from records with sub-second times,
and each ``datetime`` attribute is parsed by the standard's rules.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker import services
from tracker.models import StatusChange

UTC = dt.UTC
# Every instant below has fractions of a second, as stored instants often do.
AGREED = dt.datetime(2025, 3, 18, 10, 0, 7, 123456, tzinfo=UTC)
CLAIMED = dt.datetime(2025, 3, 20, 9, 15, 42, 654321, tzinfo=UTC)
NOW = dt.datetime(2025, 4, 10, 12, 0, 1, 999999, tzinfo=UTC)

# The forms HTML allows in a datetime attribute (HTML Living Standard, "The time element").
YEAR = r"\d{4,}"
MONTH = rf"{YEAR}-\d\d"
DATE = rf"{MONTH}-\d\d"
TIME = r"\d\d:\d\d(?::\d\d(?:\.\d{1,3})?)?"
OFFSET = r"(?:Z|[+-]\d\d:?\d\d)"
FORMS = {
    "month": rf"{MONTH}",
    "date": rf"{DATE}",
    "yearless date": r"(?:--)?\d\d-\d\d",
    "time": rf"{TIME}",
    "local date and time": rf"{DATE}[T ]{TIME}",
    "time-zone offset": OFFSET,
    "global date and time": rf"{DATE}[T ]{TIME}{OFFSET}",
    "week": rf"{YEAR}-W\d\d",
    "year": YEAR,
    "duration": r"P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,3})?S)?)?",
}


def is_valid_machine_time(value: str) -> bool:
    """Whether ``value`` is one of the forms above, with a month, day and time that exist."""
    if not any(re.fullmatch(form, value) for form in FORMS.values()):
        return False
    date = re.match(rf"({YEAR})-(\d\d)(?:-(\d\d))?", value)
    if date and not value.startswith("P") and "W" not in value:
        year, month = int(date[1]), int(date[2])
        if not 1 <= month <= 12 or year == 0:
            return False
        if date[3] is not None and not 1 <= int(date[3]) <= calendar.monthrange(year, month)[1]:
            return False
    clock = re.search(r"(\d\d):(\d\d)(?::(\d\d))?", value)
    if clock and not value.startswith("P"):
        hour, minute, second = int(clock[1]), int(clock[2]), int(clock[3] or 0)
        if hour > 23 or minute > 59 or second > 59:
            return False
    return True


class MachineTimes(HTMLParser):
    """Every datetime attribute of a page, with the element that carries it."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "datetime":
                self.found.append((tag, value or ""))


def machine_times(html: str) -> list[tuple[str, str]]:
    parser = MachineTimes()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2025-03-19", True),
        ("2025-03-18T21:37Z", True),
        ("2025-03-18T21:37:05.123Z", True),
        ("2025-03-18 21:37:05+03:00", True),
        ("2025-03", True),
        ("2025-03-18T21:37:05.123456+00:00", False),  # what |date:'c' writes
        ("2025-02-30", False),
        ("2025-03-18T24:00Z", False),
        ("18 March 2025", False),
        ("", False),
    ],
)
def test_the_checker_knows_the_standards_forms(value, valid):
    assert is_valid_machine_time(value) is valid


@pytest.fixture
def record(db):
    """A published commitment and its claims, every instant with fractions of a second."""
    with time_machine.travel(AGREED, tick=False):
        russia = PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")
        ukraine = PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")
        agreement = AgreementFactory(title="Phone call", slug="call")
        pause = CommitmentFactory(
            agreement=agreement, title="Pause on energy strikes", slug="pause", regions=["UA-59"]
        )
        for party in (russia, ukraine):
            CommitmentPartyFactory(commitment=pause, party=party)
        ReadingFactory(
            commitment=pause,
            starts_at=AGREED,
            ends_at=AGREED + dt.timedelta(days=30),
            precision="minute",
            time_zone="Europe/Moscow",
        )
        StatusChange.objects.create(
            commitment=pause,
            from_status="announced",
            to_status="in_force",
            effective_at=AGREED,
            recorded_at=AGREED,
            reason="Agreed on the call",
            actor=StatusChange.Actor.IMPORT,
        )
    with time_machine.travel(CLAIMED, tick=False):
        for claimant, accused, precision in ((russia, ukraine, "minute"), (ukraine, russia, "day")):
            claim = ComplianceEventFactory(
                commitment=pause,
                claimant=claimant,
                accused=accused,
                occurred_at=CLAIMED,
                occurred_until=CLAIMED + dt.timedelta(hours=3, microseconds=17),
                precision=precision,
                region="UA-59",
                summary=f"Strike on a substation, as {claimant.name} reports it",
            )
            claim.sources.add(SourceFactory())
        services.change_status(pause, "suspended", actor=services.IMPORT, reason="Talks broke down")
    return pause


PAGE_KINDS = [
    "/",
    "/agreements/call/",
    "/commitments/pause/",
    "/commitments/pause/?claimant=russia",
    "/parties/russia/",
    "/changes/",
    "/regions/",
    "/regions/UA-59/",
    "/search/?q=substation",
    "/embed/commitments/pause/",
    "/as-of/2025-03-21/",
    "/commitments/pause/?as_of=2025-03-21",
]


@pytest.mark.parametrize("url", PAGE_KINDS)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Kyiv"])
def test_every_datetime_attribute_on_every_public_page_kind_is_valid_html(
    client, record, url, zone
):
    with time_machine.travel(NOW, tick=False):
        response = client.get(url, {"tz": zone} if zone != "UTC" else {})

    assert response.status_code == 200, url
    found = machine_times(response.content.decode())
    invalid = [(tag, value) for tag, value in found if not is_valid_machine_time(value)]
    assert not invalid, f"{url}: {invalid}"
    assert all(tag in ("time", "ins", "del") for tag, _ in found), found


@pytest.mark.parametrize(
    "url",
    [
        "/commitments/pause/",
        "/parties/russia/",
        "/changes/",
        "/regions/UA-59/",
        "/search/?q=substation",
    ],
)
def test_pages_that_list_claims_or_changes_mark_their_times_for_machines(client, record, url):
    with time_machine.travel(NOW, tick=False):
        found = machine_times(client.get(url).content.decode())

    assert found, f"{url} has no machine-readable time"


def test_a_claim_given_to_the_day_is_that_date_for_machines_and_a_minute_is_utc(client, record):
    with time_machine.travel(NOW, tick=False):
        found = {
            value for _, value in machine_times(client.get("/commitments/pause/").content.decode())
        }

    assert "2025-03-20" in found  # Ukraine's claim, given as a day
    assert "2025-03-20T09:15:42Z" in found  # Russia's, to the minute, fractions dropped
    assert not any("." in value for value in found)
