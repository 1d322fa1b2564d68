"""Nothing unpublished at the time reaches a download of a past day: checked by construction.

The scenarios of ``tests/test_unpublished_markers.py`` (an agreement, a
commitment, a working reading, another reading, a claim, a source only such
records cite, a party only such records name, each marked with text and
instants found nowhere else) are read through every download that takes
``?as_of=``: the CSV files, the API's lists and detail, and the feeds, with
and without filters naming the marked records. A day's download must show no
marker when the record was, at that day's end:

- drafted and never published,
- not yet published (it was published the next day),
- published, and withdrawn since.

Each scenario is then read as of a day after its publication, and the
markers must show, so the check is known to see what it looks for. A
correction made later is given as it read on the day.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.test_unpublished_markers import (  # noqa: F401  (fixtures)
    CREATED,
    MARKED,
    NOW,
    PUBLIC,
    SCENARIOS,
    Scenario,
    evidence_in_a_folder_of_its_own,
    public_world,
    publish,
    reviewer_on_duty,
    showing,
)
from tracker import services
from tracker.models import ComplianceEvent

PAST_DAY = "2031-07-11"  # after the records were made, before the marked ones were published
LATER = dt.datetime(2031, 7, 14, 9, tzinfo=dt.UTC)
DAY_AFTER_PUBLICATION = "2031-07-12"  # the marked records were published at 13:13 that day


def past_downloads(day: str) -> list[str]:
    """Every address that takes ``as_of``, with and without filters naming the marked records."""
    as_of = f"as_of={day}"

    def asked(url_name: str, *args, **filters) -> list[str]:
        base = reverse(url_name, args=args)
        return [f"{base}?{as_of}", *(f"{base}?{as_of}&{n}={v}" for n, v in filters.items())]

    marked, party = MARKED["commitment"], MARKED["party"]
    return [
        *asked("commitments_csv", party=party, region="UA-65"),
        *asked("readings_csv", commitment=marked, party=party),
        *asked("events_csv", commitment=marked, claimant=party, region="UA-65"),
        *asked("agreements_csv", party=party),
        *asked("parties_csv"),
        *asked("api_commitments", agreement=MARKED["agreement"], party=party),
        *asked("api_readings", commitment=marked, party=party),
        *asked("api_events", commitment=marked, claimant=party),
        *asked("api_agreements", party=party),
        *asked("api_parties"),
        *asked("api_commitment", PUBLIC["commitment"]),
        *asked("api_commitment", marked),
        *asked("changes_feed"),
        *asked("commitment_feed", PUBLIC["commitment"]),
        *asked("commitment_feed", marked),
    ]


def read_past_downloads(client, day: str, now: dt.datetime = NOW) -> dict[str, str]:
    """{address: body}, read once: a file or the API gives every translation whatever the
    language asked (``title_uk``, ``summary_ru``…), and the feeds' own words are not records."""
    pages = {}
    with time_machine.travel(now, tick=False):
        for url in past_downloads(day):
            response = client.get(url)
            assert response.status_code in (200, 400, 404), f"{url}: {response.status_code}"
            body = b"".join(response.streaming_content) if response.streaming else response.content
            pages[url] = body.decode(errors="replace")
    return pages


@pytest.fixture(params=list(SCENARIOS))
def scenario(request, public_world) -> Scenario:  # noqa: F811
    with time_machine.travel(CREATED, tick=False):
        return SCENARIOS[request.param](public_world)


def test_a_record_never_published_shows_in_no_past_download(client, scenario):
    pages = read_past_downloads(client, PAST_DAY)

    assert showing(pages, scenario.markers) == {}


def test_a_record_published_after_the_day_shows_in_no_download_of_that_day(
    client,
    scenario,
    reviewer_on_duty,  # noqa: F811
):
    publish(scenario, reviewer_on_duty)

    pages = read_past_downloads(client, PAST_DAY)

    assert showing(pages, scenario.markers) == {}


def test_a_record_withdrawn_since_shows_in_no_past_download(
    client,
    scenario,
    reviewer_on_duty,  # noqa: F811
):
    with time_machine.travel(CREATED + dt.timedelta(days=1), tick=False):
        for record in scenario.to_publish:
            services.publish(record, actor=reviewer_on_duty, reason="Checked")
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        for record in scenario.to_publish:
            services.unpublish(record, actor=reviewer_on_duty, reason="Source retracted")

    pages = read_past_downloads(client, PAST_DAY)

    assert showing(pages, scenario.markers) == {}


def test_the_same_record_shows_in_the_downloads_of_a_day_after_its_publication(
    client,
    scenario,
    reviewer_on_duty,  # noqa: F811
):
    publish(scenario, reviewer_on_duty)

    pages = read_past_downloads(client, DAY_AFTER_PUBLICATION, now=LATER)

    assert showing(pages, scenario.markers) != {}, "the check would not see the past downloads"


def test_a_correction_made_later_shows_in_a_past_download_as_it_read_then(
    client,
    public_world,  # noqa: F811
    reviewer_on_duty,  # noqa: F811
):
    claim = ComplianceEvent.objects.get(commitment=public_world["commitment"])
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        services.edit_event(
            claim,
            actor=reviewer_on_duty,
            reason="Correction: the town was misnamed",
            changes={"summary": "MARKER-CORRECTED strike on a substation"},
        )

    past = read_past_downloads(client, PAST_DAY)
    today = read_past_downloads(client, DAY_AFTER_PUBLICATION, now=LATER)

    assert showing(past, ["MARKER-CORRECTED"]) == {}
    assert any("Strike on a substation" in body for body in past.values())
    assert showing(today, ["MARKER-CORRECTED"]) != {}
