"""Dating what the demo load writes, as if it had been recorded as events unfolded.

The services stamp every write with the present: each history row's
``history_date``, a status change's ``recorded_at``, a claim's ``recorded_at``
and ``verified_at``. Loaded in one go, the demo would have no past at all, and
every past day's page would be empty. So each step of the load runs inside
``dated(when)``, and what it wrote is stamped with ``when`` afterwards: the rows
are the services' own, only their dates are those of the day they describe.

Only rows written inside the block are touched: each table's highest key is
noted before it, and the rows above it are the block's.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from tracker import clock
from tracker.http import HISTORY_TABLES
from tracker.models import Commitment, ComplianceEvent, StatusChange

# A claim known to the day was recorded that evening; one known to the minute, soon after.
DAY_REPORTED_AFTER = dt.timedelta(hours=20)
TIME_REPORTED_AFTER = dt.timedelta(hours=2)
# An agreement was recorded on its day, at noon UTC: after the talks, before the day ended.
AGREEMENT_RECORDED_AT = dt.time(12, 0)

# (model, the fields a write stamps with the present)
STAMPED = [
    *((table, ("history_date",)) for table in HISTORY_TABLES),
    (StatusChange, ("recorded_at",)),
    (ComplianceEvent, ("recorded_at", "verified_at")),
    (Commitment, ("created_at",)),
]


def day_made(day: dt.date) -> dt.datetime:
    """When an agreement made on ``day``, and its commitments, were recorded."""
    return dt.datetime.combine(day, AGREEMENT_RECORDED_AT, tzinfo=dt.UTC)


def reported(last: dt.datetime, precision: str) -> dt.datetime:
    """When a claim whose last moment is ``last`` was recorded: on its day, soon after."""
    if precision == clock.Precision.DAY:
        return last + DAY_REPORTED_AFTER
    return last + TIME_REPORTED_AFTER


def marks() -> dict[type, int]:
    """Each stamped table's highest key now: the rows above it are written later."""
    found = {}
    for model, _fields in STAMPED:
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        found[model] = last or 0
    return found


def date_since(before: dict[type, int], when: dt.datetime) -> None:
    """Stamp every row written since ``before`` with ``when``, as if written then."""
    for model, fields in STAMPED:
        written = model.objects.filter(pk__gt=before[model])
        for name in fields:
            # A stamp left empty (a claim not verified) stays empty.
            written.filter(**{f"{name}__isnull": False}).update(**{name: when})


@contextmanager
def dated(when: dt.datetime):
    """Run a step of the load, then date what it wrote ``when``."""
    before = marks()
    yield
    date_since(before, when)
