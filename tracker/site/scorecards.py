"""A party's scorecard: the claims it made and the claims made against it, month by month.

Pure: no database. The party page counts the published claims in one
grouped query (by side, month and verification state) and hands the rows
here, which fills in the months without claims, keeps the latest
``MONTHS_DRAWN`` of them (everything older is summed in one row, so the
totals stay whole) and lays out a stacked bar chart as SVG geometry.

The chart is a picture of the table printed beside it; the table is the
source of truth, and the chart's title and description say the same in
words, so nothing rests on colour or on seeing the bars.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tracker.models import Verification

MADE, AGAINST = "made", "against"
SIDES = (MADE, AGAINST)

# Stacked from the bottom: what reviewers confirmed first, what fell away last.
VERIFICATION_ORDER = [
    Verification.VERIFIED,
    Verification.CORROBORATED,
    Verification.UNVERIFIED,
    Verification.DISPUTED,
    Verification.REFUTED,
    Verification.RETRACTED,
]

MONTHS_DRAWN = 24
MAX_MONTH_LABELS = 8

CHART_WIDTH = 480
CHART_HEIGHT = 200
PLOT_LEFT = 40
PLOT_RIGHT = 8
PLOT_TOP = 10
PLOT_BOTTOM = 26
BAR_SHARE = 0.7
BAR_MAX_WIDTH = 36

SIDE_TITLES = {
    MADE: gettext_lazy("Claims it made"),
    AGAINST: gettext_lazy("Claims made against it"),
}


# Months -----------------------------------------------------------------------------


def month_index(month: str) -> int:
    """ "2025-03" as a number of months, so months can be counted and compared."""
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def month_at(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included: "2025-11" … "2026-02"."""
    return [month_at(n) for n in range(month_index(first), month_index(last) + 1)]


# Counts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCount:
    """One row of the table: a month (or everything before the chart) and its claims."""

    month: str
    counts: tuple[int, ...]  # in VERIFICATION_ORDER

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(verification state, count) in the table's column order."""
        return [(str(state), n) for state, n in zip(VERIFICATION_ORDER, self.counts, strict=True)]

    @property
    def labelled_cells(self) -> list[tuple[str, int]]:
        """(the state's name for readers, count): what a phone shows for each cell of a row."""
        return [(state.label, n) for state, n in zip(VERIFICATION_ORDER, self.counts, strict=True)]


def _counted(month: str, by_state: dict[str, int]) -> MonthCount:
    return MonthCount(month, tuple(by_state.get(state, 0) for state in VERIFICATION_ORDER))


def _added(month: str, rows: Iterable[MonthCount]) -> MonthCount:
    totals = [0] * len(VERIFICATION_ORDER)
    for row in rows:
        for n, count in enumerate(row.counts):
            totals[n] += count
    return MonthCount(month, tuple(totals))


@dataclass(frozen=True)
class Segment:
    """One verification state's part of one month's bar."""

    x: float
    y: float
    width: float
    height: float
    state: str
    count: int
    title: str


@dataclass(frozen=True)
class AxisLabel:
    x: float
    y: float
    text: str


