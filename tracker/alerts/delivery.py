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

import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from tracker import public
from tracker.alerts import channels, deadlines, rules
from tracker.alerts.messages import compose
from tracker.alerts.models import ANSWERS_TO_THE_FORM, Delivery, Endpoint, Topic
from tracker.alerts.outbox import deadline_field
from tracker.models import Verification
from tracker.status import DEADLINE_FIELDS, Shape, Status

logger = logging.getLogger(__name__)


def longest_send() -> dt.timedelta:
    return dt.timedelta(seconds=deadlines.send_deadline_seconds())


def lease() -> dt.timedelta:
    """How long a claim holds: ``ALERTS_LEASE``, and always at least twice the longest send.

    Every send is stopped at its deadline, so a worker that is alive records
    its outcome before its claim runs out (composing the message before the
    send and recording the outcome after it take far less than a send), and
    no other worker sends the same alert meanwhile. Only a worker that died
    leaves a claim to run out.
    """
    configured = getattr(settings, "ALERTS_LEASE", dt.timedelta(minutes=5))
    return max(configured, 2 * longest_send())


def retry_for() -> dt.timedelta:
    """How long a failing alert is retried, from its first failure, before it is failed."""
    return getattr(settings, "ALERTS_RETRY_FOR", dt.timedelta(days=1))


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


def batch_size() -> int:
    return max(1, int(getattr(settings, "ALERTS_BATCH", 50)))


def claim_next(worker: str, now: dt.datetime | None = None) -> Delivery | None:
    """Claim the next due alert for ``worker``, and hold its endpoint; None when nothing is due."""
    batch = claim_batch(worker, now, size=1)
    return batch[0] if batch else None


def claim_batch(worker: str, now: dt.datetime | None = None, size: int | None = None):
    """Claim up to ``size`` due alerts to one endpoint for ``worker``, and hold that endpoint.

    Alerts to an endpoint that another worker holds, or that is resting after
    failures, are passed over, so one slow or broken receiver delays no one
    else. The endpoint is held and the alerts claimed in one transaction,
    each by a conditional UPDATE that only one worker can win: an alert that
    another worker claimed meanwhile is simply not among ours.
    """
    now = now or timezone.now()
    size = size or batch_size()
    skip_locked = connection.features.has_select_for_update_skip_locked
    taken: set[int] = set()  # endpoints another worker won while we looked
    while True:
        with transaction.atomic():
            due = (
                Delivery.objects.sendable(now)
                .exclude(subscription__endpoint_id__in=taken)
                .order_by("next_attempt_at", "pk")
            )
            if skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            row = due.values_list("pk", "subscription__endpoint_id").first()
            if row is None:
                return []
            _pk, endpoint_id = row
            if not hold_endpoint(endpoint_id, worker, now):
                taken.add(endpoint_id)
                continue
            same_endpoint = (
                Delivery.objects.claimable(now)
                .filter(subscription__endpoint_id=endpoint_id)
                .order_by("next_attempt_at", "pk")
            )
            if skip_locked:
                same_endpoint = same_endpoint.select_for_update(skip_locked=True, of=("self",))
            candidates = list(same_endpoint.values_list("pk", flat=True)[:size])
            until = now + lease()
            claimed = (
                Delivery.objects.claimable(now)
                .filter(pk__in=candidates)
                .update(
                    state=Delivery.State.SENDING,
                    claimed_by=worker,
                    claimed_until=until,
                    attempts=F("attempts") + 1,
                )
            )
            if not claimed:
                # Other workers claimed them between our read and our write.
                transaction.set_rollback(True)
                continue
        return list(
            Delivery.objects.filter(
                pk__in=candidates, state=Delivery.State.SENDING, claimed_by=worker
            )
            .select_related(
                "subscription__endpoint",
                "subscription__commitment",
                "subscription__agreement",
                "commitment",
                "status_change",
                "event__claimant",
                "event__accused",
            )
            .order_by("next_attempt_at", "pk")
        )


def endpoint_is_free(now: dt.datetime) -> Q:
    return (Q(held_until__isnull=True) | Q(held_until__lt=now)) & (
        Q(resting_until__isnull=True) | Q(resting_until__lte=now)
    )


def hold_endpoint(endpoint_id: int | None, worker: str, now: dt.datetime) -> bool:
    """Hold the endpoint for ``worker`` for one lease; False if another worker holds it."""
    if endpoint_id is None:
        return True
    return bool(
        Endpoint.objects.filter(endpoint_is_free(now), pk=endpoint_id).update(
            held_by=worker, held_until=now + lease()
        )
    )


def release_endpoint(
    endpoint_id: int | None,
    worker: str,
    now: dt.datetime,
    *,
    failed: bool | None,
    error: str = "",
    keep: bool = False,
) -> None:
    """Let go of the endpoint after a send: rested longer after each failure in a row,
    back in use at once after a success (``failed=None``: the send said nothing about it).

    ``keep``: record the outcome but go on holding it, for the rest of a batch.
    """
    if endpoint_id is None or (keep and failed is None):
        return
    ours = Endpoint.objects.filter(pk=endpoint_id, held_by=worker)
    released = {} if keep else {"held_by": "", "held_until": None}
    if failed is None:
        ours.update(**released)
    elif not failed:
        ours.update(**released, failures=0, resting_until=None, last_success_at=now)
    else:
        failures = (ours.values_list("failures", flat=True).first() or 0) + 1
        ours.update(
            **released,
            failures=failures,
            resting_until=now + retry_delay(failures),
            last_error=error,
            last_failure_at=now,
        )


