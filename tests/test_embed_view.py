"""The embeddable card: a small page other sites may frame, and only it (and the badge)."""

import datetime as dt

import pytest
import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
)
from tracker.models import Verification

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
EMBED = "/embed/commitments/energy-pause/"
BADGE = "/embed/commitments/energy-pause/badge.svg"


@pytest.fixture
def russia(db):
    return PartyFactory(name="Russia", slug="russia")


@pytest.fixture
def ukraine(db):
    return PartyFactory(name="Ukraine", slug="ukraine")


@pytest.fixture
def pause(russia, ukraine):
    commitment = CommitmentFactory(
        title="Pause on strikes against energy infrastructure", slug="energy-pause"
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    ReadingFactory(
        commitment=commitment,
        starts_at=dt.datetime(2025, 3, 24, 22, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 23, 21, tzinfo=UTC),
        time_zone="Europe/Kyiv",  # Kyiv's midnights: 25 March to 24 April, given as days
    )
    return commitment


def get(client, url=EMBED, **headers):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, headers=headers)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def test_the_card_shows_status_countdown_dates_and_who_claims_against_whom(
    client, pause, russia, ukraine
):
    ComplianceEventFactory(commitment=pause, claimant=ukraine, accused=russia)
    ComplianceEventFactory(
        commitment=pause, claimant=ukraine, accused=russia, verification=Verification.VERIFIED
    )
    ComplianceEventFactory(commitment=pause, claimant=russia, accused=ukraine)

    page = get(client).content.decode()

    assert "<h1>" in page and "Pause on strikes against energy infrastructure" in page
    assert "status-in_force" in page
    assert "ends in 13 days 9 h" in page
    assert "From 25 March 2025 to 24 April 2025" in page
    assert (
        "Claimed by <strong>Ukraine</strong> against <strong>Russia</strong>: 1 alleged, 1 verified"
        in page
    )
    assert (
        "Claimed by <strong>Russia</strong> against <strong>Ukraine</strong>: 1 alleged, 0 verified"
        in page
    )
    assert '<span class="mark mark-verified">1 verified violation</span>' in page
    assert "Readings, all 3 claims published and their sources" in page


def test_the_card_links_back_to_the_commitment_page_in_a_new_tab(client, pause, settings):
    settings.SITE_URL = "https://tracker.example.org"

    page = get(client).content.decode()

    link = 'href="https://tracker.example.org/commitments/energy-pause/" target="_blank"'
    assert link in page
    assert 'rel="noopener"' in page
    assert "(opens in a new tab)" in page


def test_the_card_has_its_own_small_stylesheet_and_no_site_chrome(client, pause):
    page = get(client).content.decode()

    assert "tracker/embed.css" in page
    assert "tracker/site.css" not in page
    assert "language-form" not in page and "site-header" not in page
    assert "<script" not in page


def test_an_unpublished_claim_is_not_counted_on_the_card(client, pause, russia, ukraine):
    ComplianceEventFactory(commitment=pause, claimant=ukraine, accused=russia)
    ComplianceEventFactory(
        commitment=pause,
        claimant=russia,
        accused=ukraine,
        summary="A rumour still being checked",
        is_published=False,
    )

    page = get(client).content.decode()

    assert "Readings, the 1 claim published and its sources" in page
    assert "Claimed by <strong>Russia</strong>" not in page


@pytest.mark.parametrize("url", [EMBED, BADGE])
def test_other_sites_may_frame_the_card_and_the_badge(client, pause, url):
    response = get(client, url)

    assert response.status_code == 200
    assert policy(response)["frame-ancestors"] == ["*"]
    assert not response.has_header("X-Frame-Options")
    # Everything else in the policy stays as strict as on every page.
    assert policy(response)["script-src"] == ["'self'"]
    assert policy(response)["style-src"] == ["'self'"]


@pytest.mark.parametrize(
    "url",
    ["/", "/commitments/energy-pause/", "/parties/russia/", "/commitments/energy-pause/card.png"],
)
def test_every_other_page_still_refuses_to_be_framed(client, pause, url):
    response = get(client, url)

    assert response.status_code == 200
    assert policy(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_sites_that_may_frame_the_card_can_be_named(client, pause, settings):
    settings.EMBED_FRAME_ANCESTORS = ["https://news.example.org", "https://*.example.net"]

    response = get(client)

    assert policy(response)["frame-ancestors"] == [
        "https://news.example.org",
        "https://*.example.net",
    ]


def test_the_card_is_a_public_response_that_shared_caches_can_keep(client, pause):
    response = get(client)

    assert not response.cookies
    assert "public" in response["Cache-Control"]
    again = get(client, If_None_Match=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize("url", [EMBED, BADGE])
def test_an_unpublished_or_unknown_commitment_cannot_be_embedded(client, pause, url):
    CommitmentFactory(slug="draft-pledge", is_published=False)
    CommitmentFactory(slug="pledge-at-draft-talks", agreement=AgreementFactory(is_published=False))

    for slug in ["draft-pledge", "pledge-at-draft-talks", "no-such-pledge"]:
        response = get(client, url.replace("energy-pause", slug))
        assert response.status_code == 404, slug
        assert "public" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", [EMBED, BADGE])
@pytest.mark.parametrize(
    "query", ["?" + "x" * 20000, "?a=%00%ff&b=<script>", "?page=-1&page=two", "?%E2%80%AE=1"]
)
def test_a_huge_or_odd_query_string_changes_nothing(client, pause, url, query):
    plain = get(client, url)

    odd = get(client, url + query)

    assert odd.status_code == 200
    assert odd.content == plain.content


def test_the_card_speaks_the_readers_language(client, pause):
    page = get(client, Accept_Language="uk").content.decode()

    assert '<html lang="uk">' in page
    assert "діє" in page


def test_the_card_gives_every_sides_claims_or_one_line_for_all_of_them(client, pause, ukraine):
    """Too many sides for the frame: none of them, and one line counting them all."""
    for n in range(6):
        claimant = PartyFactory(name=f"Monitoring mission number {n} of the contact group")
        ComplianceEventFactory(commitment=pause, claimant=claimant, accused=ukraine)

    page = get(client).content.decode()

    assert "Claimed by" not in page
    assert "Violation claims by 6 parties: 6 alleged, 0 verified" in page


def test_the_card_of_an_overdue_deliverable_says_so(client, db):
    exchange = CommitmentFactory(slug="exchange", shape="deliverable", title="Prisoner exchange")
    ReadingFactory(commitment=exchange, ends_at=None, due_at=NOW - dt.timedelta(minutes=5))

    page = get(client, "/embed/commitments/exchange/").content.decode()

    assert '<span class="mark mark-overdue">overdue</span>' in page
    assert "was due 5 min ago" in page


def test_the_card_of_a_commitment_with_no_claim_links_back_without_counting_zero(client, db):
    CommitmentFactory(slug="navigation", title="Safe navigation in the Black Sea")
    said = {
        language: get(client, "/embed/commitments/navigation/", Accept_Language=language)
        .content.decode()
        .split('class="embed-more"')[1]
        for language in ("en", "uk", "ru")
    }

    assert "Readings of the terms and their sources" in said["en"]
    assert "Тлумачення умов і їхні джерела" in said["uk"]
    assert "Толкования условий и их источники" in said["ru"]
    for link in said.values():
        assert " 0 " not in link
