"""What the tests of the share images check of a laid-out card, and of its rendered PNG."""

import io

import cairosvg
from django.template.loader import render_to_string
from PIL import Image

from tracker.site import drawing
from tracker.site.drawing import ShareCard


def body_text(card: ShareCard) -> str:
    """Every line between the pills and the address, joined as the words were before wrapping."""
    return " ".join(text.text for text in card.texts[1 + len(card.pills) : -1])


def assert_laid_out_inside(card: ShareCard) -> None:
    """Each line inside the margins, above the rule over the address, none over another."""
    right = drawing.CARD_WIDTH - drawing.CARD_MARGIN
    for text in card.texts:
        assert text.x >= drawing.CARD_MARGIN, text
        assert text.x + text.width <= right + 0.5, text
        assert text.top >= 0 and text.bottom <= drawing.CARD_HEIGHT, text
    body = card.texts[1 + len(card.pills) : -1]
    assert all(text.bottom <= drawing.TEXT_BOTTOM for text in body)
    for above, below in zip(body, body[1:], strict=False):
        assert below.top >= above.bottom - 0.5, (above, below)
    for pill in card.pills:
        assert pill.x + pill.width <= right + 0.5


def assert_nothing_drawn_outside(card: ShareCard) -> None:
    """Rendered, the right margin is blank and so is the band over the rule."""
    svg = render_to_string("tracker/share_card.svg", {"card": card})
    image = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode()))).convert("L")
    right_margin = image.crop((drawing.CARD_WIDTH - drawing.CARD_MARGIN + 2, 20, 1200, 630))
    over_the_rule = image.crop((0, int(drawing.TEXT_BOTTOM) + 3, 1200, drawing.RULE_Y - 2))
    assert right_margin.getextrema() == (255, 255)
    assert over_the_rule.getextrema() == (255, 255)
