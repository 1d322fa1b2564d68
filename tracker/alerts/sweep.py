"""One pass of the alert worker: expire, derive, deliver.

Every pass starts again from the data as it is now, so an edit made a
second ago (a new end, an unpublished commitment, an unsubscribe) is always
respected, and running two passes, or two workers, changes nothing that one
pass would not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from tracker import services
from tracker.alerts.delivery import DeliveryReport, deliver_due, worker_name
from tracker.alerts.outbox import queue_expiry_warnings, queue_passed_deadlines
from tracker.alerts.staff import tell_staff_of_failures
from tracker.models import StatusChange


@dataclass
class SweepReport:
    expired: list[StatusChange]
    delivered: DeliveryReport

    def __str__(self) -> str:
        d = self.delivered
        return (
            f"{len(self.expired)} expired, {len(d.sent)} sent, {len(d.retrying)} to retry, "
            f"{len(d.failed)} failed, {len(d.cancelled)} cancelled"
        )


def derive(now) -> list[StatusChange]:
    """Expire the windows whose end has passed and queue every alert due by ``now``.

    Its queries depend on how many deadlines are due, never on how many
    subscribers follow them: each alert owed to all of them is one statement.
    """
    expired = services.expire_due_windows(now)
    queue_expiry_warnings(now)
    queue_passed_deadlines(now)
    return expired


def sweep(worker: str | None = None) -> SweepReport:
    """Run one pass at the current time.

    1. Windows whose working end has passed expire, by the clock; their
       "expired" alerts are written in the same transactions.
    2. Due warnings before a deadline (a window's end, a deliverable's or a
       milestone's due date) are derived from the working readings, and the
       due dates that passed are noticed, with their alerts.
    3. Due alerts are claimed, sent and recorded.
    4. Staff are told about alerts that failed after a day of retries.
    """
    worker = worker or worker_name()
    expired = derive(timezone.now())
    delivered = deliver_due(worker)
    tell_staff_of_failures(timezone.now())
    return SweepReport(expired=expired, delivered=delivered)
