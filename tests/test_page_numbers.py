"""Page numbers on every paged page and API list: any number a reader can type is a page or a 400.

The largest page numbers are checked before anything is read: an offset computed from
9223372036854775807 does not fit the database's integers, and used to be a server error.
"""

import datetime as dt
import re

import pytest
import time_machine

from tests.factories import CommitmentFactory, ComplianceEventFactory, ReadingFactory

HUGE = ["100001", "9223372036854775807", "9223372036854775808", "9" * 40]

PAGED = [
    "/?page={}",
    "/commitments/energy-pause/?page={}",
    "/commitments/energy-pause/?page={}&per_page=100",
    "/commitments/energy-pause/?page={}&kind=alleged_violation",
    "/commitments/energy-pause/?as_of=2025-03-20&page={}",
    "/regions/?page={}",
    "/regions/UA-59/?page={}",
    "/search/?q=substation&page={}",
    "/search/?q=substation&kind=claim&page={}",
    "/changes/?page={}",
    "/api/commitments/?page={}",
    "/api/readings/?page={}",
    "/api/events/?page={}",
    "/api/events/?q=substation&page={}",
    "/api/agreements/?page={}",
    "/api/parties/?page={}",
]


@pytest.fixture
def pause(db):
    """Published on 19 March 2025 and read on 1 April, so 20 March has a past page too."""
    with time_machine.travel(dt.datetime(2025, 3, 19, 12, tzinfo=dt.UTC), tick=False):
        pause = CommitmentFactory(slug="energy-pause")
        ReadingFactory(commitment=pause)
        ComplianceEventFactory(commitment=pause, region="UA-59", summary="Strike on a substation")
    with time_machine.travel(dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC), tick=False):
        yield pause


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize("address", PAGED)
def test_a_page_number_too_large_for_any_list_is_a_400(client, pause, address, number):
    response = client.get(address.format(number))

    assert response.status_code == 400


@pytest.mark.parametrize("address", [a for a in PAGED if not a.startswith("/api/")])
def test_a_page_too_far_says_how_far_pages_go(client, pause, address):
    response = client.get(address.format("9223372036854775807"))

    assert response.status_code == 400
    text = response.content.decode()
    assert re.search(r"Pages are numbered from 1 to \d+ at most\.|latest 20 pages", text)


def test_the_last_page_of_claims_still_opens(client, pause):
    response = client.get("/commitments/energy-pause/?page=1&per_page=1")

    assert response.status_code == 200
