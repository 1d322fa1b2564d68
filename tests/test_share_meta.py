"""Link previews: every public page carries Open Graph and Twitter card tags, with absolute URLs."""

import datetime as dt
import html
import re

import pytest
import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    PartyFactory,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
SITE = "https://tracker.example.org"


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def pause(db):
    russia = PartyFactory(name="Russia", slug="russia")
    agreement = AgreementFactory(
        title="Call of 18 March", slug="call", summary="A call between two presidents."
    )
    commitment = CommitmentFactory(
        title='Pause on "energy" strikes & more', slug="energy-pause", agreement=agreement
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    return commitment


def tags(client, url: str) -> dict[str, str]:
    """{property or name: content} of the page's meta tags, as a link preview reads them."""
    with time_machine.travel(NOW, tick=False):
        page = client.get(url).content.decode()
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page)
    return {key: html.unescape(value) for key, value in found}


def test_the_board_shows_the_site_and_its_card(client, pause):
    meta = tags(client, "/")

    assert meta["og:title"] == "Ceasefire Commitment Tracker"
    assert meta["og:description"].startswith("Who promised what in a ceasefire")
    assert meta["og:url"] == f"{SITE}/"
    assert meta["og:image"] == f"{SITE}/card.png"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:image"] == f"{SITE}/card.png"


def test_a_commitment_page_shows_the_commitment_and_its_own_card(client, pause):
    meta = tags(client, "/commitments/energy-pause/?claimant=russia")

    assert meta["og:title"] == 'Pause on "energy" strikes & more'
    assert meta["twitter:title"] == 'Pause on "energy" strikes & more'
    assert meta["og:description"].startswith("in force, ")
    assert meta["og:url"] == f"{SITE}/commitments/energy-pause/"
    assert meta["og:image"] == f"{SITE}/commitments/energy-pause/card.png"
    assert meta["og:image:width"] == "1200" and meta["og:image:height"] == "630"
    assert meta["twitter:image"] == meta["og:image"]


def test_a_party_page_shows_the_party(client, pause):
    meta = tags(client, "/parties/russia/")

    assert meta["og:title"] == "Russia"
    assert "what it claims" in meta["og:description"]
    assert meta["og:url"] == f"{SITE}/parties/russia/"
    assert meta["og:image"] == f"{SITE}/card.png"


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/agreements/call/", "Call of 18 March"),
        ("/changes/", "Recent changes"),
        ("/data/", "Open data and API"),
        ("/alerts/subscribe/", "Ceasefire Commitment Tracker"),
    ],
)
def test_every_other_public_page_carries_the_tags_too(client, pause, url, title):
    meta = tags(client, url)

    assert meta["og:title"] == title
    assert meta["twitter:title"] == title
    assert meta["og:description"]
    assert meta["og:url"] == f"{SITE}{url}"
    for key in ("og:image", "twitter:image"):
        assert meta[key].startswith(f"{SITE}/") and meta[key].endswith(".png")


def test_the_preview_speaks_the_readers_language(client, pause):
    with time_machine.travel(NOW, tick=False):
        page = client.get("/commitments/energy-pause/", headers={"accept-language": "uk"})

    assert 'property="og:description" content="діє, ' in page.content.decode()
