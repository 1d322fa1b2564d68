"""Link watching: is each cited address still there, and still what was captured?

Each link is checked again about every ``SOURCES_WATCH_EVERY``, each at its own
point in that period (``next_check``), so a week's checks are spread over the
week rather than all made at once. A check fetches the address under the same
rules as a capture and records what it found:

- **live**: the page answers with the bytes of the copy kept;
- **changed**: it answers with other bytes than the first copy (each version not
  seen before is kept too, so every version is evidence);
- **gone**: it answers 404, 410 or 451.

A status keeps the moment it was first seen (``status_since``); a check that
cannot tell (a timeout, a server error, a refused address) changes nothing but
its note, since a page down for an hour is not gone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker.evidence import fetching, storage
from tracker.evidence.models import Capture, Link

GONE_STATUSES = frozenset({404, 410, 451})


def spread(pk: int) -> float:
    """A fixed fraction in [0, 1) for each link, so its checks fall at its own time."""
    return int.from_bytes(hashlib.sha256(str(pk).encode()).digest()[:4], "big") / 2**32


def next_check(link: Link, now: dt.datetime, first: bool = False) -> dt.datetime:
    every = settings.SOURCES_WATCH_EVERY
    if first:
        return now + every * spread(link.pk)
    return now + every * (0.75 + 0.5 * spread(link.pk))


def first_capture(capture: Capture) -> None:
    """A source's first copy: its link is live as of now and gets its first check planned."""
    link, _ = Link.objects.get_or_create(source_id=capture.source_id)
    if link.status == Link.Status.UNCHECKED:
        link.status = Link.Status.LIVE
        link.status_since = capture.captured_at
        link.checked_at = capture.captured_at
        link.check_note = f"Captured: HTTP {capture.http_status}."
        link.next_check_at = next_check(link, capture.captured_at, first=True)
        link.save()


def claim_due(now: dt.datetime, limit: int) -> list[Link]:
    """Up to ``limit`` links due a check, each claimed by moving its next check past the lease."""
    claimed = []
    hold = dt.timedelta(seconds=2 * settings.SOURCES_CAPTURE_TIMEOUT + 60)
    due = Link.objects.filter(next_check_at__lte=now).order_by("next_check_at", "pk")
    for pk, planned in due.values_list("pk", "next_check_at")[:limit]:
        if Link.objects.filter(pk=pk, next_check_at=planned).update(next_check_at=now + hold):
            claimed.append(Link.objects.select_related("source").get(pk=pk))
    return claimed


def copies_of(link: Link) -> list[Capture]:
    """The copies kept of the source's current address, the one first cited first."""
    return list(
        Capture.objects.kept()
        .filter(source_id=link.source_id, url=link.source.url)
        .order_by("captured_at", "pk")
    )


def check(link: Link, now: dt.datetime | None = None) -> Link:
    """Check one link now, and record what was found."""
    now = now or timezone.now()
    url = link.source.url
    try:
        fetched = fetching.fetch(url)
    except fetching.FetchFailed as exc:
        return note(link, now, f"Could not check: {exc}")
    if fetched.status in GONE_STATUSES:
        return found(link, now, Link.Status.GONE, f"HTTP {fetched.status}.")
    if not 200 <= fetched.status < 300:
        return note(link, now, f"Could not check: HTTP {fetched.status}.")
    copies = copies_of(link)
    sha256 = storage.sha256_of(fetched.body)
    if copies and copies[0].sha256 == sha256:
        return found(link, now, Link.Status.LIVE, f"HTTP {fetched.status}, same bytes.")
    if sha256 not in {copy.sha256 for copy in copies}:
        keep_new_version(link, url, fetched, now)
    return found(link, now, Link.Status.CHANGED, f"HTTP {fetched.status}, SHA-256 {sha256}.")


def keep_new_version(link: Link, url: str, fetched, now) -> None:
    """Keep a copy of what the address serves now, beside the earlier copies."""
    from tracker.evidence import capturing

    try:
        with transaction.atomic():
            claimed = Capture.objects.create(
                source_id=link.source_id,
                url=url,
                state=Capture.State.CAPTURING,
                claimed_by=capturing.worker_name(),
                claimed_until=now + capturing.lease(),
                attempts=1,
            )
    except IntegrityError:
        return  # a capture of this source is under way already
    try:
        capturing.keep(claimed, url, fetched, now)
    except storage.StorageFailed as exc:
        capturing.fail(claimed, str(exc), now)


def found(link: Link, now, status: str, what: str) -> Link:
    if link.status != status:
        link.status = status
        link.status_since = now
    return note(link, now, what)


def note(link: Link, now, what: str) -> Link:
    link.checked_at = now
    link.check_note = what[:2000]
    link.next_check_at = next_check(link, now)
    with transaction.atomic():
        link.save()
        tell_the_public_log(link.source_id)
    return link


def tell_the_public_log(source_id: int) -> None:
    """The records citing a source show its copies and its link's state: log what that changed.

    The public log appends an entry only for a record whose public form now differs from its
    latest entry, so a check that found nothing new appends nothing.
    """
    from tracker.ledger import changes as ledger
    from tracker.models import Source

    ledger.touch(Source(pk=source_id))


@dataclass
class WatchReport:
    checked: list[Link] = field(default_factory=list)

    def __str__(self) -> str:
        counts = {status: 0 for status in Link.Status.values}
        for link in self.checked:
            counts[link.status] += 1
        found = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        return f"{len(self.checked)} checked" + (f" ({found})" if found else "")


def watch_due(limit: int = 50, now: dt.datetime | None = None) -> WatchReport:
    """One pass: check the links that are due, a few at a time."""
    now = now or timezone.now()
    report = WatchReport()
    for link in claim_due(now, limit):
        report.checked.append(check(link, now))
    return report
