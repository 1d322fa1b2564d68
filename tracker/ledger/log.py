"""Appending to the public log and reading its tree back: roots and proofs from the database.

Every append locks the log's head row (``SELECT … FOR UPDATE``), takes the
next index, writes the entry and the interior nodes it completes, and moves
the head on, all in the caller's transaction: the change and its entry commit
or roll back together, and two writers, on any number of machines, never
take one index (the entry's index is also its primary key, the last guard).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from tracker.ledger import canonical, merkle
from tracker.models import LedgerEntry, LedgerHead, LedgerNode

TOMBSTONE = b""


def leaf_text(kind: str, record_id: int, change: str, at: dt.datetime, record) -> bytes:
    """An entry as hashed: what changed, when, and the record as the public now sees it.

    ``record`` is None for a withdrawal (a tombstone).
    """
    at = at.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return canonical.dumps(
        {"kind": kind, "id": record_id, "change": change, "at": at, "record": record}
    )


def digest(record) -> bytes:
    return TOMBSTONE if record is None else hashlib.sha256(canonical.dumps(record)).digest()


def head(*, for_update: bool = False) -> LedgerHead:
    """The log's one head row, made empty where a database has none yet.

    The migration makes it; a database emptied since (a flush) gets it back here, so an
    append never fails for want of it. Two makers at once meet the primary key, and
    ``get_or_create`` then reads the winner's row.
    """
    heads = LedgerHead.objects.select_for_update() if for_update else LedgerHead.objects
    row, _ = heads.get_or_create(pk=1)
    return row


@transaction.atomic
def append(kind: str, record_id: int, change: str, record, at=None) -> LedgerEntry:
    """Append one entry; constant time whatever the size of the log."""
    at = at or timezone.now()
    head_row = head(for_update=True)
    index = head_row.size
    text = leaf_text(kind, record_id, change, at, record)
    leaf = merkle.leaf_hash(text)
    frontier = [bytes.fromhex(h) if h else None for h in head_row.frontier]
    nodes, frontier = merkle.merges(index, leaf, frontier)
    entry = LedgerEntry.objects.create(
        index=index,
        kind=kind,
        record_id=record_id,
        change=change,
        recorded_at=at,
        leaf=text.decode(),
        leaf_hash=leaf,
        record_digest=digest(record),
    )
    interior = [LedgerNode(level=lv, position=pos, hash=h) for lv, pos, h in nodes if lv]
    if interior:
        LedgerNode.objects.bulk_create(interior)
    head_row.size = index + 1
    head_row.frontier = [h.hex() if h else None for h in frontier]
    head_row.save(update_fields=["size", "frontier"])
    return entry


def size() -> int:
    return LedgerHead.objects.values_list("size", flat=True).filter(pk=1).first() or 0


def head_root() -> tuple[int, bytes]:
    """The size and root of the whole log, from the head row alone."""
    root = None
    head_row = LedgerHead.objects.filter(pk=1).first() or LedgerHead(size=0, frontier=[])
    for value in head_row.frontier:
        if value:
            root = (
                bytes.fromhex(value)
                if root is None
                else merkle.node_hash(bytes.fromhex(value), root)
            )
    return head_row.size, root or merkle.EMPTY_ROOT


class DatabaseStore:
    """The tree's perfect subtrees as the database keeps them: leaves in entries, the rest in
    nodes. Each read is one indexed row; a root or a proof reads ``O(log n)`` of them."""

    def __init__(self) -> None:
        self.read: dict[tuple[int, int], bytes] = {}

    def node(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self.read:
            if level == 0:
                value = LedgerEntry.objects.values_list("leaf_hash", flat=True).get(index=index)
            else:
                value = LedgerNode.objects.values_list("hash", flat=True).get(
                    level=level, position=index
                )
            self.read[key] = bytes(value)
        return self.read[key]


def root(tree_size: int) -> bytes:
    return merkle.root(DatabaseStore(), tree_size)


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    return merkle.inclusion_proof(DatabaseStore(), index, tree_size)


def consistency_proof(old: int, new: int) -> list[bytes]:
    return merkle.consistency_proof(DatabaseStore(), old, new)


def latest_entries(kind: str, record_ids) -> dict[int, LedgerEntry]:
    """The newest entry of each of these records, by record id (one query)."""
    found: dict[int, LedgerEntry] = {}
    rows = (
        LedgerEntry.objects.filter(kind=kind, record_id__in=list(record_ids))
        .order_by("record_id", "-index")
        .defer("leaf")
    )
    for entry in rows:
        found.setdefault(entry.record_id, entry)
    return found
