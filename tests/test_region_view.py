"""/regions/<code>/: one region's published claims, newest first, a page at a time."""

import datetime as dt

import pytest
import time_machine

from tests.factories import CommitmentFactory, ComplianceEventFactory, PartyFactory

UTC = dt.UTC


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2025, 5, 1, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def sumy_claims(db):
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    pause = CommitmentFactory(slug="energy-pause", title="Energy pause")
    return [
        ComplianceEventFactory(
            commitment=pause,
            claimant=ukraine,
            accused=None,
            region="UA-59",
            location="Krasnopillia",
            occurred_at=dt.datetime(2025, 3, 1, tzinfo=UTC) + dt.timedelta(days=n),
            summary=f"Strike number {n} on Sumy",
        )
        for n in range(25)
    ]


def test_a_regions_page_lists_its_published_claims_newest_first(client, sumy_claims):
    ComplianceEventFactory(region="UA-59", summary="A draft claim", is_published=False)
    ComplianceEventFactory(region="UA-63", summary="A claim in Kharkiv")

    response = client.get("/regions/UA-59/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1>Sumy Oblast <span class="muted">UA-59</span></h1>' in page
    assert "25 claims · page 1 of 2" in page
    assert page.index("Strike number 24") < page.index("Strike number 5")
    assert "A draft claim" not in page and "A claim in Kharkiv" not in page
    assert "Krasnopillia" in page


def test_the_second_page_holds_the_oldest_claims(client, sumy_claims):
    page = client.get("/regions/UA-59/?page=2").content.decode()

    assert "Strike number 0 on Sumy" in page and "Strike number 24" not in page


def test_a_page_past_the_last_is_a_clear_error(client, sumy_claims):
    response = client.get("/regions/UA-59/?page=9")

    assert response.status_code == 400
    assert "There is no page 9: the claims fill 2." in response.content.decode()


def test_an_unknown_region_code_is_not_found(client, db):
    assert client.get("/regions/XX-99/").status_code == 404
    assert client.get("/regions/ua-59/").status_code == 404


def test_the_filters_narrow_a_regions_claims(client, sumy_claims):
    response = client.get("/regions/UA-59/?from=2025-03-20")

    assert "6 claims" in response.content.decode()


def test_the_commitments_covering_the_region_are_listed(client, sumy_claims):
    CommitmentFactory(title="Sumy corridor", regions=["UA-59", "RU-KRS"])
    CommitmentFactory(title="Hidden corridor", regions=["UA-59"], is_published=False)

    page = client.get("/regions/UA-59/").content.decode()

    assert "Sumy corridor" in page and "Hidden corridor" not in page


def test_a_claims_region_links_to_the_regions_page(client, sumy_claims):
    page = client.get("/commitments/energy-pause/").content.decode()

    assert '<a href="/regions/UA-59/">Sumy Oblast</a>' in page


def test_a_claims_time_is_shown_on_the_readers_clock(client, db):
    ComplianceEventFactory(
        region="UA-63", precision="minute", occurred_at=dt.datetime(2025, 3, 28, 9, tzinfo=UTC)
    )

    page = client.get("/regions/UA-63/?tz=Europe/Kyiv").content.decode()

    assert "28 March 2025, 11:00 Kyiv" in page
    assert 'href="/regions/?tz=Europe%2FKyiv"' in page
