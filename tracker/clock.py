"""The time rules of commitments, and the words they are said in; no database.

Terms are announced in a party's wall-clock time ("thirty days from 18 March,
Moscow time"), so every computation happens in the zone the wording meant and
only the result is turned into a UTC instant. Adding days in UTC instead would
be wrong by an hour whenever a daylight-saving change falls inside the window
(Kyiv moved from UTC+2 to UTC+3 on 2025-03-30).

The words at the end are the only wording of time: the public pages, the
admin and the alert messages all say instants, days, countdowns and lengths
of time this way, in the reader's language and on the clock of the zone they
are shown in. An instant is said no more precisely than its source gave it:
a day as that day, an hour as an hour, a minute as a minute.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.db.models import TextChoices
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _lazy

from tracker.status import Status

UTC = dt.UTC


class Precision(TextChoices):
    """How exactly a source stated an instant; also the choices of the models' fields."""

    DAY = "day", _lazy("day")
    HOUR = "hour", _lazy("hour")
    MINUTE = "minute", _lazy("minute")


# How far ahead of our clock a reported instant may be and still count as now:
# reporters' machines and ours never agree to the second.
CLOCK_SKEW = dt.timedelta(minutes=5)

# No ceasefire term runs longer; a longer "duration" is a typing slip, and the
# calendar itself ends in the year 9999.
LONGEST_DURATION_DAYS = 100 * 366


class InvalidTimeZone(ValueError):
    """A time zone name that is not in the IANA database."""


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """Return the IANA zone called ``name`` or raise ``InvalidTimeZone``."""
    if not name or name != name.strip() or name.startswith(("/", ".")) or ".." in name:
        raise InvalidTimeZone(f"“{name}” is not an IANA time zone name.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InvalidTimeZone(f"“{name}” is not an IANA time zone name.") from exc


def is_known_zone(name: str) -> bool:
    try:
        zone(name)
    except InvalidTimeZone:
        return False
    return True


# The longest IANA name is 32 characters ("America/Argentina/ComodRivadavia").
LONGEST_ZONE_NAME = 64
ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every IANA name this machine knows, by its lower-case spelling."""
    names = {name.lower(): name for name in available_timezones()}
    names["utc"] = "UTC"
    return names


def canonical_zone_name(text: str) -> str:
    """The IANA name a reader typed, spelt as the zone database spells it.

    "europe/kyiv" is "Europe/Kyiv": two spellings of one zone show the same times.

    Raises ``InvalidTimeZone`` for anything else, without touching the file
    system for a name that cannot be one: too long, or with characters no
    zone name has.
    """
    text = text.strip()
    if len(text) > LONGEST_ZONE_NAME or not ZONE_NAME.fullmatch(text):
        raise InvalidTimeZone("Not an IANA time zone name.")
    name = _zone_names().get(text.lower())
    if name is None:
        raise InvalidTimeZone(f"“{text}” is not an IANA time zone name.")
    return name


def truncate(local: dt.datetime, precision: Precision | str) -> dt.datetime:
    """Drop the parts of a wall-clock time finer than the stated precision."""
    precision = Precision(precision)
    if precision is Precision.DAY:
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    if precision is Precision.HOUR:
        return local.replace(minute=0, second=0, microsecond=0)
    return local.replace(second=0, microsecond=0)


def local_to_utc(
    local: dt.datetime | dt.date, tz_name: str, precision: Precision | str = Precision.MINUTE
) -> dt.datetime:
    """Turn a wall-clock time in ``tz_name``, stated to ``precision``, into a UTC instant.

    A date means the start of that day. See ``wall_clock_to_utc`` for wall
    times that a daylight-saving change skips or repeats.
    """
    if not isinstance(local, dt.datetime):
        local = dt.datetime.combine(local, dt.time())
    return wall_clock_to_utc(truncate(local, precision), tz_name)


def wall_clock_to_utc(local: dt.datetime, tz_name: str) -> dt.datetime:
    """The UTC instant a naive wall-clock time in ``tz_name`` stands for.

    A wall time skipped by a spring-forward change ("03:30" in Kyiv on
    2025-03-30) is read with the offset in force before the change, which
    moves it forward by the gap, to 04:30: the clocks showed 03:30 to nobody,
    and the first real instant after it is what the wording can have meant.
    A wall time repeated in autumn takes its first occurrence, which is what a
    person reading "at 03:30" on such a night would normally mean.
    """
    if local.tzinfo is not None:
        raise ValueError("expected a naive wall-clock time")
    return local.replace(tzinfo=zone(tz_name), fold=0).astimezone(UTC)


def wall_clock_exists(local: dt.datetime, tz_name: str) -> bool:
    """Whether the clocks in ``tz_name`` ever showed this naive wall time."""
    tz = zone(tz_name)
    instant = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    return instant.astimezone(tz).replace(tzinfo=None) == local


def wall_clock_is_ambiguous(local: dt.datetime, tz_name: str) -> bool:
    """Whether the clocks in ``tz_name`` showed this naive wall time twice."""
    tz = zone(tz_name)
    first = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return first != second and wall_clock_exists(local, tz_name)


def end_of_day(day: dt.date, tz_name: str) -> dt.datetime:
    """The midnight that ends ``day`` in ``tz_name``, as a UTC instant.

    "Until midnight of 10–11 May" is ``end_of_day(date(2025, 5, 10), ...)``:
    the first instant of 11 May on that zone's clocks.
    """
    return local_to_utc(day + dt.timedelta(days=1), tz_name, Precision.DAY)


def utc_to_local(instant: dt.datetime, tz_name: str) -> dt.datetime:
    """``instant`` on the wall clock of ``tz_name``.

    The calendar ends at the years 1 and 9999: an instant stored at its very
    edge (a typing slip the doors now refuse) is shown at that edge of the
    zone's calendar, a few hours off, rather than failing the page.
    """
    instant = require_aware(instant)
    try:
        return instant.astimezone(zone(tz_name))
    except OverflowError:
        edge = dt.datetime.min if instant.year == dt.MINYEAR else dt.datetime.max
        return edge.replace(tzinfo=zone(tz_name))


def add_days(start: dt.datetime, days: int, tz_name: str) -> dt.datetime:
    """Move ``start`` by ``days`` calendar days on the wall clock of ``tz_name``.

    "Thirty days from 18 March" ends at the same wall-clock time thirty days
    later, whatever the UTC offset did in between.
    """
    if days < 0:
        raise ValueError("A duration cannot be negative.")
    if days > LONGEST_DURATION_DAYS:
        raise ValueError("A duration cannot be longer than a hundred years.")
    local = utc_to_local(start, tz_name).replace(tzinfo=None)
    return wall_clock_to_utc(local + dt.timedelta(days=days), tz_name)


def require_aware(instant: dt.datetime) -> dt.datetime:
    """Refuse naive datetimes: an instant without a zone means nothing to compare."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must carry a time zone; store them in UTC")
    return instant


