"""The time rules of commitments, and the words they are said in; no database.

Terms are announced in a party's wall-clock time ("thirty days from 18 March,
Moscow time"), so every computation happens in the zone the wording meant and
only the result is turned into a UTC instant. Adding days in UTC instead would
be wrong by an hour whenever a daylight-saving change falls inside the window
(Kyiv moved from UTC+2 to UTC+3 on 2025-03-30).

The countdowns and lengths of time at the end are the only wording of time:
the public pages, the admin and the alert messages all say it this way, in
the reader's language.
"""

from __future__ import annotations

import datetime as dt
import enum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

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
    return require_aware(instant).astimezone(zone(tz_name))


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
        instant = instant + DAY_PRECISION_SHIFT
    return instant.astimezone(UTC).date()


# Words for readers ---------------------------------------------------------------


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


def countdown_text(start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime) -> str:
    """What the board says about a window: "ends in 3 days 4 h", "ended 12 days ago"."""
    state = window_state(start, end, now)
    if state is WindowState.NOT_STARTED:
        return _("starts in %(time)s") % {"time": duration_text(start - now)}
    if end is None:
        return _("no end date")
    if state is WindowState.RUNNING:
        return _("ends in %(time)s") % {"time": duration_text(end - now)}
    return _("ended %(time)s ago") % {"time": duration_text(now - end)}


def due_text(due: dt.datetime | None, now: dt.datetime) -> str:
    """What the board says about a one-off act with a deadline."""
    if due is None:
        return _("no due date")
    if now < due:
        return _("due in %(time)s") % {"time": duration_text(due - now)}
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
    has_terms: bool = True,
) -> str:
    """The countdown for any shape: deliverables count to their due date, others to their end.

    Once a commitment has reached a final status the deadline no longer
    matters ("was due 93 days ago" beside "Fulfilled" misleads): the text
    then says how long ago it ended. A commitment with no public working
    reading (``has_terms`` false) has no dates to count to yet, which is not
    the same as having no end.
    """
    if status is not None and Status(status).is_final and status_changed_at is not None:
        return _("ended %(time)s ago") % {"time": duration_text(now - status_changed_at)}
    if not has_terms:
        return _("dates not yet published")
    if shape == "deliverable":
        return due_text(due, now)
    return countdown_text(start, end, now)
