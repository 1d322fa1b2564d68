"""Sending claimed alerts, and recording what happened.

Alerts are claimed a batch at a time, all to one endpoint
(``tracker.alerts.claims``), judged on the public record as it is now
(``tracker.alerts.reasons``), and sent, mail over one connection a batch.
Nothing is sent while a database transaction is open.

Exactly once, as the subscriber sees it
---------------------------------------
A send and a database commit cannot be one atomic step: a worker can be
killed after the mail server's 250 (or the receiver's 200) and before the
row says "sent", and no one can then ask the server whether it has the
message. Such a row is sent again; so exactly once is reached in three parts:

1. The window is as narrow as a worker can make it. Each alert's outcome is
   written the moment its send is over, one short statement, never at the
   end of a batch; a batch over one mail connection leaves at most the one
   alert in flight unrecorded.
2. Every try of an alert carries the same ids: the delivery id, fixed when
   the row is written, is the mail's ``Message-ID`` (``<alert-{id}@host>``)
   and the webhook's signed ``webhook-id``, on the first try, on every
   retry and after the admin's "Retry". A receiver that keeps the ids it has
   seen (mail clients and stores do, by Message-ID) shows the subscriber
   one alert however many copies arrived. ``X-Tracker-Attempt`` says which
   try a copy came from, for anyone reading the transport's logs.
3. A copy is never silent. Before an alert leaves, its worker commits a mark
   on the row (``claims.mark_sending``), only if its claim is still its own;
   the outcome clears it. A claim that runs out with the mark still on is a
   send in doubt: the next claim counts it (``tries_in_doubt``) and sends
   again with the same ids, and the outcome says so. The mark also keeps a
   worker whose lease ran out before it got to send (stopped, swapped out)
   from sending an alert another worker has taken over.

A send cut off at its deadline may also have been taken by the server just
before; it is retried like any failure, with the same ids, and the receiver
drops it the same way. Chat services (Apprise) take no id of ours: a copy
there shows as a second message, and only parts 1 and 3 apply.

``tests/test_alerts_killed_mid_send.py`` kills a worker at the worst moment,
after the receiver has the alert and before its worker can write it down,
for mail and for a webhook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker.alerts import channels
from tracker.alerts.claims import (
    batch_size,
    claim_batch,
    claim_next,
    lease,
    longest_send,
    mark_sending,
    put_back,
    release_endpoint,
    renew,
    retry_delay,
    worker_name,
)
from tracker.alerts.messages import compose
from tracker.alerts.models import Delivery
from tracker.alerts.reasons import Facts, reason_not_to_send

# Named here too, for the workers, the sweep, the admin and the tests that call them.
__all__ = [
    "DeliveryReport",
    "claim_batch",
    "claim_next",
    "deliver",
    "deliver_batch",
    "deliver_due",
    "lease",
    "retry_failed",
    "retry_for",
    "worker_name",
]

logger = logging.getLogger(__name__)


def retry_for() -> dt.timedelta:
    """How long a failing alert is retried, from its first failure, before it is failed."""
    return getattr(settings, "ALERTS_RETRY_FOR", dt.timedelta(days=1))


@dataclass
class DeliveryReport:
    sent: list[Delivery] = field(default_factory=list)
    retrying: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)
    cancelled: list[Delivery] = field(default_factory=list)


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
    fields.setdefault("send_mark", None)
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
    Sending: the claim ran out before the send, and nothing was sent.
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
        message = compose(delivery, now)
        if not mark_sending(delivery, worker):
            logger.warning(
                "Delivery %s: the lease ran out before the send; another worker has it.",
                delivery.delivery_id,
            )
            return Delivery.State.SENDING
        outcome = channels.send(delivery, message, mail)
        if delivery.tries_in_doubt:
            outcome += (
                f" Sent again with the same id: {delivery.tries_in_doubt} earlier "
                f"{'try' if delivery.tries_in_doubt == 1 else 'tries'} may have arrived."
            )
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
            if state in buckets:  # not one whose claim was lost
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
