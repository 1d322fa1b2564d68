"""Text laid out for pictures: widths, wrapping, the badge and the share image."""

import io
from pathlib import Path

import cairosvg
import pytest
from PIL import Image, ImageFont

from tests.drawing_support import assert_laid_out_inside, assert_nothing_drawn_outside, body_text
from tracker.site import drawing
from tracker.site.drawing import Badge, ShareCard, estimated_width, shortened, text_width, wrap

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def test_wider_letters_measure_wider():
    assert text_width("iii", 10) < text_width("aaa", 10) < text_width("MMM", 10)
    assert text_width("pause", 10) < text_width("pause", 10, bold=True)
    assert text_width("", 10) == 0


def test_without_the_font_the_width_is_estimated_by_the_kind_of_each_letter():
    assert estimated_width("iii", 10) < estimated_width("aaa", 10) < estimated_width("MMM", 10)
    assert estimated_width("пауза", 10) == estimated_width("pause", 10)
    assert estimated_width("pause", 10) < estimated_width("pause", 10, bold=True)


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        "Who promised what in a ceasefire, is it in force, and is it being kept?",
        "Пауза в ударах по енергетичній інфраструктурі",
        "3 announced, 2 in force, 3 fulfilled, 1 expired",
    ],
)
def test_the_estimate_is_close_to_the_fonts_own_widths(text, bold):
    """Within a few per cent of DejaVu Sans, the font the share image is drawn in."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    font = ImageFont.truetype(str(DEJAVU / name), 100)

    assert text_width(text, 100, bold) == pytest.approx(font.getlength(text))
    assert (
        0.95 * font.getlength(text)
        <= estimated_width(text, 100, bold)
        <= 1.08 * font.getlength(text)
    )


def test_text_that_fits_is_left_alone_and_text_that_does_not_is_cut_at_a_word():
    assert shortened("energy pause", 200, 11) == "energy pause"

    cut = shortened("Pause in strikes on energy infrastructure", 120, 11)

    assert cut.endswith("…")
    assert text_width(cut, 11) <= 120
    assert "Pause in strikes" in cut


def test_a_single_long_word_is_cut_by_letters():
    cut = shortened("Energieinfrastrukturangriffspause", 60, 11)

    assert cut.endswith("…")
    assert text_width(cut, 11) <= 60


def test_a_title_wraps_onto_lines_that_fit_and_keeps_every_word():
    title = "Pause on strikes against energy infrastructure, with monitoring by third parties"

    lines = wrap(title, 500, 40)

    assert len(lines) > 2
    assert all(text_width(line, 40) <= 500 for line in lines)
    assert " ".join(lines) == title


def test_a_word_too_long_for_a_line_is_broken_by_letters_not_cut():
    name = "Energieinfrastrukturangriffspausenüberwachungskommission"

    lines = wrap(f"Claimed by {name}", 200, 20)

    assert all(text_width(line, 20) <= 200 for line in lines)
    assert "".join(lines) == f"Claimed by {name}"


def test_a_short_title_stays_on_one_line():
    assert wrap("Energy pause", 1000, 56) == ["Energy pause"]


def test_the_badge_gives_each_part_room_for_its_text_and_the_status_its_colour():
    badge = Badge.for_status("Energy pause", "in force", "in_force")

    assert badge.label_width > badge.label_text_width
    assert badge.width == badge.label_width + badge.message_width
    assert badge.label_x < badge.label_width < badge.message_x < badge.width
    assert badge.colour == drawing.STATUS_COLOURS["in_force"]
    assert badge.text == "Energy pause: in force"


def test_a_long_title_makes_a_badge_of_bounded_width():
    badge = Badge.for_status("Pause " * 60, "suspended", "suspended")

    assert badge.label.endswith("…")
    assert badge.label_width <= drawing.BADGE_LABEL_MAX + 2 * drawing.BADGE_PADDING


def test_the_share_card_lays_out_site_status_title_facts_and_address_top_to_bottom():
    card = ShareCard(
        site="Ceasefire Commitment Tracker",
        title="Pause on strikes against energy infrastructure",
        lines=["From 2025-03-24 22:00 UTC to 2025-04-23 21:00 UTC", "3 claims published"],
        footer="tracker.example.org/commitments/energy-pause/",
        status="in_force",
        status_label="in force",
    )

    texts = [text.text for text in card.texts]
    assert texts[0] == "Ceasefire Commitment Tracker"
    assert texts[1] == "IN FORCE"
    assert "From 2025-03-24 22:00 UTC to 2025-04-23 21:00 UTC" in texts
    assert texts[-1] == "tracker.example.org/commitments/energy-pause/"
    ys = [text.y for text in card.texts if text.text != "IN FORCE"]
    assert_laid_out_inside(card)
    assert ys == sorted(ys)
    assert all(text.y < drawing.CARD_HEIGHT for text in card.texts)
    assert card.pill["width"] > text_width("IN FORCE", drawing.PILL_SIZE)


def test_facts_that_do_not_fit_shrink_with_the_title_and_none_is_left_out():
    card = ShareCard(
        site="Tracker",
        title="A title long enough to take three whole lines of the card at its size " * 2,
        lines=[f"Fact {n}" for n in range(9)],
        footer="tracker.example.org",
    )

    assert [text.text for text in card.texts if text.text.startswith("Fact")] == [
        f"Fact {n}" for n in range(9)
    ]
    assert_laid_out_inside(card)
    assert card.texts[2].size < drawing.SIZES[0][0]  # the title shrank to make room


def test_a_card_gives_every_sides_line_or_one_line_for_all_of_them():
    sides = [
        f"Claimed by Party {n} against Party {n + 1}: 3 alleged, 0 verified" for n in range(30)
    ]

    card = ShareCard(
        site="Tracker",
        title="Pause on strikes against energy infrastructure",
        lines=["From 25 March 2025 to 24 April 2025", "90 claims published"],
        sides=sides,
        sides_in_all="Violation claims by 30 parties: 90 alleged, 0 verified",
        footer="tracker.example.org",
    )

    text = body_text(card)
    assert not card.shows_each_side
    assert "Violation claims by 30 parties: 90 alleged, 0 verified" in text
    assert "Claimed by" not in text
    assert_laid_out_inside(card)


def test_a_very_long_title_and_party_names_wrap_and_shrink_but_are_drawn_whole():
    title = "Temporary humanitarian pause on strikes against civilian energy infrastructure " * 3
    name = "Provisional Joint Coordination Centre for Monitoring the Humanitarian Pause"
    sides = [
        f"Claimed by {name} against {name[::-1]}: 12 alleged, 3 verified",
        "Claimed by Ukraine against Russia: 4 alleged, 0 verified",
        f"Claimed by {'X' * 120} against Russia: 1 alleged, 0 verified",
    ]

    card = ShareCard(
        site="Tracker",
        title=title[:200],
        lines=["From 25 March 2025 to 24 April 2025", "20 claims published"],
        sides=sides,
        sides_in_all="Violation claims by 3 parties: 17 alleged, 3 verified",
        footer="tracker.example.org/commitments/" + "very-long-address-" * 8,
        status="in_force",
        status_label="in force",
        marks=[("verified", "3 verified violations"), ("soon", "ends within 7 days")],
    )

    text = body_text(card)
    assert " ".join(title[:200].split()) in text
    assert card.shows_each_side
    # A name with no spaces is broken by letters: read without the breaks, every side is there.
    for side in sides:
        assert side.replace(" ", "") in text.replace(" ", "")
    assert sides[0] in text and sides[1] in text
    assert_laid_out_inside(card)
    assert_nothing_drawn_outside(card)


def rendered(text: str) -> bytes:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
        '<rect width="200" height="60" fill="#fff"/>'
        f'<text x="10" y="40" font-family="DejaVu Sans" font-size="32">{text}</text></svg>'
    )
    png = cairosvg.svg2png(bytestring=svg.encode())
    return Image.open(io.BytesIO(png)).convert("L").tobytes()


def test_the_share_image_font_draws_cyrillic_letters_not_empty_boxes():
    """Were the letters missing from the font, each would be drawn as the same empty box."""
    assert rendered("ЖЖЖ") != rendered("ППП")
    assert rendered("ЖЖЖ") != rendered("   ")
