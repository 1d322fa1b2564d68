"""Claiming alerts from the outbox, sending them, and recording what happened.

Any number of workers on any number of machines can run this at once. A
worker claims one row at a time: on PostgreSQL it skips rows another worker
has locked, and everywhere the claim itself is a compare-and-set UPDATE that
only succeeds if the row is still claimable, so two workers never both win.
The claim is a lease: if the worker dies before recording the outcome, the
lease runs out and another worker sends the alert again, with the same
delivery id. Nothing is sent while a database transaction is open.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tracker import public
from tracker.alerts import channels, rules
from tracker.alerts.messages import compose
from tracker.alerts.models import Delivery, Topic
from tracker.alerts.outbox import deadline_field
from tracker.models import Verification
from tracker.status import DEADLINE_FIELDS, Shape, Status

logger = logging.getLogger(__name__)


def lease() -> dt.timedelta:
    return getattr(settings, "ALERTS_LEASE", dt.timedelta(minutes=5))


def max_attempts() -> int:
    return getattr(settings, "ALERTS_MAX_ATTEMPTS", 6)


def retry_delay(attempts: int) -> dt.timedelta:
    return rules.retry_delay(
        attempts,
        first=getattr(settings, "ALERTS_FIRST_RETRY", dt.timedelta(minutes=1)),
        longest=getattr(settings, "ALERTS_LONGEST_RETRY", dt.timedelta(hours=1)),
    )


def worker_name() -> str:
    """Unique per pass, readable in the admin: which machine and process holds a claim."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class DeliveryReport:
    sent: list[Delivery] = field(default_factory=list)
    retrying: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    cancelled: list[Delivery] = field(default_factory=list)


def claim_next(worker: str, now: dt.datetime | None = None) -> Delivery | None:
    """Claim the next due alert for ``worker``, or return None when nothing is due."""
    now = now or timezone.now()
    while True:
        with transaction.atomic():
            due = Delivery.objects.claimable(now).order_by("next_attempt_at", "pk")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            pk = due.values_list("pk", flat=True).first()
            if pk is None:
                return None
            claimed = (
                Delivery.objects.claimable(now)
                .filter(pk=pk)
                .update(
                    state=Delivery.State.SENDING,
                    claimed_by=worker,
                    claimed_until=now + lease(),
                    attempts=F("attempts") + 1,
                )
            )
        if claimed:
            return Delivery.objects.select_related(
                "subscription", "commitment", "status_change", "event__claimant", "event__accused"
            ).get(pk=pk)
        # Another worker claimed it between our read and our write: look again.


def reason_not_to_send(delivery: Delivery) -> str | None:
    """Why an alert claimed from the outbox should no longer go out, judged on current data."""
    subscription = delivery.subscription
    if not subscription.is_active:
        return "The subscription is no longer active."
    if not subscription.wants(delivery.topic) and not (
        delivery.topic == Topic.EXPIRED and subscription.on_status_changed
    ):
        return "The subscriber no longer asks for this kind of alert."
    if delivery.topic == Topic.EXPIRING and not is_chosen_lead_time(delivery):
        return "The subscriber no longer asks for this warning's lead time."
    commitment = public.commitments().filter(pk=delivery.commitment_id).first()
    if commitment is None:
        return "The commitment is not public."
    if delivery.topic in (Topic.EXPIRING, Topic.DEADLINE_PASSED):
        if commitment.status not in (Status.IN_FORCE, Status.SUSPENDED):
            return f"The commitment is {commitment.get_status_display()} now."
        reading = public.working_reading(commitment)
        if reading is None:
            return "The working reading is not public now."
        field = deadline_field(delivery.refers_to)
        is_deadline = field in DEADLINE_FIELDS[Shape(commitment.shape)]
        if not is_deadline or getattr(reading, field) != delivery.deadline:
            return "The deadline moved; this alert was for the old one."
    if delivery.topic == Topic.VIOLATION_VERIFIED:
        verified = public.events().filter(pk=delivery.event_id, verification=Verification.VERIFIED)
        if not verified.exists():
            return "The event is no longer a published, verified violation."
    return None


def is_chosen_lead_time(delivery: Delivery) -> bool:
    try:
        return delivery.lead_time in delivery.subscription.lead_time_list()
    except rules.InvalidLeadTimes:
        return True  # a stored value no longer valid is the outbox's, not the subscriber's doing


def finish(delivery: Delivery, worker: str, **fields) -> bool:
    """Record the outcome, if the claim is still ours. False means another worker took over."""
    fields.setdefault("claimed_until", None)
    updated = Delivery.objects.filter(
        pk=delivery.pk, state=Delivery.State.SENDING, claimed_by=worker
    ).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    if not updated:
        logger.warning(
            "Delivery %s: the lease ran out before the outcome was recorded.", delivery.delivery_id
        )
    return bool(updated)


def deliver(delivery: Delivery, worker: str, now: dt.datetime | None = None) -> Delivery.State:
    """Send one claimed alert and record the outcome: sent, cancelled, retrying or failed."""
    now = now or timezone.now()
    reason = reason_not_to_send(delivery)
    if reason:
        finish(delivery, worker, state=Delivery.State.CANCELLED, outcome=reason)
        return Delivery.State.CANCELLED
    try:
        outcome = channels.send(delivery, compose(delivery, now))
    except channels.DeliveryFailed as exc:
        error = str(exc)
    except Exception as exc:  # a worker must outlive one bad alert
        logger.exception("Delivery %s failed unexpectedly", delivery.delivery_id)
        error = f"Unexpected error: {exc!r}"
    else:
        finish(delivery, worker, state=Delivery.State.SENT, sent_at=now, outcome=outcome)
        return Delivery.State.SENT
    if delivery.attempts >= max_attempts():
        finish(delivery, worker, state=Delivery.State.FAILED, last_error=error)
        return Delivery.State.FAILED
    finish(
        delivery,
        worker,
        state=Delivery.State.PENDING,
        last_error=error,
        next_attempt_at=now + retry_delay(delivery.attempts),
    )
    return Delivery.State.PENDING


def deliver_due(worker: str, limit: int = 1000) -> DeliveryReport:
    """Claim and send due alerts until none is left (or ``limit``, so a pass ends)."""
    report = DeliveryReport()
    buckets = {
        Delivery.State.SENT: report.sent,
        Delivery.State.PENDING: report.retrying,
        Delivery.State.FAILED: report.failed,
        Delivery.State.CANCELLED: report.cancelled,
    }
    for _ in range(limit):
        delivery = claim_next(worker)
        if delivery is None:
            break
        buckets[deliver(delivery, worker)].append(delivery)
    return report


def retry_failed(deliveries) -> int:
    """Put failed alerts back in the queue with a fresh set of attempts (the admin's action)."""
    return deliveries.filter(state=Delivery.State.FAILED).update(
        state=Delivery.State.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_by="",
        claimed_until=None,
    )
