"""Claiming alerts from the outbox, and holding the endpoint they go to.

Any number of workers on any number of machines can run at once. A worker
claims a batch of alerts to one endpoint: on PostgreSQL it skips rows another
worker has locked, and everywhere the claim itself is a compare-and-set
UPDATE that only succeeds if the row is still claimable, so two workers never
both win. The claim is a lease: if the worker dies before recording the
outcome, the lease runs out and another worker sends the alert again, with
the same delivery id.

Just before an alert leaves, its worker writes a mark on the row
(``mark_sending``), again only if the claim is still its own; the outcome
clears it. A claim taken over with the mark still on it was a send whose
outcome nobody wrote: the receiver may have the alert, so the new claim
counts it in ``tries_in_doubt`` (see ``tracker.alerts.delivery``).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from tracker.alerts import deadlines, rules
from tracker.alerts.models import Delivery, Endpoint


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


def retry_delay(attempts: int) -> dt.timedelta:
    return rules.retry_delay(
        attempts,
        first=getattr(settings, "ALERTS_FIRST_RETRY", dt.timedelta(minutes=1)),
        longest=getattr(settings, "ALERTS_LONGEST_RETRY", dt.timedelta(hours=1)),
    )


def worker_name() -> str:
    """Unique per pass, readable in the admin: which machine and process holds a claim."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


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
            row = _next_alert(now, taken, skip_locked)
            if row is None:
                return []
            _pk, endpoint_id = row
            if not hold_endpoint(endpoint_id, worker, now):
                taken.add(endpoint_id)
                continue
            candidates = []
            for claimable in _in_claim_order(now, skip_locked):
                same_endpoint = claimable.filter(subscription__endpoint_id=endpoint_id)
                candidates += same_endpoint.values_list("pk", flat=True)[: size - len(candidates)]
                if len(candidates) == size:
                    break
            until = now + lease()
            claimed = (
                Delivery.objects.claimable(now)
                .filter(pk__in=candidates)
                .update(
                    state=Delivery.State.SENDING,
                    claimed_by=worker,
                    claimed_until=until,
                    attempts=F("attempts") + 1,
                    # A mark left behind: a worker died between the send and its outcome.
                    tries_in_doubt=F("tries_in_doubt")
                    + Case(When(send_mark__isnull=False, then=Value(1)), default=Value(0)),
                    send_mark=None,
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


def _in_claim_order(now: dt.datetime, skip_locked: bool):
    """The claimable alerts as two queries, lapsed claims first, each oldest first.

    Each is read along the index on (state, next_attempt_at, id), so a claim
    stops at the rows it takes, however many alerts wait: one condition over
    both states made the database gather and sort every due alert for each
    batch, and a fan-out of 100,000 slowed as it went.
    """
    for part in Delivery.objects.in_claim_order(now):
        yield part.select_for_update(skip_locked=True, of=("self",)) if skip_locked else part


def _next_alert(now: dt.datetime, taken: set[int], skip_locked: bool) -> tuple | None:
    """(id, endpoint id) of the next alert to send, passing over the endpoints in ``taken``
    and those held or resting; None when there is nothing to send."""
    for claimable in _in_claim_order(now, skip_locked):
        row = (
            claimable.to_free_endpoints(now)
            .exclude(subscription__endpoint_id__in=taken)
            .values_list("pk", "subscription__endpoint_id")
            .first()
        )
        if row is not None:
            return row
    return None


def mark_sending(delivery: Delivery, worker: str) -> bool:
    """Write, and commit, the mark of the try about to leave; False if the claim is lost.

    Written before anything of the alert leaves (for mail, before the envelope
    and the DATA), so that a worker killed at any later moment leaves the row
    marked: whoever claims it next knows the receiver may have it already. A
    worker whose claim ran out while it was stopped sends nothing: the alert
    is another worker's now.
    """
    mark = uuid.uuid4()
    marked = Delivery.objects.filter(
        pk=delivery.pk, state=Delivery.State.SENDING, claimed_by=worker
    ).update(send_mark=mark)
    delivery.send_mark = mark if marked else None
    return bool(marked)


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
