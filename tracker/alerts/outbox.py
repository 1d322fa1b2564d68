"""Writing alerts into the outbox.

Warnings before a deadline, and the alerts when a deliverable's or a
process's deadline passes, are derived by the sweep from the working readings
as they are now. Status changes and verified violations are written by receivers of
the services' signals, inside the transaction that made the change, so a
change cannot commit without its alerts or the other way round.

Every insert ignores rows whose key is already taken: deriving the same alert
twice, in one worker or in ten, leaves one row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from tracker import public
from tracker.alerts import rules
from tracker.alerts.models import Delivery, PassedDeadline, Subscription, Topic
from tracker.models import ComplianceEvent, Reading, StatusChange, Verification
from tracker.status import Shape, Status


def late_after() -> dt.timedelta:
    return getattr(settings, "ALERTS_LATE_AFTER", dt.timedelta(minutes=15))


# What an alert about a deadline refers to: its kind and its instant. An end keeps
# the prefix it always had, so warnings already in the outbox keep their keys.
DEADLINE_PREFIXES = {"ends_at": "deadline", "due_at": "due"}


def deadline_key(deadline: dt.datetime, field: str = "ends_at") -> str:
    return f"{DEADLINE_PREFIXES[field]}:{deadline.astimezone(dt.UTC).isoformat()}"


def deadline_field(refers_to: str) -> str | None:
    """Which deadline (ends_at, due_at) an alert's ``refers_to`` is about, or None."""
    prefix = refers_to.partition(":")[0]
    return next((f for f, p in DEADLINE_PREFIXES.items() if p == prefix), None)


def insert(rows: list[Delivery]) -> None:
    """Insert new alerts; any already in the outbox are left as they are."""
    if rows:
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def queue_expiry_warnings(now: dt.datetime) -> None:
    """Queue the warnings before a deadline that are due by ``now``, for every shape.

    A window warns before its end, a deliverable before its due date, a
    process before either. Only public working readings count: a deadline
    that staff have not published yet warns nobody. Only deadlines within
    the longest lead time are read, so a pass costs what is due, not what is
    stored. A warning is keyed by the deadline it refers to: after an
    extension or a new due date, the new deadline's warnings become due, and
    any still pending for the old one are cancelled when a worker picks them up.
    """
    by_field = public.deadlines_between(now, now + rules.LONGEST_LEAD_TIME)
    found = [
        (field, reading)
        for field, readings in by_field.items()
        for reading in readings.select_related("commitment")
    ]
    commitments = {reading.commitment for _field, reading in found}
    if not commitments:
        return
    subscriptions = list(Subscription.objects.listening_to(Topic.EXPIRING).covering(commitments))
    rows = []
    for field, reading in found:
        for subscription in subscriptions:
            if subscription.covers(reading.commitment):
                rows.extend(expiry_warnings(subscription, reading, now, field))
    insert(rows)


def expiry_warnings(
    subscription: Subscription, reading: Reading, now: dt.datetime, field: str = "ends_at"
):
    deadline = getattr(reading, field)
    warnings = rules.due_warnings(
        deadline,
        subscription.lead_time_list(),
        now,
        since=subscription.confirmed_at,
        late_after=late_after(),
    )
    for warning in warnings:
        row = Delivery(
            subscription=subscription,
            commitment=reading.commitment,
            topic=Topic.EXPIRING,
            refers_to=deadline_key(deadline, field),
            deadline=deadline,
            lead_time=warning.lead_time,
            is_late=warning.is_late,
            created_at=now,
            next_attempt_at=now,
        )
        if warning.overtaken_by is not None:
            row.state = Delivery.State.CANCELLED
            row.outcome = (
                f"Overtaken by the {rules.format_lead_time(warning.overtaken_by)} warning, "
                "due at the same time; only that one is sent."
            )
        yield row


# A deadline that passed longer ago than this before any sweep saw it (a new
# installation, a worker stopped for weeks) is passed over without alerting: it is no news.
PASSED_LOOKBACK = rules.LONGEST_LEAD_TIME


