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
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Value, When

from tracker import public
from tracker.alerts import rules
from tracker.alerts.fanout import insert_for_each
from tracker.alerts.models import Delivery, PassedDeadline, Subscription, Topic
from tracker.models import ComplianceEvent, Reading, StatusChange, Verification
from tracker.status import Shape, Status

logger = logging.getLogger(__name__)


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


def queue_expiry_warnings(now: dt.datetime) -> None:
    """Queue the warnings before a deadline that are due by ``now``, for every shape.

    A window warns before its end, a deliverable before its due date, a
    process before either. Only public working readings count: a deadline
    that staff have not published yet warns nobody. Only deadlines within
    the longest lead time are read, so a pass costs what is due, not what is
    stored. A warning is keyed by the deadline it refers to: after an
    extension or a new due date, the new deadline's warnings become due, and
    any still pending for the old one are cancelled when a worker picks them up.

    Subscribers who chose the same lead times are owed the same warnings, so
    each choice costs one statement per warning due, however many made it.
    """
    by_field = public.deadlines_between(now, now + rules.LONGEST_LEAD_TIME)
    found = [
        (field, reading)
        for field, readings in by_field.items()
        for reading in readings.select_related("commitment")
    ]
    if not found:
        return
    listening = Subscription.objects.listening_to(Topic.EXPIRING)
    commitments = {reading.commitment for _field, reading in found}
    choices = set(listening.covering(commitments).values_list("lead_times", flat=True).distinct())
    for choice in choices:
        try:
            lead_times = rules.parse_lead_times(choice)
        except rules.InvalidLeadTimes:
            logger.warning("Lead times %r are no longer valid; no warnings for them.", choice)
            continue
        with_choice = listening.filter(lead_times=choice)
        for field, reading in found:
            subscribers = with_choice.covering([reading.commitment])
            for warning in rules.due_warnings(
                getattr(reading, field), lead_times, now, late_after=late_after()
            ):
                insert_warning(subscribers, reading, field, warning, now)


def insert_warning(subscribers, reading: Reading, field: str, warning, now: dt.datetime) -> None:
    deadline = getattr(reading, field)
    fields = {
        "commitment": reading.commitment,
        "topic": Topic.EXPIRING,
        "refers_to": deadline_key(deadline, field),
        "deadline": deadline,
        "lead_time": warning.lead_time,
        # Late only for those who were already listening when its moment came.
        "is_late": Case(
            When(confirmed_at__lt=now - late_after(), then=Value(warning.is_late)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "created_at": now,
        "next_attempt_at": now,
    }
    if warning.overtaken_by is not None:
        fields["state"] = Delivery.State.CANCELLED
        fields["outcome"] = (
            f"Overtaken by the {rules.format_lead_time(warning.overtaken_by)} warning, "
            "due at the same time; only that one is sent."
        )
    insert_for_each(subscribers, **fields)


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
        listening = Subscription.objects.listening_to(Topic.DEADLINE_PASSED)
        for field, reading in found:
            deadline = getattr(reading, field)
            insert_for_each(
                listening.covering([reading.commitment]),
                commitment=reading.commitment,
                topic=Topic.DEADLINE_PASSED,
                refers_to=deadline_key(deadline, field),
                deadline=deadline,
                is_late=now - deadline > late_after(),
                created_at=now,
                next_attempt_at=now,
            )
    return notices


def queue_status_change(change: StatusChange) -> None:
    """Alert subscribers to a status change; an expiry goes to those who asked for expiries.

    Those who asked for expiries get "expired"; those who asked only for
    status changes get it as a status change. One statement each, however many they are.
    """
    commitment = public.commitments().filter(pk=change.commitment_id).first()
    if commitment is None:
        return
    subscriptions = Subscription.objects.active().covering([commitment])
    about = {"commitment": commitment, "status_change": change}
    if change.to_status == Status.EXPIRED:
        # A clock expiry takes effect at the working end: the deadline the alert refers to.
        deadline = change.effective_at
        insert_for_each(
            subscriptions.filter(on_expired=True),
            **about,
            topic=Topic.EXPIRED,
            refers_to=deadline_key(deadline),
            deadline=deadline,
        )
        subscriptions = subscriptions.filter(on_expired=False)
    insert_for_each(
        subscriptions.filter(on_status_changed=True),
        **about,
        topic=Topic.STATUS_CHANGED,
        refers_to=f"change:{change.pk}",
    )


def queue_verified_violation(event: ComplianceEvent) -> None:
    """Alert subscribers when a published violation claim becomes verified."""
    if event.verification != Verification.VERIFIED or not event.is_violation_claim:
        return
    if not public.events().filter(pk=event.pk).exists():
        return
    commitment = public.commitments().get(pk=event.commitment_id)
    insert_for_each(
        Subscription.objects.listening_to(Topic.VIOLATION_VERIFIED).covering([commitment]),
        commitment=commitment,
        topic=Topic.VIOLATION_VERIFIED,
        refers_to=f"event:{event.pk}",
        event=event,
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
