"""Which public records a change touched, what the public now sees of each, and their entries.

The services mark what they save (``touch``) and run inside ``recorded``;
when the outermost service returns, still inside its transaction, every
touched record, and every record whose public form follows from it, is
serialised exactly as the public API shows it. A record whose form differs
from its latest entry gets a new one: ``published`` when it was not public,
``withdrawn`` (a tombstone) when it no longer is, and otherwise what changed.
Records that were never public never enter the log.

A record's form is the API's JSON without ``page``: that link is made from
the address the reader used, not from the record.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from contextlib import contextmanager

from django.db.models import Prefetch
from django.utils import timezone, translation

from tracker import public
from tracker.ledger import canonical, log
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    LedgerEntry,
    Reading,
    Source,
)
from tracker.opendata import records
from tracker.opendata.api import serializers

Kind = LedgerEntry.Kind
Change = LedgerEntry.Change
ORDER = [Kind.AGREEMENT, Kind.COMMITMENT, Kind.READING, Kind.CLAIM]

_pending = threading.local()


class _AnyHost:
    """Stands in for a request: the log keeps no link made from an address."""

    def build_absolute_uri(self, location: str) -> str:
        return location


def commitment_detail():
    """The API's commitment detail queryset (``tracker.opendata.api.views.CommitmentDetail``)."""
    return records.public_commitments().prefetch_related(
        Prefetch(
            "readings",
            queryset=public.readings()
            .select_related("read_by")
            .prefetch_related(public.cited_sources()),
            to_attr="public_readings",
        ),
        Prefetch("status_changes", queryset=public.status_changes().order_by("effective_at", "pk")),
    )


SHAPES = {
    Kind.AGREEMENT: (records.public_agreements, serializers.AgreementSerializer),
    Kind.COMMITMENT: (commitment_detail, serializers.CommitmentDetailSerializer),
    Kind.READING: (records.public_readings, serializers.ReadingSerializer),
    Kind.CLAIM: (records.public_events, serializers.EventSerializer),
}


def public_form(kind: str, pk: int) -> dict | None:
    """What the public API shows of the record now, or None when it does not show it."""
    queryset, serializer = SHAPES[kind]
    record = queryset().filter(pk=pk).first()
    if record is None:
        return None
    with translation.override("en"), timezone.override(dt.UTC):
        data = dict(serializer(record, context={"request": _AnyHost()}).data)
    data.pop("page", None)
    return _plain(data)


def _plain(value):
    """DRF's ordered dicts and lists as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# What a saved object touches ----------------------------------------------------------


def _keys_of(obj) -> list[tuple[str, int]]:
    if isinstance(obj, Agreement):
        return [(Kind.AGREEMENT, obj.pk)]
    if isinstance(obj, Commitment):
        return [(Kind.COMMITMENT, obj.pk)]
    if isinstance(obj, Reading):
        return [(Kind.READING, obj.pk), (Kind.COMMITMENT, obj.commitment_id)]
    if isinstance(obj, ComplianceEvent):
        return [(Kind.CLAIM, obj.pk), (Kind.COMMITMENT, obj.commitment_id)]
    if isinstance(obj, CommitmentParty):
        return [(Kind.COMMITMENT, obj.commitment_id)]
    if isinstance(obj, DeliveredQuantity):
        return [(Kind.CLAIM, obj.event_id)]
    if isinstance(obj, Source) and obj.pk:
        return [
            *((Kind.AGREEMENT, pk) for pk in obj.agreements.values_list("pk", flat=True)),
            *((Kind.READING, pk) for pk in obj.readings.values_list("pk", flat=True)),
            *((Kind.CLAIM, pk) for pk in obj.events.values_list("pk", flat=True)),
        ]
    return []


def _followers(kind: str, pk: int) -> list[tuple[tuple[str, int], bool]]:
    """Records whose public form names this one, when it appears, goes or is renamed.

    Each comes with whether its own appearing or going may reach further: the records shown
    under this one (an agreement's commitments, a commitment's readings and claims, a claim's
    answers) are public only with it; the ones that merely name it (an agreement listing a
    commitment, a commitment renewing it) are read again, and no further.
    """
    if kind == Kind.AGREEMENT:
        ids = Commitment.objects.filter(agreement_id=pk).values_list("pk", flat=True)
        return [((Kind.COMMITMENT, i), True) for i in ids]
    if kind == Kind.COMMITMENT:
        agreements = Agreement.objects.filter(commitments=pk)
        renewals = Commitment.objects.filter(renews_id=pk)
        readings = Reading.objects.filter(commitment_id=pk)
        claims = ComplianceEvent.objects.filter(commitment_id=pk)
        return [
            *(((Kind.AGREEMENT, i), False) for i in agreements.values_list("pk", flat=True)),
            *(((Kind.COMMITMENT, i), False) for i in renewals.values_list("pk", flat=True)),
            *(((Kind.READING, i), True) for i in readings.values_list("pk", flat=True)),
            *(((Kind.CLAIM, i), True) for i in claims.values_list("pk", flat=True)),
        ]
    if kind == Kind.CLAIM:
        ids = ComplianceEvent.objects.filter(in_response_to_id=pk).values_list("pk", flat=True)
        return [((Kind.CLAIM, i), True) for i in ids]
    return []


def touch(obj) -> None:
    """Note that ``obj`` was saved; outside ``recorded``, record its changes at once."""
    keys = [key for key in _keys_of(obj) if key[1] is not None]
    pending = getattr(_pending, "keys", None)
    if pending is None:
        record_changes(dict.fromkeys(keys[:1], True) | dict.fromkeys(keys[1:], False))
        return
    first = keys[:1]
    for key in keys:
        pending[key] = pending.get(key, False) or key in first


@contextmanager
def changes():
    """Collect what the block touches; record it when the outermost block ends without error."""
    if getattr(_pending, "keys", None) is not None:
        yield
        return
    _pending.keys = {}
    try:
        yield
        keys = _pending.keys
    finally:
        _pending.keys = None
    record_changes(keys)


def recorded(service):
    """Decorate a service, inside its ``transaction.atomic``, so its changes enter the log."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with changes():
            return service(*args, **kwargs)

    return wrapper