class Facts:
    """The public record an alert is judged on, read once for a whole batch.

    A batch goes out in about a second; reading whether its commitment is
    still public, and its working reading, once for fifty alerts instead of
    once for each is what lets one worker send hundreds a second.
    """

    def __init__(self):
        self.commitments: dict = {}
        self.readings: dict = {}

    def public_commitment(self, pk: int):
        if pk not in self.commitments:
            self.commitments[pk] = public.commitments().filter(pk=pk).first()
        return self.commitments[pk]

    def working_reading(self, commitment):
        if commitment.pk not in self.readings:
            self.readings[commitment.pk] = public.working_reading(commitment)
        return self.readings[commitment.pk]


def reason_not_to_send(delivery: Delivery, facts: Facts | None = None) -> str | None:
    """Why an alert claimed from the outbox should no longer go out, judged on current data."""
    facts = facts or Facts()
    subscription = delivery.subscription
    if delivery.topic in ANSWERS_TO_THE_FORM:
        if subscription.unsubscribed_at:
            return "The subscription was stopped."
        if delivery.topic == Topic.CONFIRM and subscription.confirmed_at:
            return "The subscription was confirmed already."
        return None
    if not subscription.is_active:
        return "The subscription is no longer active."
    if not subscription.wants(delivery.topic) and not (
        delivery.topic == Topic.EXPIRED and subscription.on_status_changed
    ):
        return "The subscriber no longer asks for this kind of alert."
    if delivery.topic == Topic.EXPIRING and not is_chosen_lead_time(delivery):
        return "The subscriber no longer asks for this warning's lead time."
    commitment = facts.public_commitment(delivery.commitment_id)
    if commitment is None:
        return "The commitment is not public."
    if delivery.topic in (Topic.EXPIRING, Topic.DEADLINE_PASSED):
        if commitment.status not in (Status.IN_FORCE, Status.SUSPENDED):
            return f"The commitment is {commitment.get_status_display()} now."
        reading = facts.working_reading(commitment)
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


def finish(
    delivery: Delivery,
    worker: str,
    now: dt.datetime,
    *,
    endpoint_failed: bool | None = None,
    keep_endpoint: bool = False,
    **fields,
) -> bool:
    """Record the outcome and release the endpoint (or keep it, in a batch), if the claim is
    still ours.

    False means the lease ran out and another worker took over: nothing is written then.
    """
    fields.setdefault("claimed_until", None)
    endpoint_id = delivery.subscription.endpoint_id
    # In a batch, most outcomes change nothing about the endpoint: one statement, no transaction.
    quiet = endpoint_id is None or (keep_endpoint and endpoint_failed is None)
    with contextlib.nullcontext() if quiet else transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk, state=Delivery.State.SENDING, claimed_by=worker
        ).update(**fields)
        release_endpoint(
            endpoint_id,
            worker,
            now,
            failed=endpoint_failed,
            error=fields.get("last_error", ""),
            keep=keep_endpoint,
        )
    for name, value in fields.items():
        setattr(delivery, name, value)
    if not updated:
        logger.warning(
            "Delivery %s: the lease ran out before the outcome was recorded.", delivery.delivery_id
        )
    return bool(updated)


def deliver(
    delivery: Delivery,
    worker: str,
    now: dt.datetime | None = None,
    *,
    mail: channels.MailConnection | None = None,
    in_batch: bool = False,
    endpoint_answered: bool = False,
    facts: Facts | None = None,
) -> Delivery.State:
    """Send one claimed alert and record the outcome: sent, cancelled, retrying or failed.

    A failed send is tried again later, waiting longer each time (up to
    ``ALERTS_LONGEST_RETRY``), for ``ALERTS_RETRY_FOR`` (a day) from its
    first failure; only then is the alert failed, for staff to see and retry.
    ``in_batch``: the endpoint stays held for the rest of the batch;
    ``endpoint_answered``: an alert before this one in the batch went through.
    """
    now = now or timezone.now()
    reason = reason_not_to_send(delivery, facts)
    if reason:
        finish(
            delivery,
            worker,
            now,
            keep_endpoint=in_batch,
            state=Delivery.State.CANCELLED,
            outcome=reason,
        )
        return Delivery.State.CANCELLED
    endpoint_failed: bool | None = True
    try:
        outcome = channels.send(delivery, compose(delivery, now), mail)
    except channels.DeliveryFailed as exc:
        error, endpoint_failed = str(exc), exc.endpoint_failed or None
    except Exception as exc:  # a worker must outlive one bad alert
        logger.exception("Delivery %s failed unexpectedly", delivery.delivery_id)
        error, endpoint_failed = f"Unexpected error: {exc!r}", None
    else:
        finish(
            delivery,
            worker,
            timezone.now(),
            # In a batch, one success is news for the endpoint; the next ones are not.
            endpoint_failed=None if endpoint_answered else False,
            keep_endpoint=in_batch,
            state=Delivery.State.SENT,
            sent_at=now,
            outcome=outcome,
        )
        return Delivery.State.SENT
    delivery.endpoint_failed = endpoint_failed
    # Waits count from the failure, not from the claim: a send may take its whole deadline.
    failed_at = timezone.now()
    retrying_since = delivery.retrying_since or now
    if failed_at - retrying_since >= retry_for():
        finish(
            delivery,
            worker,
            failed_at,
            endpoint_failed=endpoint_failed,
            keep_endpoint=in_batch,
            state=Delivery.State.FAILED,
            last_error=error,
            retrying_since=retrying_since,
        )
        return Delivery.State.FAILED
    finish(
        delivery,
        worker,
        failed_at,
        endpoint_failed=endpoint_failed,
        keep_endpoint=in_batch,
        state=Delivery.State.PENDING,
        last_error=error,
        retrying_since=retrying_since,
        next_attempt_at=failed_at + retry_delay(delivery.attempts),
    )
    return Delivery.State.PENDING


