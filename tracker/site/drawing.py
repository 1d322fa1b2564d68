"""Laying out text for pictures: the status badge and the share image.

Pure: no database, no templates. SVG does not wrap or measure text, so the
widths here are estimates for DejaVu Sans (the font the share image is
rendered with, and close to what browsers pick for a badge). The badge
pins each text to its estimated width with ``textLength``, so it never
overflows whatever font a reader's browser falls back to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Advance widths of DejaVu Sans, in ems, by the kind of character.
NARROW = frozenset("iljtfrI.,:;'!|()[]{} ")
WIDE = frozenset("mwMWЖжШшЩщЮюФф—")
NARROW_EM = 0.33
WIDE_EM = 0.9
UPPER_EM = 0.7
DIGIT_EM = 0.64
LOWER_EM = 0.6
# Bold letters of DejaVu Sans are up to a seventh wider.
BOLD_FACTOR = 1.15

# The status colours of the site's stylesheet, strong enough for white text on them.
STATUS_COLOURS = {
    "announced": "#5a4a00",
    "in_force": "#1d6b3a",
    "suspended": "#8a4b00",
    "fulfilled": "#0b4f9c",
    "expired": "#3d4651",
    "collapsed": "#a4161a",
    "superseded": "#5b3a8c",
}
LABEL_COLOUR = "#4a5360"
INK = "#1b1f24"
MUTED = "#4a5360"


def text_width(text: str, size: float, bold: bool = False) -> float:
    """About how wide ``text`` is at ``size`` pixels, in pixels."""
    ems = 0.0
    for character in text:
        if character in NARROW:
            ems += NARROW_EM
        elif character in WIDE:
            ems += WIDE_EM
        elif character.isdigit():
            ems += DIGIT_EM
        elif character.isupper():
            ems += UPPER_EM
        else:
            ems += LOWER_EM
    return ems * size * (BOLD_FACTOR if bold else 1)


def shortened(text: str, width: float, size: float, bold: bool = False) -> str:
    """``text``, cut at a word and ended with "…" when it would be wider than ``width``."""
    if text_width(text, size, bold) <= width:
        return text
    words = text.split()
    while words:
        candidate = " ".join(words) + "…"
        if text_width(candidate, size, bold) <= width:
            return candidate
        words.pop()
    # One word too long for the space: cut it by characters.
    cut = text
    while cut and text_width(cut + "…", size, bold) > width:
        cut = cut[:-1]
    return cut + "…"


def wrap(text: str, width: float, size: float, max_lines: int, bold: bool = False) -> list[str]:
    """``text`` broken into lines at most ``width`` wide, the last one shortened if need be."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size, bold) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = shortened(f"{lines[-1]} {' '.join(words)}", width, size, bold)
    return [shortened(line, width, size, bold) for line in lines]


# The badge ---------------------------------------------------------------------------

BADGE_HEIGHT = 20
BADGE_FONT_SIZE = 11
BADGE_PADDING = 6
BADGE_LABEL_MAX = 220


@dataclass(frozen=True)
class Badge:
    """A two-part badge in the common style: a grey label and a coloured message."""

    label: str
    message: str
    colour: str

    @classmethod
    def for_status(cls, label: str, message: str, status: str) -> Badge:
        label = shortened(label, BADGE_LABEL_MAX, BADGE_FONT_SIZE)
        return cls(label, message, STATUS_COLOURS.get(status, LABEL_COLOUR))

    @property
    def label_text_width(self) -> int:
        return round(text_width(self.label, BADGE_FONT_SIZE))

    @property
    def message_text_width(self) -> int:
        return round(text_width(self.message, BADGE_FONT_SIZE))

    @property
    def label_width(self) -> int:
        return self.label_text_width + 2 * BADGE_PADDING

    @property
    def message_width(self) -> int:
        return self.message_text_width + 2 * BADGE_PADDING

    @property
    def width(self) -> int:
        return self.label_width + self.message_width

    height = BADGE_HEIGHT

    @property
    def label_x(self) -> float:
        return self.label_width / 2

    @property
    def message_x(self) -> float:
        return self.label_width + self.message_width / 2

    @property
    def text(self) -> str:
        return f"{self.label}: {self.message}"


# The share image ---------------------------------------------------------------------

CARD_WIDTH = 1200
CARD_HEIGHT = 630
CARD_MARGIN = 64
CARD_TEXT_WIDTH = CARD_WIDTH - 2 * CARD_MARGIN
TITLE_SIZE = 56
TITLE_LINE = 68
TITLE_LINES = 3
PILL_SIZE = 30
PILL_PADDING = 22
LINE_SIZE = 30
LINE_STEP = 44


@dataclass(frozen=True)
class CardText:
    x: float
    y: float
    size: int
    text: str
    fill: str = INK
    bold: bool = False


@dataclass
class ShareCard:
    """A 1200×630 picture of a commitment (or of the board) for links shared elsewhere.

    The layout runs top to bottom: the site's name, the status in a pill,
    the title on up to three lines, then the lines of facts, and the
    address at the foot.
    """

    site: str
    title: str
    lines: list[str]
    footer: str
    status: str = ""
    status_label: str = ""
    width: int = CARD_WIDTH
    height: int = CARD_HEIGHT
    texts: list[CardText] = field(init=False)

    def __post_init__(self):
        self.texts = self._lay_out()

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.status, INK)

    @property
    def pill(self) -> dict | None:
        if not self.status_label:
            return None
        width = text_width(self.status_label.upper(), PILL_SIZE, bold=True) + 2 * PILL_PADDING
        return {"x": CARD_MARGIN, "y": 118, "width": round(width), "height": 52}

    def _lay_out(self) -> list[CardText]:
        texts = [CardText(CARD_MARGIN, 84, 28, self.site, fill=MUTED)]
        y = 118
        if self.status_label:
            texts.append(
                CardText(
                    CARD_MARGIN + PILL_PADDING,
                    156,
                    PILL_SIZE,
                    self.status_label.upper(),
                    fill="#ffffff",
                    bold=True,
                )
            )
            y = 170
        for line in wrap(self.title, CARD_TEXT_WIDTH, TITLE_SIZE, TITLE_LINES, bold=True):
            y += TITLE_LINE
            texts.append(CardText(CARD_MARGIN, y, TITLE_SIZE, line, bold=True))
        y += 24
        room = (CARD_HEIGHT - 90 - y) // LINE_STEP
        for line in self.lines[: max(room, 0)]:
            y += LINE_STEP
            texts.append(
                CardText(CARD_MARGIN, y, LINE_SIZE, shortened(line, CARD_TEXT_WIDTH, LINE_SIZE))
            )
        texts.append(
            CardText(
                CARD_MARGIN,
                CARD_HEIGHT - 40,
                24,
                shortened(self.footer, CARD_TEXT_WIDTH, 24),
                fill=MUTED,
            )
        )
        return texts