def queue_passed_deadlines(now: dt.datetime) -> list[PassedDeadline]:
    """Notice the due dates (and processes' ends) that have passed, and alert once for each.

    A window's end is handled by its expiry, a status change. A deliverable
    or a process stays in force when its deadline passes, so the sweep notes
    the deadline as passed (``PassedDeadline``) and queues the "deadline
    passed" alerts in the same transaction; a noted deadline is not read
    again. Alerts found later than ``ALERTS_LATE_AFTER`` are marked late.
    """
    fields = public.deadlines_between(now - PASSED_LOOKBACK, now)
    fields["ends_at"] = fields["ends_at"].exclude(commitment__shape=Shape.WINDOW)
    found = []
    for field, readings in fields.items():
        noted = PassedDeadline.objects.filter(
            commitment=OuterRef("commitment"), field=field, deadline=OuterRef(field)
        )
        found += [(field, r) for r in readings.exclude(Exists(noted)).select_related("commitment")]
    if not found:
        return []
    with transaction.atomic():
        notices = [
            PassedDeadline(
                commitment=reading.commitment,
                field=field,
                deadline=getattr(reading, field),
                noticed_at=now,
            )
            for field, reading in found
        ]
        PassedDeadline.objects.bulk_create(notices, ignore_conflicts=True)
        commitments = {reading.commitment for _field, reading in found}
        subscriptions = list(
            Subscription.objects.listening_to(Topic.DEADLINE_PASSED).covering(commitments)
        )
        rows = []
        for field, reading in found:
            deadline = getattr(reading, field)
            for subscription in subscriptions:
                if subscription.covers(reading.commitment):
                    rows.append(
                        Delivery(
                            subscription=subscription,
                            commitment=reading.commitment,
                            topic=Topic.DEADLINE_PASSED,
                            refers_to=deadline_key(deadline, field),
                            deadline=deadline,
                            is_late=now - deadline > late_after(),
                            created_at=now,
                            next_attempt_at=now,
                        )
                    )
        insert(rows)
    return notices


def queue_status_change(change: StatusChange) -> None:
    """Alert subscribers to a status change; an expiry goes to those who asked for expiries."""
    commitment = public.commitments().filter(pk=change.commitment_id).first()
    if commitment is None:
        return
    is_expiry = change.to_status == Status.EXPIRED
    topics = Q(on_status_changed=True)
    if is_expiry:
        topics |= Q(on_expired=True)
    subscriptions = Subscription.objects.active().covering([commitment]).filter(topics)
    # A clock expiry takes effect at the working end: the deadline the alert refers to.
    deadline = change.effective_at
    rows = []
    for subscription in subscriptions:
        if is_expiry and subscription.on_expired:
            rows.append(
                Delivery(
                    subscription=subscription,
                    commitment=commitment,
                    topic=Topic.EXPIRED,
                    refers_to=deadline_key(deadline),
                    deadline=deadline,
                    status_change=change,
                )
            )
        else:
            rows.append(
                Delivery(
                    subscription=subscription,
                    commitment=commitment,
                    topic=Topic.STATUS_CHANGED,
                    refers_to=f"change:{change.pk}",
                    status_change=change,
                )
            )
    insert(rows)


def queue_verified_violation(event: ComplianceEvent) -> None:
    """Alert subscribers when a published violation claim becomes verified."""
    if event.verification != Verification.VERIFIED or not event.is_violation_claim:
        return
    if not public.events().filter(pk=event.pk).exists():
        return
    commitment = public.commitments().get(pk=event.commitment_id)
    subscriptions = Subscription.objects.listening_to(Topic.VIOLATION_VERIFIED).covering(
        [commitment]
    )
    insert(
        [
            Delivery(
                subscription=subscription,
                commitment=commitment,
                topic=Topic.VIOLATION_VERIFIED,
                refers_to=f"event:{event.pk}",
                event=event,
            )
            for subscription in subscriptions
        ]
    )


def on_status_changed(sender, change: StatusChange, **kwargs) -> None:
    queue_status_change(change)


def on_event_verified(sender, event: ComplianceEvent, **kwargs) -> None:
    queue_verified_violation(event)


def on_event_saved(sender, instance: ComplianceEvent, raw: bool = False, **kwargs) -> None:
    """A violation verified before it was published is announced when it is published.

    Saving an event that was already announced inserts nothing: the key is taken.
    """
    if raw:
        return  # loading a fixture restores the past; it announces nothing
    if instance.is_published and instance.verification == Verification.VERIFIED:
        queue_verified_violation(instance)
