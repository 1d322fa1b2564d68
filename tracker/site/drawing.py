"""Laying out text for pictures: the status badge and the share image.

Pure: no database, no templates. SVG does not wrap or measure text, so the
widths come from here: DejaVu Sans's own advance widths (the font the share
image is rendered with, and close to what browsers pick for a badge), read
with Pillow's FreeType from the system's fonts; where that font is missing,
an estimate by the kind of character. The badge pins each text to its width
with ``textLength``, so it never overflows whatever font a reader's browser
falls back to.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from PIL import ImageFont

# Advance widths of DejaVu Sans, in ems, by the kind of character: the estimate
# used where the font itself cannot be read.
NARROW = frozenset("iljtfrI.,:;'!|()[]{} ")
WIDE = frozenset("mwMWЖжШшЩщЮюФф—")
NARROW_EM = 0.33
WIDE_EM = 0.9
UPPER_EM = 0.7
DIGIT_EM = 0.64
LOWER_EM = 0.6
# Bold letters of DejaVu Sans are up to a seventh wider.
BOLD_FACTOR = 1.15
FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
MEASURED_AT = 100

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
# The colours of the marks beside a status: as strong, and as plainly worded.
MARK_COLOURS = {
    "verified": "#a4161a",
    "overdue": "#8a4b00",
    "soon": "#0b4f9c",
}
LABEL_COLOUR = "#4a5360"
INK = "#1b1f24"
MUTED = "#4a5360"


@functools.cache
def _font(bold: bool):
    """DejaVu Sans at ``MEASURED_AT`` pixels, or None where it is not installed.

    Pillow looks for the file among the system's fonts (``/usr/share/fonts``).
    """
    try:
        return ImageFont.truetype(FONT_FILES[bold], MEASURED_AT)
    except OSError:
        return None


def estimated_width(text: str, size: float, bold: bool = False) -> float:
    """About how wide ``text`` is at ``size`` pixels, by the kind of each character."""
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


def text_width(text: str, size: float, bold: bool = False) -> float:
    """How wide ``text`` is at ``size`` pixels, in pixels, in DejaVu Sans."""
    font = _font(bold)
    if font is None:
        return estimated_width(text, size, bold)
    return font.getlength(text) * size / MEASURED_AT


def shortened(text: str, width: float, size: float, bold: bool = False) -> str:
    """``text``, cut at a word and ended with "…" when it would be wider than ``width``.

    For the badge's label only: the share image wraps and shrinks its text instead.
    """
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


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Every word of ``text``, on as many lines at most ``width`` wide as it takes.

    Nothing is cut: a word wider than a line (a name with no spaces) is
    broken by letters, starting on the line it would have begun.
    """
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        elif text_width(word, size, bold) <= width:
            lines.append(word)
        else:
            line = f"{lines.pop()} " if lines else ""
            for character in word:
                if line.strip() and text_width(line + character, size, bold) > width:
                    lines.append(line.rstrip())
                    line = ""
                line += character
            lines.append(line)
    return lines


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
SITE_SIZE = 28
SITE_Y = 84
PILL_TOP = 118
PILL_HEIGHT = 52
PILL_SIZE = 30
PILL_PADDING = 22
PILL_GAP = 16
RULE_Y = CARD_HEIGHT - 80
FOOTER_SIZE = 24
FOOTER_Y = CARD_HEIGHT - 40
# The lowest a line of text may reach: a little above the rule over the address.
TEXT_BOTTOM = RULE_Y - 12
# How far a line reaches below its baseline and above it, in ems (DejaVu Sans).
DESCENT = 0.24
ASCENT = 0.93
# (title size, facts size), largest first: the first that fits everything is used.
SIZES = [
    (56, 30),
    (48, 30),
    (48, 27),
    (42, 27),
    (42, 24),
    (36, 24),
    (36, 22),
    (32, 22),
    (32, 20),
    (28, 20),
    (28, 18),
]
TITLE_LEADING = 1.2
FACT_LEADING = 1.25
FACT_GAP = 0.3  # between two facts, in ems, beside each one's own leading


@dataclass(frozen=True)
class CardText:
    x: float
    y: float
    size: float
    text: str
    fill: str = INK
    bold: bool = False

    def __post_init__(self):
        # Written into the SVG as they are: a tenth of a pixel is precise enough.
        for name in ("x", "y", "size"):
            object.__setattr__(self, name, round(getattr(self, name), 1))

    @property
    def width(self) -> float:
        return text_width(self.text, self.size, self.bold)

    @property
    def top(self) -> float:
        return self.y - ASCENT * self.size

    @property
    def bottom(self) -> float:
        return self.y + DESCENT * self.size


@dataclass(frozen=True)
class Pill:
    """A word in a coloured box: the status, or a mark beside it ("overdue")."""

    x: float
    width: float
    label: str
    fill: str
    y: float = PILL_TOP
    height: float = PILL_HEIGHT

    def __post_init__(self):
        object.__setattr__(self, "width", round(self.width, 1))


