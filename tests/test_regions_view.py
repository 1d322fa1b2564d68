"""/regions/: published claims counted by region, on a tile map and in a table, with filters."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import translation

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 5, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    russia = PartyFactory(name="Russia", slug="russia")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    pause = CommitmentFactory(slug="energy-pause", title="Energy pause")
    sea = CommitmentFactory(slug="black-sea", title="Black Sea", agreement=pause.agreement)

    def claim(commitment, region, claimant, day, **fields):
        return ComplianceEventFactory(
            commitment=commitment,
            region=region,
            claimant=claimant,
            accused=russia if claimant == ukraine else ukraine,
            occurred_at=dt.datetime(2025, 3, day, 10, tzinfo=UTC),
            **fields,
        )

    claim(pause, "UA-59", ukraine, 19, summary="Hospitals hit in Sumy")
    claim(pause, "UA-59", ukraine, 25, verification="verified")
    claim(pause, "RU-KRS", russia, 21, summary="Sudzha station shelled")
    claim(sea, "UA-51", ukraine, 28, kind="statement")
    claim(pause, "", russia, 30, summary="Strikes in 15 regions")
    return {"russia": russia, "ukraine": ukraine, "pause": pause, "sea": sea, "claim": claim}


def counts(response) -> dict[str, int]:
    """The table's numbers: {code: claims}."""
    page = response.content.decode()
    row = r'<span class="muted">([A-Z]{2}-[A-Z0-9]+)</span></th><td[^>]*>[^<]*</td>'
    rows = re.findall(row + r'<td class="number"[^>]*>(\d+)</td>', page)
    return {code: int(n) for code, n in rows if int(n)}


def tile_titles(response) -> list[str]:
    return re.findall(r"<title>([^<]*claims?)</title>", response.content.decode())


def test_the_map_and_the_table_count_the_published_claims_of_each_region(client, world):
    response = client.get("/regions/")

    assert response.status_code == 200
    assert counts(response) == {"UA-59": 2, "RU-KRS": 1, "UA-51": 1}
    assert "Sumy Oblast: 2 claims" in tile_titles(response)
    assert "Kursk Oblast: 1 claim" in tile_titles(response)
    assert "5 published claims · 1 of them names no single region" in response.text


def test_each_tile_links_to_its_regions_claims_and_is_shaded_by_its_count(client, world):
    page = client.get("/regions/").content.decode()

    assert '<a href="/regions/UA-59/" class="tile shade-4 country-UA">' in page
    assert '<a href="/regions/RU-KRS/" class="tile shade-2 country-RU">' in page
    assert '<a href="/regions/UA-65/" class="tile shade-0 country-UA">' in page


def test_an_unpublished_claim_or_a_claim_on_an_unpublished_commitment_is_never_counted(
    client, world
):
    world["claim"](world["pause"], "UA-65", world["ukraine"], 20, is_published=False)
    draft = CommitmentFactory(slug="draft", is_published=False)
    world["claim"](draft, "UA-65", world["ukraine"], 20)
    hidden_agreement = AgreementFactory(is_published=False)
    world["claim"](CommitmentFactory(agreement=hidden_agreement), "UA-23", world["ukraine"], 20)

    response = client.get("/regions/")

    assert "UA-65" not in counts(response) and "UA-23" not in counts(response)
    assert "Kherson Oblast: 0 claims" in tile_titles(response)
    assert 'value="draft"' not in response.text
    assert client.get("/regions/UA-65/").context["page"].paginator.count == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("commitment=black-sea", {"UA-51": 1}),
        ("claimant=russia", {"RU-KRS": 1}),
        ("kind=statement", {"UA-51": 1}),
        ("verification=verified", {"UA-59": 1}),
        ("from=2025-03-21&to=2025-03-25", {"UA-59": 1, "RU-KRS": 1}),
        ("from=2025-03-26", {"UA-51": 1}),
    ],
)
def test_the_filters_choose_the_claims_counted(client, world, query, expected):
    response = client.get(f"/regions/?{query}")

    assert response.status_code == 200
    assert counts(response) == expected


def test_a_tile_carries_the_filters_to_the_regions_page(client, world):
    page = client.get("/regions/?claimant=ukraine&tz=Europe/Kyiv").content.decode()

    assert 'href="/regions/UA-59/?claimant=ukraine&amp;tz=Europe%2FKyiv"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=yesterday", "Give the first day as a date, e.g. 2025-03-18."),
        ("to=2025-13-45", "Give the last day as a date, e.g. 2025-04-17."),
        ("from=2025-04-01&to=2025-03-01", "The period must end on or after the day it starts."),
        ("commitment=no-such-thing", "There is no commitment called “no-such-thing”."),
        ("claimant=nobody", "There is no party called “nobody”."),
        ("kind=rumour", "“rumour” is not a kind of event."),
        ("verification=maybe", "“maybe” is not a verification state."),
    ],
)
def test_a_malformed_filter_shows_the_page_with_a_clear_message(client, world, query, message):
    response = client.get(f"/regions/?{query}")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Claims by region" in response.content.decode()


def test_the_regions_are_named_in_the_readers_language(client, world):
    client.cookies["django_language"] = "uk"
    with translation.override("uk"):
        response = client.get("/regions/", HTTP_ACCEPT_LANGUAGE="uk")

    assert "Сумська область: 2" in response.content.decode()
    assert "Україна" in response.content.decode()


def test_the_site_navigation_links_to_the_regions(client, world):
    board = client.get("/").content.decode()

    assert '<a href="/regions/">Regions</a>' in board


def test_the_page_carries_open_graph_tags(client, world):
    page = client.get("/regions/").content.decode()

    assert '<meta property="og:title" content="Claims by region">' in page


@pytest.mark.parametrize("language", ["en", "uk", "ru"])
def test_every_tile_label_fits_its_tile_and_no_two_read_alike(language):
    from tracker import regions
    from tracker.site import drawing, region_grid
    from tracker.site.regions import LABEL_SIZE, LABEL_WIDTH, tile_labels

    with translation.override(language):
        labels = tile_labels({code: regions.get(code).name() for code in region_grid.TILES})

    assert len(set(labels.values())) == len(labels)
    for lines in labels.values():
        assert 1 <= len(lines) <= 2
        assert all(drawing.text_width(line, LABEL_SIZE) <= LABEL_WIDTH for line in lines)


def test_kyiv_and_kyiv_oblast_no_longer_read_alike_on_the_map(client, world):
    page = client.get("/regions/").content.decode()

    def tile(code: str) -> list[str]:
        start = page.index(f'href="/regions/{code}/"')
        html = page[start : page.index("</a>", start)]
        return re.findall(r'<text class="tile-label"[^>]*>([^<]*)</text>', html)

    assert tile("UA-30") == ["Kyiv"]
    assert tile("UA-32") == ["Kyiv Oblast"]
    assert tile("UA-63") == ["Kharkiv"]