# Recording ------------------------------------------------------------------------------


def _change(kind, before: dict | None, after: dict | None, direct: bool) -> str | None:
    if after is None:
        return None if before is None else Change.WITHDRAWN
    if before is None:
        return Change.PUBLISHED
    if kind == Kind.COMMITMENT and before.get("status") != after.get("status"):
        return Change.STATUS_CHANGED
    if kind == Kind.CLAIM and before.get("verification") != after.get("verification"):
        return Change.VERIFICATION_CHANGED
    if kind == Kind.COMMITMENT and len(after.get("readings", [])) > len(before.get("readings", [])):
        return Change.READING_ADDED
    return Change.CORRECTED if direct else Change.UPDATED


def record_changes(keys: dict[tuple[str, int], bool]) -> list[LedgerEntry]:
    """Append an entry for each record whose public form is not its latest entry's.

    ``keys`` maps (kind, id) to whether the change was made to that record
    itself (a correction) rather than to one it shows (an update).
    """
    # (kind, id) -> (made to the record itself, may its appearing or going reach further)
    # A record changed itself, and everything that shows under it, may appear or go; a record
    # read again only because it shows another (a commitment's counts, when one of its
    # claims changed) cannot, so a database whose public records the log never held is not
    # entered whole on its first change (``reconcile`` does that, once).
    queue = {key: (direct, direct) for key, direct in keys.items()}
    done: set[tuple[str, int]] = set()
    appended = []
    now = timezone.now()
    while queue:
        key = min(queue, key=lambda k: (ORDER.index(k[0]), k[1]))
        direct, reaches = queue.pop(key)
        if key in done:
            continue
        done.add(key)
        kind, pk = key
        after = public_form(kind, pk)
        latest = LedgerEntry.objects.filter(kind=kind, record_id=pk).order_by("-index").first()
        if latest is not None and bytes(latest.record_digest) == log.digest(after):
            continue
        before = _record_of(latest)
        change = _change(kind, before, after, direct)
        if change is None:
            continue
        appended.append(log.append(kind, pk, change, after, at=now))
        moved = (before is None) != (after is None) or (
            before and after and before.get("slug") != after.get("slug")
        )
        if moved and reaches:
            for follower, further in _followers(kind, pk):
                if follower not in done and follower not in queue:
                    queue[follower] = (False, further)
    return appended


def _record_of(entry: LedgerEntry | None) -> dict | None:
    if entry is None:
        return None
    return canonical.loads(entry.leaf)["record"]


def reconcile() -> list[LedgerEntry]:
    """Bring the log in step with every public record: for a database that held public records
    before the log existed, or was written around the services. Reads every public record."""
    keys: dict[tuple[str, int], bool] = {}
    for kind, (queryset, _serializer) in SHAPES.items():
        keys.update(((kind, pk), False) for pk in queryset().values_list("pk", flat=True))
    for kind in ORDER:
        live = LedgerEntry.objects.filter(kind=kind).values_list("record_id", flat=True).distinct()
        for pk in live:
            keys.setdefault((kind, pk), False)
    return record_changes(keys)
