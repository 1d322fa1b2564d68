"""Capturing cited sources: queued when a source is saved, made by any number of workers.

- ``queue_captures`` is called on commit whenever sources are saved (``services.base.save``,
  the bulk import) and by the backfill; it adds one waiting capture per source that has
  neither a copy of its current address nor a capture waiting.
- ``claim_next`` hands a due capture to one worker with a single conditional UPDATE, so
  two workers never fetch the same one; a worker that dies leaves a claim that runs out.
- ``capture`` fetches (``fetching``), writes the bytes and the WARC records and checks
  their hashes (``storage``), and only then records the copy. What fails says why and is
  tried again later, waiting longer each time, until ``SOURCES_CAPTURE_ATTEMPTS``.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from tracker.alerts.rules import retry_delay
from tracker.evidence import fetching, storage, warc, watching
from tracker.evidence.models import Capture, Link
from tracker.models import Source

WAITING = (Capture.State.PENDING, Capture.State.CAPTURING)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease() -> dt.timedelta:
    """Longer than any capture can take (each is stopped at its timeout), so a live
    worker always records its outcome before its claim runs out."""
    return dt.timedelta(seconds=2 * settings.SOURCES_CAPTURE_TIMEOUT + 60)


def needing_capture():
    """Sources with an address that was never queued: no capture of it, made, failed or waiting.

    A capture that failed for good is not queued again by a save or the backfill; staff
    try it again from the admin (``retry``).
    """
    return (
        Source.objects.exclude(url="")
        .exclude(Exists(Capture.objects.filter(source=OuterRef("pk"), state__in=WAITING)))
        .exclude(Exists(Capture.objects.filter(source=OuterRef("pk"), url=OuterRef("url"))))
    )


def queue_captures(source_ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Queue a capture for each of these sources that needs one; returns how many were queued."""
    now = now or timezone.now()
    ids = set(source_ids)
    if not ids:
        return 0
    sources = list(needing_capture().filter(pk__in=ids).only("pk", "url"))
    new = [
        Capture(source=source, url=source.url, requested_at=now, next_attempt_at=now)
        for source in sources
    ]
    # A worker queuing the same source at the same moment meets the unique waiting capture.
    Capture.objects.bulk_create(new, ignore_conflicts=True)
    Link.objects.bulk_create([Link(source=source) for source in sources], ignore_conflicts=True)
    return len(new)


def queue_on_commit(source_ids: Iterable[int]) -> None:
    ids = list(source_ids)
    transaction.on_commit(lambda: queue_captures(ids))


def queue_missing(now: dt.datetime | None = None, batch: int = 500) -> int:
    """The backfill: a capture for every source whose address was never queued."""
    queued = 0
    while ids := list(needing_capture().order_by("pk").values_list("pk", flat=True)[:batch]):
        count = queue_captures(ids, now)
        queued += count
        if count == 0:  # another worker queued these meanwhile
            break
    return queued


def claim_next(worker: str, now: dt.datetime | None = None) -> Capture | None:
    """The next due capture, claimed for ``worker``; None when nothing is due."""
    now = now or timezone.now()
    while True:
        pk = (
            Capture.objects.due(now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            return None
        claimed = (
            Capture.objects.due(now)
            .filter(pk=pk)
            .update(
                state=Capture.State.CAPTURING,
                claimed_by=worker,
                claimed_until=now + lease(),
                attempts=F("attempts") + 1,
            )
        )
        if claimed:
            return Capture.objects.select_related("source").get(pk=pk)


def capture(claimed: Capture, now=None) -> Capture:
    """Fetch and keep one claimed capture; the capture as recorded afterwards."""
    url = claimed.source.url
    try:
        fetched = fetching.fetch(url)
        if not 200 <= fetched.status < 300:
            raise fetching.FetchFailed(
                f"The address answered HTTP {fetched.status} {fetched.reason}".strip() + "."
            )
        captured_at = now or timezone.now()
        return keep(claimed, url, fetched, captured_at)
    except (fetching.FetchFailed, storage.StorageFailed) as exc:
        return fail(claimed, str(exc), now)


def keep(claimed: Capture, url: str, fetched: fetching.Fetched, captured_at) -> Capture:
    """Write the copy and its WARC records, check both, then record them, in that order."""
    sha256 = storage.sha256_of(fetched.body)
    body_name, _ = storage.write_verified(
        storage.content_name("captures", sha256), fetched.body, sha256
    )
    records = warc.exchange_records(fetched, captured_at)
    warc_name, _ = storage.write_verified(
        storage.content_name("warc", storage.sha256_of(records), ".warc.gz"), records
    )
    return record(
        claimed,
        url=url,
        final_url=fetched.final_url[:2000],
        http_status=fetched.status,
        content_type=fetched.content_type,
        size=len(fetched.body),
        sha256=sha256,
        captured_at=captured_at,
        body_name=body_name,
        warc_name=warc_name,
    )


@transaction.atomic
def record(claimed: Capture, **kept) -> Capture:
    """Record a kept copy, if the claim is still this worker's; the link learns of it too."""
    updated = Capture.objects.filter(
        pk=claimed.pk, state=Capture.State.CAPTURING, claimed_by=claimed.claimed_by
    ).update(state=Capture.State.CAPTURED, failure_reason="", claimed_until=None, **kept)
    claimed.refresh_from_db()
    if updated:
        watching.first_capture(claimed)
        watching.tell_the_public_log(claimed.source_id)
    return claimed


def fail(claimed: Capture, reason: str, now=None) -> Capture:
    """Say why no copy was made, and when the next try is (or that there is none)."""
    now = now or timezone.now()
    attempts = Capture.objects.filter(pk=claimed.pk).values_list("attempts", flat=True).get()
    if attempts >= settings.SOURCES_CAPTURE_ATTEMPTS:
        state, next_at = Capture.State.FAILED, now
    else:
        delay = retry_delay(
            attempts, first=settings.SOURCES_FIRST_RETRY, longest=settings.SOURCES_LONGEST_RETRY
        )
        state, next_at = Capture.State.PENDING, now + delay
    Capture.objects.filter(
        pk=claimed.pk, state=Capture.State.CAPTURING, claimed_by=claimed.claimed_by
    ).update(
        state=state,
        failure_reason=reason[:2000],
        next_attempt_at=next_at,
        claimed_until=None,
    )
    claimed.refresh_from_db()
    return claimed


def retry(captures, now: dt.datetime | None = None) -> int:
    """Staff's "try again now" for failed captures: a fresh series of tries."""
    now = now or timezone.now()
    return captures.filter(state=Capture.State.FAILED).update(
        state=Capture.State.PENDING, attempts=0, next_attempt_at=now
    )


@dataclass
class ArchiveReport:
    queued: int = 0
    captured: list[Capture] = field(default_factory=list)
    retrying: list[Capture] = field(default_factory=list)
    failed: list[Capture] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.queued} queued, {len(self.captured)} captured, "
            f"{len(self.retrying)} to try again, {len(self.failed)} failed"
        )


def archive_due(limit: int = 100, backfill: bool = True) -> ArchiveReport:
    """One pass of the worker: queue what is missing, then capture what is due."""
    report = ArchiveReport(queued=queue_missing() if backfill else 0)
    worker = worker_name()
    for _ in range(limit):
        claimed = claim_next(worker)
        if claimed is None:
            break
        done = capture(claimed)
        if done.state == Capture.State.CAPTURED:
            report.captured.append(done)
        elif done.state == Capture.State.FAILED:
            report.failed.append(done)
        else:
            report.retrying.append(done)
    return report