class WindowState(enum.StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    ENDED = "ended"


def window_state(
    start: dt.datetime | None, end: dt.datetime | None, at: dt.datetime
) -> WindowState:
    """Where instant ``at`` falls relative to the half-open window [start, end).

    A window with no start has always been running; one with no end is
    open-ended and never ends by the clock.
    """
    require_aware(at)
    if start is not None and at < start:
        return WindowState.NOT_STARTED
    if end is not None and at >= end:
        return WindowState.ENDED
    return WindowState.RUNNING


def window_end(
    start: dt.datetime | None,
    *,
    end: dt.datetime | None = None,
    duration_days: int | None = None,
    open_ended: bool = False,
    tz_name: str = "UTC",
) -> dt.datetime | None:
    """The UTC end of a window given as an explicit end, a duration, or neither.

    Raises ``ValueError`` with a reader-facing message for contradictory or
    impossible terms.
    """
    for instant in (start, end):
        if instant is not None:
            require_aware(instant)
    given = [end is not None, duration_days is not None, open_ended]
    if sum(given) > 1:
        raise ValueError("Give an end, a duration, or mark the window open-ended: only one.")
    if duration_days is not None:
        if duration_days <= 0:
            raise ValueError("A duration must be at least one day.")
        if start is None:
            raise ValueError("A duration needs a start to count from.")
        return add_days(start, duration_days, tz_name)
    if end is not None and start is not None and end <= start:
        raise ValueError("The end must come after the start.")
    return end


DAY_PRECISION_SHIFT = dt.timedelta(hours=12)


def calendar_day(instant: dt.datetime, precision: str = "minute") -> dt.date:
    """The date an instant belongs to, as the source meant it.

    A day-precision instant is the start of a day on some local wall clock
    (midnight in Kyiv is 21:00 UTC the evening before). Its local noon falls
    on the same date in UTC for every zone within twelve hours of UTC, so the
    date is read twelve hours later. Finer instants are dated in UTC.
    """
    if precision == "day":
        if instant.astimezone(UTC).date() == dt.date.max:
            return dt.date.max  # the calendar's last day has no later noon to read
        instant = instant + DAY_PRECISION_SHIFT
    return instant.astimezone(UTC).date()


# Words for readers ---------------------------------------------------------------

# Countdowns are for what is near: a month or more away, either way, a reader
# thinks in dates, and "ended 594 days 2 h ago" makes them do the sum.
DATES_BEYOND = dt.timedelta(days=30)

# The zones the tracker's parties and readers name most: the place, as readers
# call it ("Kyiv"), and the clock, as a time is said on it ("Kyiv time", "за
# київським часом", "по киевскому времени"). UTC is UTC in every language.
ZONE_WORDS = {
    "UTC": (gettext_lazy("UTC"), pgettext_lazy("a time on the clock of", "UTC")),
    "Etc/UTC": (gettext_lazy("UTC"), pgettext_lazy("a time on the clock of", "UTC")),
    "Europe/Kyiv": (gettext_lazy("Kyiv"), gettext_lazy("Kyiv time")),
    "Europe/Kiev": (gettext_lazy("Kyiv"), gettext_lazy("Kyiv time")),
    "Europe/Moscow": (gettext_lazy("Moscow"), gettext_lazy("Moscow time")),
    "Europe/Istanbul": (gettext_lazy("Istanbul"), gettext_lazy("Istanbul time")),
    "America/New_York": (gettext_lazy("New York"), gettext_lazy("New York time")),
    "Asia/Dubai": (gettext_lazy("Dubai"), gettext_lazy("Dubai time")),
    "Asia/Riyadh": (gettext_lazy("Riyadh"), gettext_lazy("Riyadh time")),
}


def zone_label(name: str) -> str:
    """A zone as readers call its place: "Kyiv", "UTC"; one without a name of ours by its city."""
    words = ZONE_WORDS.get(name)
    if words is not None:
        return str(words[0])
    return name.rsplit("/", 1)[-1].replace("_", " ")


def zone_time(name: str) -> str:
    """The clock of a zone, as a time is said on it: "Kyiv time", "за київським часом", "UTC".

    A zone without words of ours is named by its IANA name, which is at
    least exact: "Asia/Tokyo time".
    """
    words = ZONE_WORDS.get(name)
    if words is not None:
        return str(words[1])
    return _("%(zone)s time") % {"zone": name}


def day_text(day: dt.date) -> str:
    """A date in the reader's language: "1 February 2026", "1 лютого 2026"."""
    return formats.date_format(day, "DATE_FORMAT")


def source_day(instant: dt.datetime, own_zone: str | None = None) -> dt.date:
    """The day a day-precision instant names: that day on the clock of the zone its source meant.

    Without a zone of its own (a claim keeps none), the day is read the way
    claims are dated (``calendar_day``).
    """
    if own_zone and is_known_zone(own_zone):
        return utc_to_local(instant, own_zone).date()
    return calendar_day(instant, Precision.DAY)


def local_day(
    instant: dt.datetime,
    precision: str = "minute",
    tz_name: str = "UTC",
    own_zone: str | None = None,
) -> dt.date:
    """The day an instant falls on for a reader on ``tz_name``'s clock.

    A day-precision instant is the day its source named, on its own clock
    (``source_day``): moving it to another zone would date it a day early or late.
    """
    if precision == Precision.DAY:
        return source_day(instant, own_zone)
    return utc_to_local(instant, tz_name).date()


def local_text(instant: dt.datetime, precision: str = "minute", tz_name: str = "UTC") -> str:
    """An instant on ``tz_name``'s wall clock, no more precisely than its source gave it.

    A day: "1 February 2026"; an hour or a minute: "18 March 2025, 21:00".
    The zone is not named: see ``instant_text``.
    """
    if precision == Precision.DAY:
        return day_text(local_day(instant, precision, tz_name))
    local = utc_to_local(instant, tz_name)
    if precision == Precision.HOUR:
        local = local.replace(minute=0)
    return formats.date_format(local, "DATETIME_FORMAT")


def instant_text(
    instant: dt.datetime | dt.date | None,
    precision: str = "minute",
    tz_name: str = "UTC",
    *,
    own_zone: str | None = None,
) -> str:
    """An instant for readers: the one way every page, card, feed, list and alert says one.

    ``precision`` and ``own_zone`` are the instant's own: how exactly its
    source gave it and the zone its wording meant. ``tz_name`` is the
    reader's clock.

    - A day is that day, in the zone its source meant, whatever the reader's
      clock: "19 March 2025" (midnight in Kyiv is the evening before in UTC,
      which is not what the source said).
    - An hour or a minute is said on the reader's clock, with that clock
      named: "18 March 2025, 21:00 UTC", "18 березня 2025, 23:00 за
      київським часом".
    - A plain date is that date.
    """
    if instant is None:
        return "—"
    if not isinstance(instant, dt.datetime):
        return day_text(instant)
    if precision == Precision.DAY:
        return day_text(source_day(instant, own_zone))
    if not is_known_zone(tz_name):
        tz_name = "UTC"
    return _("%(time)s %(zone)s") % {
        "time": local_text(instant, precision, tz_name),
        "zone": zone_time(tz_name),
    }


def machine_time(
    instant: dt.datetime | dt.date | None,
    precision: str = "minute",
    *,
    own_zone: str | None = None,
) -> str:
    """An instant as machines read it, in a form HTML's ``datetime`` attribute accepts.

    A day is the date its source named ("2025-03-19", a valid date string);
    anything finer is a UTC time to the minute, or to the second when it has
    seconds ("2025-03-18T21:37Z", "2025-03-18T21:37:05Z"). Fractions of a
    second are dropped: HTML allows at most three digits of them, and no
    reader needs them.
    """
    if instant is None:
        return ""
    if not isinstance(instant, dt.datetime):
        return instant.isoformat()
    if precision == Precision.DAY:
        return source_day(instant, own_zone).isoformat()
    utc = require_aware(instant).astimezone(UTC).replace(microsecond=0)
    shape = "%Y-%m-%dT%H:%M:%SZ" if utc.second else "%Y-%m-%dT%H:%MZ"
    return utc.strftime(shape)


PRECISION_WORDS = {
    Precision.DAY: gettext_lazy("to the day, %(zone)s"),
    Precision.HOUR: gettext_lazy("to the hour, %(zone)s"),
    Precision.MINUTE: gettext_lazy("to the minute, %(zone)s"),
}


def precision_text(precision: str, own_zone: str) -> str:
    """How exactly a source gave its instants, and on which clock: "to the day, Moscow time"."""
    words = PRECISION_WORDS.get(precision, PRECISION_WORDS[Precision.MINUTE])
    return str(words) % {"zone": zone_time(own_zone)}


def duration_text(delta: dt.timedelta) -> str:
    """A short length of time for readers: "3 days 4 h", "5 h 12 min", "40 s"."""
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        day_text = ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
        if hours:
            return _("%(days)s %(hours)d h") % {"days": day_text, "hours": hours}
        return day_text
    if hours:
        if minutes:
            return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
        return _("%(hours)d h") % {"hours": hours}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)d s") % {"seconds": seconds}


