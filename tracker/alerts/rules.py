"""When an alert is due, with no database.

The sweep asks these questions every pass; keeping the answers pure means
they can be tested at every boundary without building any records.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DEFAULT_LEAD_TIMES = "7d, 72h, 24h"

# A warning further ahead than this is not a warning; it also bounds how far
# ahead the sweep has to look for windows that are about to end.
LONGEST_LEAD_TIME = dt.timedelta(days=30)
SHORTEST_LEAD_TIME = dt.timedelta(minutes=5)

UNITS = {"d": dt.timedelta(days=1), "h": dt.timedelta(hours=1), "m": dt.timedelta(minutes=1)}
LEAD_TIME = re.compile(r"^(\d{1,5})\s*([dhm])$")


class InvalidLeadTimes(ValueError):
    pass


def parse_lead_times(text: str) -> list[dt.timedelta]:
    """Read "7d, 72h, 24h" into lead times, longest first, without repeats.

    Raises ``InvalidLeadTimes`` with a message a subscriber can act on.
    """
    leads = set()
    for item in (text or "").split(","):
        item = item.strip().lower()
        if not item:
            continue
        match = LEAD_TIME.match(item)
        if match is None:
            raise InvalidLeadTimes(
                f"“{item}” is not a lead time. Write a number and a unit: "
                "d for days, h for hours, m for minutes (e.g. 7d, 72h, 30m)."
            )
        lead = int(match[1]) * UNITS[match[2]]
        if lead < SHORTEST_LEAD_TIME:
            raise InvalidLeadTimes(f"“{item}” is too short: the shortest lead time is 5m.")
        if lead > LONGEST_LEAD_TIME:
            raise InvalidLeadTimes(f"“{item}” is too long: the longest lead time is 30d.")
        leads.add(lead)
    if not leads:
        raise InvalidLeadTimes("Give at least one lead time, e.g. 7d, 72h, 24h.")
    return sorted(leads, reverse=True)


def format_lead_time(lead: dt.timedelta) -> str:
    """The largest whole unit, as the form accepts it: "7d", "36h", "90m"."""
    minutes = int(lead.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


@dataclass(frozen=True)
class Warning:
    """One "ends in …" warning that is due now."""

    lead_time: dt.timedelta
    due_at: dt.datetime
    is_late: bool
    overtaken_by: dt.timedelta | None = None


def due_warnings(
    deadline: dt.datetime,
    lead_times: list[dt.timedelta],
    now: dt.datetime,
    *,
    since: dt.datetime | None = None,
    late_after: dt.timedelta = dt.timedelta(minutes=15),
) -> list[Warning]:
    """The warnings for ``deadline`` whose moment has come by ``now``.

    Nothing is due once the deadline itself has passed: that is the expired
    alert's job. A warning found more than ``late_after`` after its moment is
    late (the sweep did not run, or the subscriber or the window arrived after
    it); late warnings are still sent, marked as such. When several are due at
    once, only the tightest is worth sending; the others are reported as
    overtaken by it rather than silently dropped. ``since`` is when the
    subscriber started listening: a warning cannot be late for someone who
    was not there yet.
    """
    if now >= deadline:
        return []
    due = sorted((lead for lead in lead_times if deadline - lead <= now), reverse=True)
    if not due:
        return []
    tightest = due[-1]
    warnings = []
    for lead in due:
        due_at = deadline - lead
        noticed_from = max(due_at, since) if since else due_at
        warnings.append(
            Warning(
                lead_time=lead,
                due_at=due_at,
                is_late=now - noticed_from > late_after,
                overtaken_by=None if lead == tightest else tightest,
            )
        )
    return warnings


def retry_delay(attempts: int, *, first: dt.timedelta, longest: dt.timedelta) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed try: doubling, with a ceiling."""
    if attempts < 1:
        return first
    return min(first * 2 ** (attempts - 1), longest)
