"""Dating what the demo load writes, as if it had been recorded as events unfolded.

The services stamp every write with the present: each history row's
``history_date``, a status change's ``recorded_at``, a claim's ``recorded_at``
and ``verified_at``, a record's ``updated_at``, a new commitment's status
time. Loaded in one go, the demo would have no past at all, and every past
day's page would be empty. So each step of the load runs inside
``dated(when)``, and what it wrote is stamped with ``when`` afterwards: the
rows are the services' own, only their dates are those of the day they
describe. A history row keeps a copy of its record's stamps too, and a past
day's download reads the record from it, so those are dated the same: no
instant of the load itself is left for a reader of any day to see.

Only what was written inside the block is touched: a history table's rows
above the highest key noted before it, and in the records, the stamps no
earlier than the present when it began (every date the demo gives is in
the past).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils import timezone

from tracker import clock
from tracker.http import HISTORY_TABLES
from tracker.models import Agreement, Commitment, ComplianceEvent, Reading, StatusChange

# A claim known to the day was recorded that evening; one known to the minute, soon after.
DAY_REPORTED_AFTER = dt.timedelta(hours=20)
TIME_REPORTED_AFTER = dt.timedelta(hours=2)
# An agreement was recorded on its day, at noon UTC: after the talks, before the day ended.
AGREEMENT_RECORDED_AT = dt.time(12, 0)

# {model: the fields a write stamps with the present}, in the record and its history rows.
STAMPED = {
    StatusChange: ("recorded_at",),
    ComplianceEvent: ("recorded_at", "verified_at", "updated_at"),
    Commitment: ("created_at", "updated_at", "status_changed_at"),
    Reading: ("updated_at",),
    Agreement: ("updated_at",),
}


@dataclass(frozen=True)
class Mark:
    """Where the load stood before a step: each history table's highest key, and the present."""

    keys: dict[type, int]
    at: dt.datetime


def day_made(day: dt.date) -> dt.datetime:
    """When an agreement made on ``day``, and its commitments, were recorded."""
    return dt.datetime.combine(day, AGREEMENT_RECORDED_AT, tzinfo=dt.UTC)


def reported(last: dt.datetime, precision: str) -> dt.datetime:
    """When a claim whose last moment is ``last`` was recorded: on its day, soon after."""
    if precision == clock.Precision.DAY:
        return last + DAY_REPORTED_AFTER
    return last + TIME_REPORTED_AFTER


def marks() -> Mark:
    """Each history table's highest key now, and the present: what is written later is above."""
    found = {}
    for table in HISTORY_TABLES:
        last = table.objects.order_by("-pk").values_list("pk", flat=True).first()
        found[table] = last or 0
    return Mark(found, timezone.now())


def date_since(before: Mark, when: dt.datetime) -> None:
    """Stamp everything written since ``before`` with ``when``, as if written then."""
    for table in HISTORY_TABLES:
        written = table.objects.filter(pk__gt=before.keys[table])
        written.update(history_date=when)
        _stamp(written, STAMPED.get(table.instance_type, ()), before.at, when)
    for model, fields in STAMPED.items():
        _stamp(model.objects.all(), fields, before.at, when)


def _stamp(rows, fields, since: dt.datetime, when: dt.datetime) -> None:
    """Date ``when`` each of ``fields`` stamped with the present since ``since``.

    A stamp left empty (a claim not verified) stays empty; one the step set
    to a day of the past (a status change's effective time) is its own.
    """
    for name in fields:
        rows.filter(**{f"{name}__gte": since}).update(**{name: when})


@contextmanager
def dated(when: dt.datetime):
    """Run a step of the load, then date what it wrote ``when``."""
    before = marks()
    yield
    date_since(before, when)