def _is_far(instant: dt.datetime, now: dt.datetime) -> bool:
    return abs(instant - now) > DATES_BEYOND


def _date(instant: dt.datetime, precision: str, tz_name: str, own_zone: str | None) -> str:
    return day_text(local_day(instant, precision, tz_name, own_zone))


def countdown_text(
    start: dt.datetime | None,
    end: dt.datetime | None,
    now: dt.datetime,
    *,
    precision: str = "minute",
    tz_name: str = "UTC",
    own_zone: str | None = None,
) -> str:
    """What the board says about a window: "ends in 3 days 4 h", "ended 12 days ago".

    Further than ``DATES_BEYOND`` (30 days) either way it gives the date instead, on
    the reader's clock (``tz_name``) or, for a day-precision window, the day
    its source named on its own clock (``own_zone``): "ended 17 April 2025".
    """
    state = window_state(start, end, now)
    dated = {"precision": precision, "tz_name": tz_name, "own_zone": own_zone}
    if state is WindowState.NOT_STARTED:
        if _is_far(start, now):
            return _("starts %(date)s") % {"date": _date(start, **dated)}
        return _("starts in %(time)s") % {"time": duration_text(start - now)}
    if end is None:
        return _("no end date")
    if state is WindowState.RUNNING:
        if _is_far(end, now):
            return _("ends %(date)s") % {"date": _date(end, **dated)}
        return _("ends in %(time)s") % {"time": duration_text(end - now)}
    return ended_text(end, now, **dated)


