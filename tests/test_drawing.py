"""Text laid out for pictures: widths, wrapping, the badge and the share image."""

import io
from pathlib import Path

import cairosvg
import pytest
from PIL import Image, ImageFont

from tracker.site import drawing
from tracker.site.drawing import Badge, ShareCard, shortened, text_width, wrap

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def test_wider_letters_measure_wider():
    assert text_width("iii", 10) < text_width("aaa", 10) < text_width("MMM", 10)
    assert text_width("пауза", 10) == text_width("pause", 10)
    assert text_width("pause", 10) < text_width("pause", 10, bold=True)
    assert text_width("", 10) == 0


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

    estimate, actual = text_width(text, 100, bold), font.getlength(text)

    assert 0.97 * actual <= estimate <= 1.08 * actual


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


def test_a_title_wraps_onto_lines_that_fit_and_the_last_line_says_it_was_cut():
    title = "Pause on strikes against energy infrastructure, with monitoring by third parties"

    lines = wrap(title, 500, 40, max_lines=2)

    assert len(lines) == 2
    assert all(text_width(line, 40) <= 500 for line in lines)
    assert lines[0].startswith("Pause on strikes")
    assert lines[-1].endswith("…")


def test_a_short_title_stays_on_one_line():
    assert wrap("Energy pause", 1000, 56, max_lines=3) == ["Energy pause"]


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
    assert ys == sorted(ys)
    assert all(text.y < drawing.CARD_HEIGHT for text in card.texts)
    assert card.pill["width"] > text_width("IN FORCE", drawing.PILL_SIZE)


def test_facts_that_do_not_fit_above_the_address_are_left_out():
    card = ShareCard(
        site="Tracker",
        title="A title long enough to take three whole lines of the card at its size " * 2,
        lines=[f"Fact {n}" for n in range(20)],
        footer="tracker.example.org",
    )

    facts = [text for text in card.texts if text.text.startswith("Fact")]
    assert 0 < len(facts) < 20
    assert max(text.y for text in facts) < drawing.CARD_HEIGHT - 80


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
