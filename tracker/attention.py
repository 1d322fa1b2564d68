"""What needs a reader's attention now, as a status page would say it: the rules, no database.

A commitment needs attention when it ends or falls due within ``SOON``
(seven days), when a deliverable's or a process's due date has passed while
it is still open (overdue), or when one of its violations was verified and
is dated within the last ``RECENT_DAYS`` (thirty days). The board lists
those first and counts them in its headline; a card, the embeddable card
and the share image show each reason as a mark beside the status, in words.

These functions judge one commitment from plain values;
``tracker.public.attention`` says the same in SQL for the board's queries,
and a test holds the two to the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker.status import Shape, Status

SOON = dt.timedelta(days=7)
RECENT_DAYS = 30

# Not final: what is still to be done can still be overdue.
OPEN_STATUSES = (Status.ANNOUNCED, Status.IN_FORCE, Status.SUSPENDED)
# In force or suspended: what the clock can still end.
LIVE_STATUSES = (Status.IN_FORCE, Status.SUSPENDED)
# The shapes that fall due on a date: a deliverable, a process's milestone.
DUE_SHAPES = (Shape.DELIVERABLE, Shape.PROCESS)

OVERDUE, SOON_MARK, VERIFIED = "overdue", "soon", "verified"


def is_overdue(shape: str, status: str, due: dt.datetime | None, now: dt.datetime) -> bool:
    """A deliverable or a process milestone whose due date has passed while it is still open."""
    return shape in DUE_SHAPES and status in OPEN_STATUSES and due is not None and due <= now


def ends_soon(status: str, end: dt.datetime | None, now: dt.datetime) -> bool:
    """A commitment in force (or suspended) whose working end comes within ``SOON``."""
    return status in LIVE_STATUSES and end is not None and now < end <= now + SOON


def due_soon(shape: str, status: str, due: dt.datetime | None, now: dt.datetime) -> bool:
    """A deliverable or a process milestone, still open, due within ``SOON``."""
    return (
        shape in DUE_SHAPES
        and status in OPEN_STATUSES
        and due is not None
        and now < due <= (now + SOON)
    )


def recent_since(now: dt.datetime) -> dt.date:
    """The first day that counts as recent: ``RECENT_DAYS`` before today (UTC)."""
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=RECENT_DAYS)


def verified_recently(verified_days: Iterable[dt.date], now: dt.datetime) -> bool:
    """Whether any day with a verified violation is recent."""
    since = recent_since(now)
    return any(day >= since for day in verified_days)


@dataclass(frozen=True)
class Mark:
    """A reason for attention, or a verified violation, said in words beside the status."""

    kind: str
    label: str


def marks(
    *,
    shape: str,
    status: str,
    end: dt.datetime | None,
    due: dt.datetime | None,
    verified: int,
    verified_days: Iterable[dt.date],
    now: dt.datetime,
) -> list[Mark]:
    """The marks a commitment's card shows beside its status, most pressing first.

    ``verified`` is how many of its violation claims our reviewers verified
    (at any time: a card shows a verified violation as plainly as its
    status, whatever its age); ``verified_days`` are the days they are dated
    on, which say whether one is recent enough to need attention.
    """
    found = []
    if is_overdue(shape, status, due, now):
        found.append(Mark(OVERDUE, str(_("overdue"))))
    if due_soon(shape, status, due, now):
        found.append(Mark(SOON_MARK, str(_("due within 7 days"))))
    elif ends_soon(status, end, now):
        found.append(Mark(SOON_MARK, str(_("ends within 7 days"))))
    if verified:
        label = ngettext(
            "%(count)d verified violation", "%(count)d verified violations", verified
        ) % {"count": verified}
        found.append(Mark(VERIFIED, label))
    return found


def needs_attention(marks_found: list[Mark], verified_days: Iterable[dt.date], now) -> bool:
    """Whether a commitment belongs with those needing attention, given its marks."""
    pressing = any(mark.kind in (OVERDUE, SOON_MARK) for mark in marks_found)
    return pressing or verified_recently(verified_days, now)