def ended_text(
    end: dt.datetime,
    now: dt.datetime,
    *,
    precision: str = "minute",
    tz_name: str = "UTC",
    own_zone: str | None = None,
) -> str:
    """ "ended 12 days ago", or the date once that is further back than ``DATES_BEYOND``."""
    if _is_far(end, now):
        return _("ended %(date)s") % {"date": _date(end, precision, tz_name, own_zone)}
    return _("ended %(time)s ago") % {"time": duration_text(now - end)}


# How a final status says when it came, beside "ended 17 April 2025" for an expiry: a
# fulfilled exchange was not "ended", it was done.
CLOSED_ON = {
    "fulfilled": (gettext_lazy("fulfilled %(date)s"), gettext_lazy("fulfilled %(time)s ago")),
    "collapsed": (gettext_lazy("collapsed %(date)s"), gettext_lazy("collapsed %(time)s ago")),
    "superseded": (gettext_lazy("superseded %(date)s"), gettext_lazy("superseded %(time)s ago")),
}


def closed_text(
    status: str,
    at: dt.datetime,
    now: dt.datetime,
    *,
    precision: str = "minute",
    tz_name: str = "UTC",
    own_zone: str | None = None,
) -> str:
    """When a final status came, in its own verb: "fulfilled 19 March 2025", "ended 3 days ago".

    An expiry (and any final status without a verb of its own) says "ended".
    """
    if status not in CLOSED_ON:
        return ended_text(at, now, precision=precision, tz_name=tz_name, own_zone=own_zone)
    on_day, ago = CLOSED_ON[status]
    if _is_far(at, now):
        return str(on_day) % {"date": _date(at, precision, tz_name, own_zone)}
    return str(ago) % {"time": duration_text(now - at)}