@dataclass
class ShareCard:
    """A 1200×630 picture of a commitment (or of the board) for links shared elsewhere.

    The layout runs top to bottom: the site's name, the status and its marks
    in pills, the title, then the facts, and the address at the foot. Every
    word of the title and of each fact is drawn: a line too long wraps, and
    when the lines do not fit, the title and the facts shrink together
    (``SIZES``). ``sides`` are the lines that give each side's claims: a
    picture gives every side's or none, so when they cannot all fit at the
    smallest size, ``sides_in_all`` (one line counting them together) takes
    their place.
    """

    site: str
    title: str
    lines: list[str]
    footer: str
    status: str = ""
    status_label: str = ""
    marks: list[tuple[str, str]] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)
    sides_in_all: str = ""
    width: int = CARD_WIDTH
    height: int = CARD_HEIGHT
    texts: list[CardText] = field(init=False)
    pills: list[Pill] = field(init=False)
    shows_each_side: bool = field(init=False)

    def __post_init__(self):
        self.pills, marks_as_lines = self._pills()
        top = PILL_TOP + PILL_HEIGHT if self.pills else PILL_TOP
        head = [CardText(CARD_MARGIN, SITE_Y, SITE_SIZE, self.site, fill=MUTED)]
        head += [
            CardText(pill.x + PILL_PADDING, PILL_TOP + 38, PILL_SIZE, pill.label, "#ffffff", True)
            for pill in self.pills
        ]
        facts = [*marks_as_lines, *self.lines]
        in_all = [self.sides_in_all] if self.sides_in_all else []
        body = self._fitting(top, [*facts, *self.sides])
        self.shows_each_side = body is not None
        if body is None:
            body = self._fitting(top, [*facts, *in_all]) or self._squeezed(top, [*facts, *in_all])
        footer = CardText(CARD_MARGIN, FOOTER_Y, FOOTER_SIZE, self.footer, fill=MUTED)
        if footer.width > CARD_TEXT_WIDTH:
            size = FOOTER_SIZE * CARD_TEXT_WIDTH / footer.width
            footer = CardText(CARD_MARGIN, FOOTER_Y, size, self.footer, fill=MUTED)
        self.texts = [*head, *body, footer]

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.status, INK)

    @property
    def pill(self) -> dict | None:
        """The status pill, as the template draws it."""
        if not self.pills:
            return None
        first = self.pills[0]
        return {"x": first.x, "y": first.y, "width": round(first.width), "height": first.height}

    def _pills(self) -> tuple[list[Pill], list[str]]:
        """The status and its marks in a row; a mark with no room left becomes a line."""
        pills: list[Pill] = []
        left_over: list[str] = []
        x = CARD_MARGIN
        wanted = [(self.status_label, self.colour)] if self.status_label else []
        wanted += [(label, MARK_COLOURS.get(kind, INK)) for kind, label in self.marks]
        for label, colour in wanted:
            label = label.upper()
            width = text_width(label, PILL_SIZE, bold=True) + 2 * PILL_PADDING
            if x + width > CARD_MARGIN + CARD_TEXT_WIDTH and pills:
                left_over.append(label.capitalize())
                continue
            pills.append(Pill(x, width, label, colour))
            x += width + PILL_GAP
        return pills, left_over

    def _fitting(self, top: float, facts: list[str]) -> list[CardText] | None:
        """The title and ``facts`` at the largest sizes that fit above the address, or None."""
        for title_size, fact_size in SIZES:
            texts = self._lay_out(top, title_size, fact_size, facts)
            if not texts or texts[-1].bottom <= TEXT_BOTTOM:
                return texts
        return None

    def _squeezed(self, top: float, facts: list[str]) -> list[CardText]:
        """Everything at the smallest sizes, shrunk further until it fits: nothing is left out."""
        title_size, fact_size = SIZES[-1]
        while True:
            texts = self._lay_out(top, title_size, fact_size, facts)
            if not texts or texts[-1].bottom <= TEXT_BOTTOM or fact_size < 8:
                return texts
            title_size, fact_size = title_size * 0.9, fact_size * 0.9

    def _lay_out(
        self, top: float, title_size: float, fact_size: float, facts: list[str]
    ) -> list[CardText]:
        texts = []
        y = top
        for line in wrap(self.title, CARD_TEXT_WIDTH, title_size, bold=True):
            y += title_size * TITLE_LEADING
            texts.append(CardText(CARD_MARGIN, y, title_size, line, bold=True))
        y += fact_size * 0.6
        for fact in facts:
            y += fact_size * FACT_GAP
            for line in wrap(fact, CARD_TEXT_WIDTH, fact_size):
                y += fact_size * FACT_LEADING
                texts.append(CardText(CARD_MARGIN, y, fact_size, line))
        return texts
