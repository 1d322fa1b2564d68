"""Every public summary gives every side's claims, or none, and says who claims against whom.

Checked on the demo data, whose titles are the longest a reader meets, in
English, Ukrainian and Russian: the share images, the embeddable card, the
board's cards and the commitment page.
"""

import re

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from tests.demo_support import SUMMER_2025
from tests.drawing_support import assert_laid_out_inside, assert_nothing_drawn_outside, body_text
from tracker import public
from tracker.site import share
from tracker.site.embeds import public_commitment

LANGUAGES = ["en", "uk", "ru"]
SIDES = {
    "en": (
        "Claimed by Russia against Ukraine: 6 alleged, 0 verified",
        "Claimed by Ukraine against Russia: 2 alleged, 0 verified",
    ),
    "uk": (
        "Заявник — Росія, звинувачена сторона — Україна: заявлених 6, перевірених 0",
        "Заявник — Україна, звинувачена сторона — Росія: заявлених 2, перевірених 0",
    ),
    "ru": (
        "Заявитель — Россия, обвиняемая сторона — Украина: заявленных 6, проверенных 0",
        "Заявитель — Украина, обвиняемая сторона — Россия: заявленных 2, проверенных 0",
    ),
}


@pytest.fixture
def demo(demo_loaded_once, db):
    """The demo data as it stood in the summer of 2025, read by each test."""
    with time_machine.travel(SUMMER_2025, tick=False):
        yield


def test_the_energy_pause_share_image_gives_both_sides_in_every_language(demo):
    """In Russian its title took three lines and Ukraine's line fell off the picture."""
    for language in LANGUAGES:
        with translation.override(language):
            card = share.commitment_card(public_commitment("energy-strike-pause"))

        text = body_text(card)
        for side in SIDES[language]:
            assert side in text, language
        assert card.shows_each_side
        assert_laid_out_inside(card)
        assert_nothing_drawn_outside(card)


def test_every_demo_share_image_fits_whole_in_every_language(demo):
    slugs = list(public.commitments().values_list("slug", flat=True))
    for language in LANGUAGES:
        with translation.override(language):
            for slug in slugs:
                commitment = public_commitment(slug)
                card = share.commitment_card(commitment)

                text = body_text(card)
                assert " ".join(str(commitment.title).split()) in text, (language, slug)
                assert all(tally.text in text for tally in commitment.tallies), (language, slug)
                assert_laid_out_inside(card)


def test_the_share_image_served_in_russian_is_the_one_laid_out(demo):
    response = Client().get(
        "/commitments/energy-strike-pause/card.png", headers={"accept-language": "ru"}
    )

    assert response.status_code == 200
    with translation.override("ru"):
        card = share.commitment_card(public_commitment("energy-strike-pause"))
    assert_nothing_drawn_outside(card)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "address",
    ["/", "/commitments/energy-strike-pause/", "/embed/commitments/energy-strike-pause/"],
)
def test_pages_say_who_claims_and_against_whom(demo, language, address):
    page = Client().get(address, headers={"accept-language": language}).content.decode()

    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    for side in SIDES[language]:
        assert side in text, (language, address)