def renew(batch: list[Delivery], worker: str, now: dt.datetime) -> list[Delivery]:
    """Extend the claim on the alerts of a batch not sent yet, and the hold on their endpoint.

    A batch may take longer than one lease; each alert is still sent only
    while our claim on it has more than the longest send to run. Any we no
    longer hold (the worker was stopped longer than its lease) are left to
    whoever took them.
    """
    until = now + lease()
    with transaction.atomic():
        ours = Delivery.objects.filter(
            pk__in=[d.pk for d in batch], state=Delivery.State.SENDING, claimed_by=worker
        )
        kept = set(ours.values_list("pk", flat=True))
        ours.update(claimed_until=until)
        endpoint_id = batch[0].subscription.endpoint_id
        if endpoint_id is not None:
            Endpoint.objects.filter(pk=endpoint_id, held_by=worker).update(held_until=until)
    for delivery in batch:
        delivery.claimed_until = until
    return [delivery for delivery in batch if delivery.pk in kept]


def put_back(batch: list[Delivery], worker: str) -> None:
    """Return alerts claimed but not tried (their endpoint failed first) to the queue, as they
    were; the endpoint's rest decides when they are tried."""
    if batch:
        Delivery.objects.filter(
            pk__in=[d.pk for d in batch], state=Delivery.State.SENDING, claimed_by=worker
        ).update(
            state=Delivery.State.PENDING,
            claimed_by="",
            claimed_until=None,
            attempts=F("attempts") - 1,
        )


def deliver_batch(batch: list[Delivery], worker: str):
    """Send a claimed batch to one endpoint, mail over one connection; yields (alert, state).

    Each outcome is recorded as soon as its send is over, so a worker killed
    mid-batch leaves every alert sent and recorded, or still claimed, to be
    sent once its lease runs out. When the endpoint fails (the mail server
    refuses, stalls or drops the connection), that alert waits for its retry,
    and the rest of the batch goes back to the queue untried.
    """
    endpoint_id = batch[0].subscription.endpoint_id
    ok = False
    facts = Facts()
    try:
        with channels.MailConnection() as mail:
            while batch:
                now = timezone.now()
                if batch[0].claimed_until - now < 1.5 * longest_send():
                    batch = renew(batch, worker, now)
                    if not batch:
                        break
                delivery = batch.pop(0)
                state = deliver(
                    delivery,
                    worker,
                    now,
                    mail=mail,
                    in_batch=True,
                    endpoint_answered=ok,
                    facts=facts,
                )
                ok = ok or state == Delivery.State.SENT
                yield delivery, state
                if getattr(delivery, "endpoint_failed", None):
                    break
    finally:
        put_back(batch, worker)
        release_endpoint(endpoint_id, worker, timezone.now(), failed=None)


def deliver_due(worker: str, limit: int = 1000) -> DeliveryReport:
    """Claim and send due alerts, a batch at a time, until none is left (or ``limit``, so a
    pass ends)."""
    report = DeliveryReport()
    buckets = {
        Delivery.State.SENT: report.sent,
        Delivery.State.PENDING: report.retrying,
        Delivery.State.FAILED: report.failed,
        Delivery.State.CANCELLED: report.cancelled,
    }
    done = 0
    while done < limit:
        batch = claim_batch(worker, size=min(batch_size(), limit - done))
        if not batch:
            break
        for delivery, state in deliver_batch(batch, worker):
            buckets[state].append(delivery)
            done += 1
    return report


def retry_failed(deliveries) -> int:
    """Put failed alerts back in the queue, to be retried for another day (the admin's action).

    The alert keeps its delivery id, so a receiver that got it after all can drop the copy.
    """
    return deliveries.filter(state=Delivery.State.FAILED).update(
        state=Delivery.State.PENDING,
        attempts=0,
        retrying_since=None,
        next_attempt_at=timezone.now(),
        claimed_by="",
        claimed_until=None,
    )