@dataclass
class Series:
    """One side of the scorecard: the months drawn, what came before them, and the chart."""

    side: str
    months: list[MonthCount]
    earlier: MonthCount | None = None
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    states: list[tuple[str, str]] = field(
        default_factory=lambda: [(str(state), state.label) for state in VERIFICATION_ORDER]
    )

    @property
    def title(self) -> str:
        return str(SIDE_TITLES[self.side])

    @cached_property
    def total(self) -> MonthCount:
        rows = [*([self.earlier] if self.earlier else []), *self.months]
        return _added("", rows)

    @property
    def is_empty(self) -> bool:
        return self.total.total == 0

    @property
    def first_month(self) -> str:
        return self.months[0].month if self.months else ""

    @property
    def last_month(self) -> str:
        return self.months[-1].month if self.months else ""

    @cached_property
    def busiest(self) -> MonthCount | None:
        """The month drawn with the most claims (the earliest of equals)."""
        if not self.months:
            return None
        return max(self.months, key=lambda row: (row.total, -month_index(row.month)))

    @property
    def summary(self) -> str:
        """The chart in words, for its description and for readers who cannot see it."""
        if self.is_empty:
            return _("No published claims.")
        claims = ngettext("%(count)d claim", "%(count)d claims", self.total.total) % {
            "count": self.total.total
        }
        text = _("%(claims)s in all; %(first)s to %(last)s drawn, most in %(busiest)s (%(n)d).") % {
            "claims": claims,
            "first": self.first_month,
            "last": self.last_month,
            "busiest": self.busiest.month,
            "n": self.busiest.total,
        }
        if self.earlier:
            text += " " + (
                ngettext(
                    "%(count)d earlier claim is counted in the table.",
                    "%(count)d earlier claims are counted in the table.",
                    self.earlier.total,
                )
                % {"count": self.earlier.total}
            )
        return text

    # Geometry --------------------------------------------------------------------

    @property
    def plot_width(self) -> int:
        return self.width - PLOT_LEFT - PLOT_RIGHT

    @property
    def plot_height(self) -> int:
        return self.height - PLOT_TOP - PLOT_BOTTOM

    @property
    def baseline(self) -> int:
        return PLOT_TOP + self.plot_height

    @cached_property
    def scale_max(self) -> int:
        """The top of the scale: the busiest month, rounded up to 1, 2 or 5 times a power of ten."""
        return nice_ceiling(self.busiest.total if self.busiest else 0)

    @property
    def slot(self) -> float:
        return self.plot_width / max(len(self.months), 1)

    def _y(self, count: float) -> float:
        return self.baseline - self.plot_height * count / self.scale_max

    @cached_property
    def segments(self) -> list[Segment]:
        """The bars, one stacked segment per verification state with claims, bottom up."""
        segments = []
        bar_width = min(max(self.slot * BAR_SHARE, 1), BAR_MAX_WIDTH)
        for n, row in enumerate(self.months):
            x = PLOT_LEFT + n * self.slot + (self.slot - bar_width) / 2
            below = 0
            for state, count in zip(VERIFICATION_ORDER, row.counts, strict=True):
                if not count:
                    continue
                top = self._y(below + count)
                bottom = self._y(below)
                segments.append(
                    Segment(
                        x=round(x, 2),
                        y=round(top, 2),
                        width=round(bar_width, 2),
                        height=round(max(bottom - top, 1), 2),
                        state=str(state),
                        count=count,
                        title=f"{row.month}: {count} {state.label}",
                    )
                )
                below += count
        return segments

    @property
    def gridlines(self) -> list[AxisLabel]:
        """The scale's marks: nought, the top, and the half-way mark when it is a whole number."""
        marks = [0, self.scale_max]
        if self.scale_max % 2 == 0:
            marks.insert(1, self.scale_max // 2)
        return [AxisLabel(x=PLOT_LEFT - 4, y=round(self._y(m), 2), text=str(m)) for m in marks]

    @property
    def month_labels(self) -> list[AxisLabel]:
        """Every month's name when few are drawn, else every few months, the latest always."""
        step = math.ceil(len(self.months) / MAX_MONTH_LABELS) or 1
        last = len(self.months) - 1
        return [
            AxisLabel(
                x=round(PLOT_LEFT + (n + 0.5) * self.slot, 2),
                y=self.baseline + 16,
                text=row.month,
            )
            for n, row in enumerate(self.months)
            if (last - n) % step == 0
        ]

    @property
    def plot_right(self) -> int:
        return self.width - PLOT_RIGHT


def nice_ceiling(count: int) -> int:
    """The least of 1, 2, 5, 10, 20, 50, … that is at least ``count``."""
    if count <= 1:
        return 1
    power = 10 ** math.floor(math.log10(count))
    for step in (1, 2, 5, 10):
        if step * power >= count:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def series(side: str, by_month: dict[str, dict[str, int]], drawn: int = MONTHS_DRAWN) -> Series:
    """One side's months from the first with claims to the last, the latest ``drawn`` of them.

    Months without claims inside that span are drawn as empty, so the bars
    keep time; months before the span drawn are summed in ``earlier``.
    """
    if not by_month:
        return Series(side=side, months=[])
    first, last = min(by_month), max(by_month)
    every_month = [
        _counted(month, by_month.get(month, {})) for month in months_between(first, last)
    ]
    shown = every_month[-drawn:]
    before = every_month[:-drawn] if len(every_month) > drawn else []
    earlier = _added(before[-1].month, before) if before else None
    return Series(side=side, months=shown, earlier=earlier)


def scorecard(rows: Iterable[tuple[str, str, str, int]]) -> dict[str, Series]:
    """Both sides from (side, month, verification state, count) rows, as the query groups them."""
    by_side: dict[str, dict[str, dict[str, int]]] = {side: {} for side in SIDES}
    for side, month, state, count in rows:
        by_state = by_side[side].setdefault(month, {})
        by_state[state] = by_state.get(state, 0) + count
    return {side: series(side, by_side[side]) for side in SIDES}
