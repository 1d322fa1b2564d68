"""Pure helpers that turn records into what the pages draw and say.

Nothing here touches the database: the views load rows, these functions
compute the daily strip, the reading timeline, local times and delivery
totals, so each rule can be tested with plain values. Countdowns and other
wording of time come from ``tracker.clock``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby

from django.utils import formats
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tracker import clock
from tracker.clock import calendar_day, day_text
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
) -> Strip | None:
    """The strip from the window's first day to its last (or to today if it has no end).

    Windows are half-open, so one ending at midnight does not include that day.
    Days are dated like reports (``calendar_day``), so a window worded in
    whole days on a Moscow or Kyiv clock covers exactly those days.
    Long windows keep their most recent ``STRIP_MAX_DAYS`` days.
    """
    if start is None:
        return None
    first = calendar_day(start, precision)
    if end is None:
        last = now.astimezone(UTC).date()
    elif precision == "day":
        last = calendar_day(end, precision) - dt.timedelta(days=1)
    else:
        last = (end.astimezone(UTC) - dt.timedelta(microseconds=1)).date()
    last = max(first, last)
    clipped = (last - first).days + 1 > STRIP_MAX_DAYS
    if clipped:
        first = last - dt.timedelta(days=STRIP_MAX_DAYS - 1)
    today = now.astimezone(UTC).date()
    return Strip(
        runs=_runs(first, last, today, worst_by_day),
        first_day=first,
        last_day=last,
        is_clipped=clipped,
    )


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


# Reading timeline -------------------------------------------------------------------

TIMELINE_WIDTH = 720
TIMELINE_ROW_HEIGHT = 28
TIMELINE_BAR_HEIGHT = 16
TIMELINE_AXIS_HEIGHT = 24
TIMELINE_TICK_ROW_HEIGHT = 28


@dataclass(frozen=True)
class TimelineSpan:
    """One reading of the window, drawn as a bar."""

    label: str
    is_working: bool
    x: float
    y: float
    width: float
    height: float
    open_start: bool
    open_end: bool
    text_y: float


@dataclass(frozen=True)
class TimelineTick:
    """One reported event, drawn as a tick whose height says how serious it is."""

    x: float
    y: float
    height: float
    severity: Severity
    title: str


@dataclass(frozen=True)
class TimelineMark:
    x: float
    label: str


@dataclass
class Timeline:
    width: int
    height: int
    spans: list[TimelineSpan] = field(default_factory=list)
    ticks: list[TimelineTick] = field(default_factory=list)
    marks: list[TimelineMark] = field(default_factory=list)
    now: TimelineMark | None = None
    now_is_later: bool = False
    tick_row_y: float = 0
    axis_y: float = 0
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    zone: str = "UTC"

    @property
    def axis_summary(self) -> str:
        """The axis in words, for readers who do not see it: its dates, its zone and its marks."""
        return _("The axis runs from %(first)s to %(last)s (%(zone)s), marked at %(marks)s.") % {
            "first": day_text(self.first_day),
            "last": day_text(self.last_day),
            "zone": clock.zone_label(self.zone),
            "marks": ", ".join(mark.label for mark in self.marks) or "—",
        }

    @property
    def tick_marks(self) -> str:
        """The ticks as SVG, written here: there can be hundreds, and each says the same few things.

        Each is a rect titled with what it stands for and how serious it is.
        """
        labels = {severity: severity.label for severity in Severity}
        return format_html_join(
            "",
            '<rect class="tick-{}" x="{}" y="{}" width="3" height="{}">'
            "<title>{} ({})</title></rect>",
            (
                (
                    t.severity.css,
                    f"{t.x:g}",
                    f"{t.y:g}",
                    f"{t.height:g}",
                    t.title,
                    labels[t.severity],
                )
                for t in self.ticks
            ),
        )


@dataclass(frozen=True)
class ReadingSpan:
    """What the timeline needs from a reading."""

    label: str
    start: dt.datetime | None
    end: dt.datetime | None
    is_working: bool = False


def timeline(
    readings: list[ReadingSpan],
    events: Iterable[tuple[dt.datetime, Severity, str]],
    now: dt.datetime,
    tz_name: str = "UTC",
) -> Timeline | None:
    """Lay out every reading as a bar on one time axis, with event ticks and "now".

    ``events`` are (occurred_at, severity, title). The axis covers
    the readings and events; "now" is marked where it falls inside it, and
    otherwise the timeline says that today lies later. The axis is dated on
    the reader's clock (``tz_name``), by day or by month (``axis_marks``).
    """
    events = list(events)
    instants = [i for r in readings for i in (r.start, r.end) if i is not None]
    instants += [at for at, *_ in events]
    if not instants:
        return None
    low, high = min(instants), max(instants)
    if low <= now <= high + dt.timedelta(days=3):
        high = max(high, now)
    if high - low < dt.timedelta(days=1):
        high = low + dt.timedelta(days=1)
    margin = (high - low) * 0.04
    low, high = low - margin, high + margin
    span_seconds = (high - low).total_seconds()

    def x_of(instant: dt.datetime) -> float:
        return round((instant - low).total_seconds() / span_seconds * TIMELINE_WIDTH, 1)

    drawing = Timeline(width=TIMELINE_WIDTH, height=0, zone=tz_name)
    y = 0.0
    for reading in readings:
        left = x_of(reading.start) if reading.start else 0.0
        right = x_of(reading.end) if reading.end else float(TIMELINE_WIDTH)
        drawing.spans.append(
            TimelineSpan(
                label=reading.label,
                is_working=reading.is_working,
                x=left,
                y=y + (TIMELINE_ROW_HEIGHT - TIMELINE_BAR_HEIGHT),
                width=max(right - left, 2.0),
                height=TIMELINE_BAR_HEIGHT,
                open_start=reading.start is None,
                open_end=reading.end is None,
                text_y=y + 10,
            )
        )
        y += TIMELINE_ROW_HEIGHT
    drawing.tick_row_y = y
    for occurred_at, severity, title in sorted(events, key=lambda e: e[0]):
        height = {Severity.NONE: 8, Severity.ALLEGED: 16, Severity.VERIFIED: 24}[severity]
        drawing.ticks.append(
            TimelineTick(
                x=x_of(occurred_at),
                y=y + TIMELINE_TICK_ROW_HEIGHT - height,
                height=height,
                severity=severity,
                title=title,
            )
        )
    y += TIMELINE_TICK_ROW_HEIGHT
    drawing.axis_y = y
    marks = axis_marks(low, high, tz_name)
    drawing.marks = [TimelineMark(x=x_of(instant), label=label) for instant, label in marks]
    drawing.first_day = clock.utc_to_local(low, tz_name).date()
    drawing.last_day = clock.utc_to_local(high, tz_name).date()
    if low <= now <= high:
        drawing.now = TimelineMark(x=x_of(now), label=_("now"))
    drawing.now_is_later = now > high
    drawing.height = int(y + TIMELINE_AXIS_HEIGHT)
    return drawing


# At most this many dates fit under the timeline, each label clear of the next.
AXIS_MOST_MARKS = 8
AXIS_DAY_STEPS = (1, 2, 3, 7, 14)
AXIS_MONTH_STEPS = (1, 2, 3, 6, 12)


def axis_marks(
    low: dt.datetime, high: dt.datetime, tz_name: str = "UTC"
) -> list[tuple[dt.datetime, str]]:
    """The dates to mark under a timeline from ``low`` to ``high``, on ``tz_name``'s clock.

    Each mark is the local midnight starting a day or a month, as (UTC
    instant, label in the reader's language). A span that a few day marks
    can cover gets days ("18 March"); a longer one gets months ("March 2025",
    then "April"; the year again each January), every one, or every second,
    third, sixth or twelfth month, whichever first leaves at most
    ``AXIS_MOST_MARKS``.
    """
    first = clock.utc_to_local(low, tz_name).date() + dt.timedelta(days=1)
    last = clock.utc_to_local(high, tz_name).date()
    days = (last - first).days + 1
    for step in AXIS_DAY_STEPS:
        if days <= step * AXIS_MOST_MARKS:
            return [
                (
                    clock.local_to_utc(day, tz_name, clock.Precision.DAY),
                    formats.date_format(day, "MONTH_DAY_FORMAT"),
                )
                for day in (first + dt.timedelta(days=n) for n in range(0, days, step))
            ]
    first_month = dt.date(first.year, first.month, 1)
    if first_month < first:
        first_month = _next_month(first_month)
    months = (last.year - first_month.year) * 12 + last.month - first_month.month + 1
    step = next((s for s in AXIS_MONTH_STEPS if months <= s * AXIS_MOST_MARKS), None)
    if step is None:
        step = -(-months // AXIS_MOST_MARKS)
    marks = []
    month = first_month
    for n in range(months):
        if n % step == 0:
            with_year = not marks or month.month == 1
            label = formats.date_format(month, "YEAR_MONTH_FORMAT" if with_year else "F")
            marks.append((clock.local_to_utc(month, tz_name, clock.Precision.DAY), label))
        month = _next_month(month)
    return marks


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


# Times in several zones ------------------------------------------------------------


def in_zones(
    instant: dt.datetime | None,
    precision: str,
    reader_zone: str,
    own_zone: str,
    party_zones: Iterable[str] = (),
) -> list[str]:
    """A reading's instant as readers should read it, each with its zone named.

    A day is one day, in the zone its wording meant: ["1 February 2026,
    Moscow"]; shown on any other clock it would turn into the evening before.
    An hour or a minute is given on the reader's clock first, then on the
    wording's own and on each party's, without repeats.
    """
    if instant is None:
        return []
    if precision == clock.Precision.DAY:
        return [clock.instant_text(instant, precision, reader_zone, own_zone=own_zone)]
    names = [reader_zone, own_zone, *sorted(set(party_zones))]
    unique = list(dict.fromkeys(name for name in names if name))
    return [clock.instant_text(instant, precision, name) for name in unique]


# Status ----------------------------------------------------------------------------


def status_since(
    changes: Iterable,
    announced_on: dt.date,
    tz_name: str = "UTC",
    *,
    deadlines: Iterable[dt.datetime | None] = (),
    precision: str = "minute",
) -> str:
    """When the present status took effect, for "since …".

    That is the effective time of the change that gave it, the last one
    recorded in the status-change log; one that took effect at the working
    deadline (an expiry by the clock) is as precise as that deadline. With
    no change logged the commitment is as it was announced, on the day of its
    agreement: the record's creation time says nothing about the world.
    """
    change = max(changes, key=lambda c: (c.recorded_at, c.pk), default=None)
    if change is None:
        return day_text(announced_on)
    exact = precision if change.effective_at in set(deadlines) else clock.Precision.MINUTE
    return clock.instant_text(change.effective_at, exact, tz_name)


# Deliveries ------------------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """What one side received in one delivery, and its running total so far."""

    side: str
    unit: str
    quantity: int
    running_total: int
    promised: int | None

    @property
    def share_of_promise(self) -> int | None:
        if not self.promised:
            return None
        return round(self.running_total * 100 / self.promised)


@dataclass(frozen=True)
class Delivery:
    occurred_at: dt.datetime
    day: dt.date
    summary: str
    handovers: list[Handover]


def deliveries_with_totals(
    deliveries: Iterable[tuple[dt.datetime, dt.date, str, list[tuple[str, int, str]]]],
    promised: int | None,
    before: dict[tuple[str, str], int] | None = None,
) -> tuple[list[Delivery], list[Handover]]:
    """Add running totals per side and unit to deliveries taken in time order.

    ``deliveries`` are (occurred_at, day, summary, [(side, quantity, unit), ...]).
    ``before`` is what each (side, unit) had received before the first of
    them, when only the latest deliveries are listed.
    Returns the deliveries and, per side and unit, the total handed over so far.
    """
    totals: dict[tuple[str, str], int] = dict(before or {})
    result = []
    for occurred_at, day, summary, quantities in sorted(deliveries, key=lambda d: d[0]):
        handovers = []
        for side, quantity, unit in quantities:
            totals[side, unit] = totals.get((side, unit), 0) + quantity
            handovers.append(
                Handover(
                    side=side,
                    unit=unit,
                    quantity=quantity,
                    running_total=totals[side, unit],
                    promised=promised,
                )
            )
        result.append(
            Delivery(occurred_at=occurred_at, day=day, summary=summary, handovers=handovers)
        )
    final = [
        Handover(side=side, unit=unit, quantity=total, running_total=total, promised=promised)
        for (side, unit), total in sorted(totals.items())
    ]
    return result, final


# Grouping --------------------------------------------------------------------------


def pack(groups: Iterable[tuple[object, int]], budget: int) -> list[list]:
    """Split (group, size) pairs, in order, into pages of whole groups of at most ``budget``.

    A group larger than the budget gets a page of its own.
    """
    pages: list[list] = []
    filled = budget
    for group, size in groups:
        if filled + size > budget:
            pages.append([])
            filled = 0
        pages[-1].append(group)
        filled += size
    return pages


def group_by_agreement(commitments: Iterable) -> list[tuple[object, list]]:
    """Consecutive commitments under the same agreement, in the order given."""
    return [
        (agreement, list(items))
        for agreement, items in groupby(commitments, key=lambda c: c.agreement)
    ]


@dataclass(frozen=True)
class ClaimantTally:
    claimant: str
    alleged: int
    verified: int


def violation_tallies(
    by_claimant: dict[int | None, dict[str, int]], names: dict[int, str]
) -> list[ClaimantTally]:
    """Alleged and verified violation counts per claimant, most verified first."""
    tallies = [
        ClaimantTally(
            claimant=names.get(claimant_id, _("unknown")) if claimant_id else _("unattributed"),
            alleged=counts["alleged"],
            verified=counts["verified"],
        )
        for claimant_id, counts in by_claimant.items()
        if counts["alleged"] or counts["verified"]
    ]
    return sorted(tallies, key=lambda t: (-t.verified, -t.alleged, t.claimant))
