"""The share images: a commitment's card and the board's, 1200×630 PNG for link previews."""

import datetime as dt
import io

import cairosvg
import pytest
import time_machine
from PIL import Image

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    UserFactory,
)
from tracker import services
from tracker.site import glance, share
from tracker.site.embeds import public_commitment

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
CARD = "/commitments/energy-pause/card.png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def russia(db):
    return PartyFactory(name="Russia", slug="russia")


@pytest.fixture
def ukraine(db):
    return PartyFactory(name="Україна", slug="ukraine")


@pytest.fixture
def pause(russia, ukraine):
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
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
        ComplianceEventFactory(commitment=commitment, claimant=ukraine, accused=russia)
    return commitment


@pytest.fixture
def renders(monkeypatch):
    """Every SVG the site turns into a PNG."""
    drawn = []
    svg2png = cairosvg.svg2png

    def counting(*args, **kwargs):
        drawn.append(kwargs["bytestring"].decode())
        return svg2png(*args, **kwargs)

    monkeypatch.setattr(share.cairosvg, "svg2png", counting)
    return drawn


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", role="Reviewers")


def get(client, url=CARD, now=NOW, **headers):
    with time_machine.travel(now, tick=False):
        return client.get(url, headers=headers)


def picture(response) -> Image.Image:
    return Image.open(io.BytesIO(response.content))


@pytest.mark.parametrize("url", [CARD, "/card.png"])
def test_the_share_image_is_a_1200_by_630_png(client, pause, url):
    response = get(client, url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG_SIGNATURE)
    image = picture(response)
    assert image.format == "PNG"
    assert image.size == (1200, 630)


def test_the_card_shows_status_title_dates_and_claims_by_claimant(client, pause, settings):
    settings.SITE_URL = "https://tracker.example.org"
    with time_machine.travel(NOW, tick=False):
        card = share.commitment_card(public_commitment("energy-pause"))

    texts = [text.text for text in card.texts]
    assert "IN FORCE" in texts
    assert "Pause on strikes against energy infrastructure" in " ".join(texts)
    assert "From 25 March 2025 to 24 April 2025" in texts
    assert "1 claim published" in texts
    assert "Claimed by Україна against Russia: 1 alleged, 0 verified" in texts
    assert texts[-1] == "tracker.example.org/commitments/energy-pause/"


def test_the_card_counts_no_unpublished_claim(client, pause, russia, ukraine):
    ComplianceEventFactory(commitment=pause, claimant=russia, accused=ukraine, is_published=False)

    with time_machine.travel(NOW, tick=False):
        texts = [
            text.text for text in share.commitment_card(public_commitment("energy-pause")).texts
        ]

    assert "1 claim published" in texts
    assert not any(text.startswith("Claimed by Russia") for text in texts)


def test_the_card_is_drawn_once_and_kept_until_the_commitment_changes(
    client, pause, renders, reviewer
):
    first = get(client)
    again = get(client)
    other = CommitmentFactory(slug="another-pledge")
    services.change_status(other, "suspended", actor=reviewer, reason="Talks broke down")
    after_another_change = get(client, If_None_Match=first["ETag"])

    assert len(renders) == 1
    assert again.content == first.content
    assert after_another_change.status_code == 304

    services.change_status(pause, "suspended", actor=reviewer, reason="Talks broke down")
    changed = get(client, If_None_Match=first["ETag"])

    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert len(renders) == 2
    assert "SUSPENDED" in renders[-1]


def test_a_newly_published_claim_draws_the_card_again(client, pause, renders, russia, ukraine):
    first = get(client)
    ComplianceEventFactory(commitment=pause, claimant=russia, accused=ukraine)

    changed = get(client, If_None_Match=first["ETag"])

    assert changed.status_code == 200
    assert "2 claims published" in renders[-1]


def test_the_card_does_not_change_with_the_minute(client, pause, renders):
    first = get(client)

    later = get(client, now=NOW + dt.timedelta(hours=3), If_None_Match=first["ETag"])

    assert later.status_code == 304
    assert len(renders) == 1


def test_each_language_has_its_own_card(client, pause, renders):
    english = get(client)
    ukrainian = get(client, Accept_Language="uk")

    assert english["ETag"] != ukrainian["ETag"]
    assert "ДІЄ" in renders[-1]


def test_the_card_is_a_public_response_that_sets_no_cookie(client, pause):
    response = get(client)

    assert "public" in response["Cache-Control"]
    assert not response.cookies


def test_an_unpublished_or_unknown_commitment_has_no_card(client, pause, renders):
    CommitmentFactory(slug="draft-pledge", is_published=False)
    CommitmentFactory(slug="pledge-at-draft-talks", agreement=AgreementFactory(is_published=False))

    for slug in ["draft-pledge", "pledge-at-draft-talks", "no-such-pledge"]:
        response = get(client, f"/commitments/{slug}/card.png")
        assert response.status_code == 404, slug
        assert not response.has_header("ETag")

    assert renders == []


@pytest.mark.parametrize("url", [CARD, "/card.png"])
@pytest.mark.parametrize("query", ["?" + "x" * 20000, "?a=%00%ff&b=<svg>", "?lang=xx&lang=yy"])
def test_a_huge_or_odd_query_string_changes_nothing(client, pause, url, query):
    plain = get(client, url)

    odd = get(client, url + query)

    assert odd.status_code == 200
    assert odd.content == plain.content


def test_the_board_card_gives_the_boards_headline(client, pause, russia, ukraine):
    CommitmentFactory(status="suspended")
    CommitmentFactory(status="suspended", is_published=False)
    ComplianceEventFactory(
        commitment=pause,
        claimant=russia,
        accused=ukraine,
        verification="verified",
        occurred_at=NOW - dt.timedelta(days=3),
    )

    with time_machine.travel(NOW, tick=False):
        texts = [text.text for text in share.board_card(glance.headline(NOW)).texts]

    assert "2 commitments tracked" in texts
    assert "1 in force" in texts
    assert "0 end or fall due within 7 days" in texts
    assert "0 overdue" in texts
    assert "1 verified violation in the last 30 days" in texts


def test_the_board_card_is_drawn_again_only_when_the_record_or_its_headline_changes(
    client, pause, renders, reviewer
):
    first = get(client, "/card.png")
    later = get(client, "/card.png", now=NOW + dt.timedelta(hours=1), If_None_Match=first["ETag"])
    services.change_status(pause, "suspended", actor=reviewer, reason="Talks broke down")
    changed = get(client, "/card.png", If_None_Match=first["ETag"])
    # Nine days on, the pause ends within a week: the same record, a new headline.
    soon = get(client, "/card.png", now=NOW + dt.timedelta(days=9), If_None_Match=changed["ETag"])

    assert later.status_code == 304
    assert changed.status_code == 200
    assert soon.status_code == 200
    assert len(renders) == 3
    assert "1 ends or falls due within 7 days" in renders[-1]