def due_text(
    due: dt.datetime | None,
    now: dt.datetime,
    *,
    precision: str = "minute",
    tz_name: str = "UTC",
    own_zone: str | None = None,
) -> str:
    """What the board says about a one-off act with a deadline; dates beyond ``DATES_BEYOND``."""
    if due is None:
        return _("no due date")
    dated = {"precision": precision, "tz_name": tz_name, "own_zone": own_zone}
    if now < due:
        if _is_far(due, now):
            return _("due %(date)s") % {"date": _date(due, **dated)}
        return _("due in %(time)s") % {"time": duration_text(due - now)}
    if _is_far(due, now):
        return _("was due %(date)s") % {"date": _date(due, **dated)}
    return _("was due %(time)s ago") % {"time": duration_text(now - due)}


def deadline_text(
    shape: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    due: dt.datetime | None,
    now: dt.datetime,
    *,
    status: str | None = None,
    status_changed_at: dt.datetime | None = None,
    status_precision: str | None = None,
    status_zone: str | None = None,
    has_terms: bool = True,
    precision: str = "minute",
    tz_name: str = "UTC",
    own_zone: str | None = None,
) -> str:
    """The countdown for any shape: deliverables count to their due date, others to their end.

    A commitment in a final status says when it ended, as exactly as what ended it was given.
    """
    if status is not None and Status(status).is_final and status_changed_at is not None:
        if status_precision:
            exact, zone = status_precision, status_zone
        elif status_changed_at in (end, due):
            exact, zone = precision, own_zone
        else:
            exact, zone = Precision.MINUTE, None
        return closed_text(
            status, status_changed_at, now, precision=exact, tz_name=tz_name, own_zone=zone
        )
    if not has_terms:
        return _("dates not yet published")
    when = {"precision": precision, "tz_name": tz_name, "own_zone": own_zone}
    if shape == "deliverable" or (due is not None and end is None):
        text = due_text(due, now, **when)
        if status == Status.ANNOUNCED and due is not None and due <= now:
            return _("never in force; %(deadline)s") % {"deadline": text}
        return text
    text = countdown_text(start, end, now, **when)
    if status == Status.ANNOUNCED and end is not None:
        state = window_state(start, end, now)
        if state is WindowState.ENDED:
            return _("never in force; its period %(deadline)s") % {"deadline": text}
        if state is WindowState.RUNNING:
            return _("not in force yet; its period %(deadline)s") % {"deadline": text}
    return text
