"""The daily strip: one cell per day of a window, coloured by its worst report.

Pure: the views give the days' worst standings (kept in each commitment's
compliance summary) and the window; these functions decide each day's
severity and draw the strip as a few runs of like days, with a title only
where a day has something to say.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tracker.clock import day_text, local_day, source_day
from tracker.models import VERIFIED, violation_standing

UTC = dt.UTC


# Severity of a day or an event ---------------------------------------------------


class Severity(enum.IntEnum):
    """How bad the worst report on a day is. Ordered, so max() picks the worst."""

    NONE = 0
    ALLEGED = 1
    VERIFIED = 2

    @property
    def css(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return str(SEVERITY_LABELS[self])


SEVERITY_LABELS = {
    Severity.NONE: gettext_lazy("no reports"),
    Severity.ALLEGED: gettext_lazy("alleged violation"),
    Severity.VERIFIED: gettext_lazy("verified violation"),
}


def severity_of(kind: str, verification: str) -> Severity:
    """How bad a report is, by how it counts against the commitment (``violation_standing``)."""
    standing = violation_standing(kind, verification)
    if standing is None:
        return Severity.NONE
    return Severity.VERIFIED if standing == VERIFIED else Severity.ALLEGED


def severity_by_standing(worst_days: dict[dt.date, str]) -> dict[dt.date, Severity]:
    """{day: alleged or verified} as the strip's severities."""
    return {
        day: Severity.VERIFIED if standing == VERIFIED else Severity.ALLEGED
        for day, standing in worst_days.items()
    }


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def severity_by_day(
    reports: Iterable[tuple[dt.date, dt.date | None, str, str]],
) -> dict[dt.date, Severity]:
    """Fold (first day, last day or None, kind, verification) reports into the worst per day.

    A claim about a period ("between 18 and 25 March") marks every day of it.
    """
    worst: dict[dt.date, Severity] = {}
    for first, last, kind, verification in reports:
        severity = severity_of(kind, verification)
        if severity is Severity.NONE:
            continue
        for day in days_between(first, max(first, last or first)):
            worst[day] = max(worst.get(day, Severity.NONE), severity)
    return worst


# Daily strip -----------------------------------------------------------------------

STRIP_CELL_WIDTH = 6
STRIP_HEIGHT = 20
STRIP_MAX_DAYS = 120
STRIP_BAR_HEIGHT = {Severity.NONE: 4, Severity.ALLEGED: 12, Severity.VERIFIED: 20}


@dataclass(frozen=True, slots=True)
class StripCell:
    day: dt.date
    severity: Severity
    is_future: bool
    x: int
    y: int
    width: int
    height: int

    @property
    def css(self) -> str:
        return "future" if self.is_future else self.severity.css

    @property
    def title(self) -> str:
        if self.is_future:
            return _("%(day)s: still to come") % {"day": day_text(self.day)}
        return f"{day_text(self.day)}: {self.severity.label}"


@dataclass(frozen=True)
class StripRun:
    """Consecutive days drawn alike: one stroke, cut into a bar per day by its dashes."""

    css: str
    severity: Severity
    first_day: dt.date
    last_day: dt.date
    x: int
    days: int

    @property
    def width(self) -> int:
        return self.days * STRIP_CELL_WIDTH

    @property
    def middle(self) -> float:
        height = STRIP_BAR_HEIGHT[Severity.NONE if self.css == "future" else self.severity]
        return STRIP_HEIGHT - height / 2

    @property
    def title(self) -> str:
        if self.first_day == self.last_day:
            return f"{day_text(self.first_day)}: {self.severity.label}"
        return f"{day_text(self.first_day)} – {day_text(self.last_day)}: {self.severity.label}"


