"""Writing alerts into the outbox.

Expiry warnings are derived by the sweep from the working readings as they
are now. Status changes and verified violations are written by receivers of
the services' signals, inside the transaction that made the change, so a
change cannot commit without its alerts or the other way round.

Every insert ignores rows whose key is already taken: deriving the same alert
twice, in one worker or in ten, leaves one row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q

from tracker import public
from tracker.alerts import rules
from tracker.alerts.models import Delivery, Subscription, Topic
from tracker.models import ComplianceEvent, Reading, StatusChange, Verification
from tracker.status import Status


def late_after() -> dt.timedelta:
    return getattr(settings, "ALERTS_LATE_AFTER", dt.timedelta(minutes=15))


def deadline_key(deadline: dt.datetime) -> str:
    return "deadline:" + deadline.astimezone(dt.UTC).isoformat()


def insert(rows: list[Delivery]) -> None:
    """Insert new alerts; any already in the outbox are left as they are."""
    if rows:
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def queue_expiry_warnings(now: dt.datetime) -> None:
    """Queue the "ends in …" warnings that are due by ``now``.

    Only public working readings count: an end that staff have not published
    yet warns nobody. Only windows ending within the longest lead time are
    read, through the index on (is_working, ends_at), so a pass costs what is
    due, not what is stored. The warning is keyed by the deadline it refers
    to: after an extension the new deadline's warnings become due, and any
    still pending for the old one are cancelled when a worker picks them up.
    """
    readings = public.windows_ending_between(now, now + rules.LONGEST_LEAD_TIME).select_related(
        "commitment"
    )
    commitments = {reading.commitment for reading in readings}
    if not commitments:
        return
    subscriptions = list(Subscription.objects.listening_to(Topic.EXPIRING).covering(commitments))
    rows = []
    for reading in readings:
        for subscription in subscriptions:
            if subscription.covers(reading.commitment):
                rows.extend(expiry_warnings(subscription, reading, now))
    insert(rows)


def expiry_warnings(subscription: Subscription, reading: Reading, now: dt.datetime):
    warnings = rules.due_warnings(
        reading.ends_at,
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
            refers_to=deadline_key(reading.ends_at),
            deadline=reading.ends_at,
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
