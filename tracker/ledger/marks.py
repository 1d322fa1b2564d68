"""Where a record stands in the public log, for its page: its latest entry and a checkpoint.

A page says, beside each commitment and claim, "entry 4,123 in the public log, checkpoint of
6 December 2026", linking the entry and the proof that the checkpoint includes it, so a
reader can check that what the page shows is what was logged. One query for the entries of
every record on the page, one for the checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import formats

from tracker.models import LedgerCheckpoint, LedgerEntry


@dataclass(frozen=True)
class Mark:
    index: int
    checkpoint: LedgerCheckpoint | None

    @property
    def number(self) -> str:
        """The entry's number as the reader writes numbers: "4,123", "4 123"."""
        return formats.number_format(self.index, force_grouping=True)

    @property
    def entry_url(self) -> str:
        return f"{reverse('ledger_entries')}?start={self.index}&end={self.index + 1}"

    @property
    def proof_url(self) -> str | None:
        if self.checkpoint is None:
            return None
        return f"{reverse('ledger_inclusion')}?index={self.index}&size={self.checkpoint.size}"

    @property
    def checkpoint_day(self):
        return self.checkpoint.signed_at.date() if self.checkpoint else None


def marks(records: dict[str, list[int]]) -> dict[tuple[str, int], Mark]:
    """The mark of each record the log holds, by (kind, id), for ``{kind: [ids]}``."""
    wanted = Q()
    for kind, ids in records.items():
        ids = [pk for pk in set(ids) if pk is not None]
        if ids:
            wanted |= Q(kind=kind, record_id__in=ids)
    if not wanted:
        return {}
    newest = (
        LedgerEntry.objects.filter(wanted)
        .values_list("kind", "record_id")
        .annotate(index=Max("index"))
        .order_by()
    )
    latest = LedgerCheckpoint.objects.first()
    return {
        (kind, pk): Mark(index, latest if latest and latest.size > index else None)
        for kind, pk, index in newest
    }
