"""The reading timeline: each party's reading of a window as a bar, on a dated axis.

Pure: the views give the readings' spans and the days' ticks by severity;
these functions place them on one shared scale and label the axis with
months, or days when the span is short, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from tracker import clock
from tracker.clock import day_text
from tracker.site.strips import Severity

UTC = dt.UTC


# Reading timeline -------------------------------------------------------------------

TIMELINE_WIDTH = 720
TIMELINE_ROW_HEIGHT = 28
TIMELINE_BAR_HEIGHT = 16
TIMELINE_AXIS_HEIGHT = 24
TIMELINE_TICK_ROW_HEIGHT = 28
# The calendar ends at the years 1 and 9999; an axis keeps clear of its edges, so every
# mark under it, a day or a month on any zone's clock, is still a date. Only a stored
# typing slip (a claim dated in the year 1) comes near them, and is drawn at the edge.
EARLIEST_DRAWN = dt.datetime(1, 1, 3, tzinfo=UTC)
LATEST_DRAWN = dt.datetime(9999, 11, 1, tzinfo=UTC)


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
            "zone": clock.zone_time(self.zone),
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
    now_label: str | None = None,
) -> Timeline | None:
    """Lay out every reading as a bar on one time axis, with event ticks and "now".

    A past day's page marks the end of that day instead, labelled ``now_label``.

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
    low = min(max(min(instants), EARLIEST_DRAWN), LATEST_DRAWN - dt.timedelta(days=1))
    high = max(min(max(instants), LATEST_DRAWN), low)
    if low <= now <= high + dt.timedelta(days=3):
        high = max(high, now)
    if high - low < dt.timedelta(days=1):
        high = low + dt.timedelta(days=1)
    margin = (high - low) * 0.04
    low -= min(margin, low - EARLIEST_DRAWN)
    high += min(margin, LATEST_DRAWN - high)
    span_seconds = (high - low).total_seconds()

    def x_of(instant: dt.datetime) -> float:
        x = (instant - low).total_seconds() / span_seconds * TIMELINE_WIDTH
        return round(min(max(x, 0.0), float(TIMELINE_WIDTH)), 1)

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
        drawing.now = TimelineMark(x=x_of(now), label=now_label or _("now"))
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
    if step is None or step >= 12:
        return _year_marks(first, last, tz_name)
    marks = []
    month = first_month
    for n in range(months):
        if n % step == 0:
            with_year = not marks or month.month == 1
            label = formats.date_format(month, "YEAR_MONTH_FORMAT" if with_year else "F")
            marks.append((clock.local_to_utc(month, tz_name, clock.Precision.DAY), label))
        month = _next_month(month)
    return marks


def _year_marks(first: dt.date, last: dt.date, tz_name: str) -> list[tuple[dt.datetime, str]]:
    """Every year's first of January, or every few years', each said by its year ("2021").

    For an axis of four years or more: a mark every twelve months or more
    would otherwise name months of different years without their year.
    """
    first_year = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    years = last.year - first_year + 1
    step = max(1, -(-years // AXIS_MOST_MARKS))
    return [
        (
            clock.local_to_utc(dt.date(year, 1, 1), tz_name, clock.Precision.DAY),
            formats.date_format(dt.date(year, 1, 1), "Y"),
        )
        for year in range(first_year, last.year + 1, step)
    ]


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