@dataclass
class Strip:
    """One bar per day across a window: no reports, alleged, or verified.

    Severity is drawn as bar height as well as colour, so it never rests on
    colour alone; ``summary`` says the same in words. The drawing is a path
    per kind of day (``paths``), whatever the number of days, and only the
    days with reports carry a title to point at (``marks``).
    """

    runs: list[StripRun]
    first_day: dt.date
    last_day: dt.date
    is_clipped: bool

    @property
    def width(self) -> int:
        return sum(run.width for run in self.runs)

    height = STRIP_HEIGHT

    @cached_property
    def cells(self) -> list[StripCell]:
        """The strip one day at a time."""
        cells = []
        for run in self.runs:
            height = STRIP_BAR_HEIGHT[run.severity]
            for n in range(run.days):
                cells.append(
                    StripCell(
                        day=run.first_day + dt.timedelta(days=n),
                        severity=run.severity,
                        is_future=run.css == "future",
                        x=run.x + n * STRIP_CELL_WIDTH,
                        y=STRIP_HEIGHT - height,
                        width=STRIP_CELL_WIDTH - 1,
                        height=height,
                    )
                )
        return cells

    def days_with(self, severity: Severity) -> int:
        return sum(
            run.days for run in self.runs if run.css != "future" and run.severity is severity
        )

    @property
    def summary(self) -> str:
        alleged, verified = self.days_with(Severity.ALLEGED), self.days_with(Severity.VERIFIED)
        return _("%(first)s to %(last)s: %(alleged)s, %(verified)s.") % {
            "first": day_text(self.first_day),
            "last": day_text(self.last_day),
            "alleged": ngettext(
                "%(days)d day with alleged violations",
                "%(days)d days with alleged violations",
                alleged,
            )
            % {"days": alleged},
            "verified": ngettext(
                "%(days)d with verified violations", "%(days)d with verified violations", verified
            )
            % {"days": verified},
        }

    @property
    def paths(self) -> list[tuple[str, str]]:
        """(kind of day, SVG path data): a horizontal stroke for each run of such days."""
        strokes: dict[str, list[str]] = {}
        for run in self.runs:
            strokes.setdefault(run.css, []).append(f"M{run.x} {run.middle:g}h{run.width}")
        return [(css, "".join(parts)) for css, parts in strokes.items()]

    @property
    def marks(self) -> list[StripRun]:
        """The runs of days with reports: the only places with something to say on hover."""
        return [
            run for run in self.runs if run.css != "future" and run.severity is not Severity.NONE
        ]


def daily_strip(
    start: dt.datetime | None,
    end: dt.datetime | None,
    worst_by_day: dict[dt.date, Severity],
    now: dt.datetime,
    precision: str = "minute",
    own_zone: str | None = None,
) -> Strip | None:
    """The strip from the window's first day to its last (or to today if it has no end).

    Windows are half-open, so one ending at midnight does not include that day.
    A window worded in whole days covers exactly the days its wording named,
    on its own clock (``own_zone``: "thirty days from 18 March", Moscow
    time, is 18 March to 16 April), the days claims are dated on; a finer
    window covers the UTC days it touches.
    Long windows keep their most recent ``STRIP_MAX_DAYS`` days.
    """
    days = strip_days(start, end, now, precision, own_zone)
    if days is None:
        return None
    first, last = days
    clipped = local_day(start, precision, "UTC", own_zone) < first
    today = now.astimezone(UTC).date()
    return Strip(
        runs=_runs(first, last, today, worst_by_day),
        first_day=first,
        last_day=last,
        is_clipped=clipped,
    )


def strip_days(
    start: dt.datetime | None,
    end: dt.datetime | None,
    now: dt.datetime,
    precision: str = "minute",
    own_zone: str | None = None,
) -> tuple[dt.date, dt.date] | None:
    """The first and last day ``daily_strip`` draws for a window: at most ``STRIP_MAX_DAYS``.

    The days' standings need be read for these days only, however long the
    window or the periods its claims are about.
    """
    if start is None:
        return None
    first = local_day(start, precision, "UTC", own_zone)
    if end is None:
        last = now.astimezone(UTC).date()
    elif precision == "day":
        last = source_day(end, own_zone) - dt.timedelta(days=1)
    else:
        last = (end.astimezone(UTC) - dt.timedelta(microseconds=1)).date()
    last = max(first, last)
    if (last - first).days + 1 > STRIP_MAX_DAYS:
        first = last - dt.timedelta(days=STRIP_MAX_DAYS - 1)
    return first, last


def _runs(first: dt.date, last: dt.date, today: dt.date, worst_by_day: dict) -> list[StripRun]:
    """The strip's days as runs of like days, walking only the days with reports.

    A strip can cover 120 days of which a handful had reports: the days
    between them are quiet (or still to come), one run each.
    """
    runs: list[StripRun] = []

    def add(css: str, severity: Severity, start: dt.date, end: dt.date) -> None:
        if end < start:
            return
        days = (end - start).days + 1
        x = (start - first).days * STRIP_CELL_WIDTH
        previous = runs[-1] if runs else None
        if previous and previous.css == css and previous.last_day + dt.timedelta(days=1) == start:
            runs[-1] = StripRun(
                css, severity, previous.first_day, end, previous.x, previous.days + days
            )
        else:
            runs.append(StripRun(css, severity, start, end, x, days))

    def quiet(start: dt.date, end: dt.date) -> None:
        add("none", Severity.NONE, start, min(end, today))
        add("future", Severity.NONE, max(start, today + dt.timedelta(days=1)), end)

    cursor = first
    for day in sorted(d for d in worst_by_day if first <= d <= last):
        quiet(cursor, day - dt.timedelta(days=1))
        if day > today:
            add("future", Severity.NONE, day, day)
        else:
            severity = worst_by_day[day]
            add(severity.css, severity, day, day)
        cursor = day + dt.timedelta(days=1)
    quiet(cursor, last)
    return runs
