"""What left the open-data files, and when: the rows of ``/data/deletions.csv``.

A mirror of the files (a newsroom's copy, a research database) adds and
updates rows by their ``id``, which never changes; to stay in step it must
also drop what was withdrawn. This lists, like ACLED's list of deleted
events, each record that was in a file and no longer is: unpublished, deleted,
or taken out of view with the commitment or agreement it belongs to.

Everything is read from the history tables, whichever door made the change,
by the rules of ``tracker.public``: a record was in the files while it and
every record above it were published at the same time. A record is listed
only when it was public for some time and is not public now, so a draft,
however often edited, and a claim published under a commitment that never
was public are never named, not even by id. A record published again is
public, so it leaves this list and is back in its file under its old id.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from tracker import public
from tracker.models import Agreement, Commitment, ComplianceEvent, Reading

# The files a withdrawn record can have been in, and the model each holds.
FILES = {
    "agreements": Agreement,
    "commitments": Commitment,
    "readings": Reading,
    "events": ComplianceEvent,
}
PUBLIC = {
    "agreements": public.agreements,
    "commitments": public.commitments,
    "readings": public.readings,
    "events": public.events,
}
# The record above each kind, whose being public each kind's depends on.
PARENT = {
    "commitments": ("agreement_id", "agreements"),
    "readings": ("commitment_id", "commitments"),
    "events": ("commitment_id", "commitments"),
}

Interval = tuple[dt.datetime, dt.datetime | None]  # [start, end); None: still going


@dataclass(frozen=True)
class Withdrawal:
    file: str
    id: int
    withdrawn_at: dt.datetime


def withdrawals() -> list[Withdrawal]:
    """Every record that was public and is not now, latest withdrawal first."""
    found = []
    intervals = _Intervals()
    for file in FILES:
        candidates = _candidates(file)
        if not candidates:
            continue
        spans = intervals.of(file, candidates)
        for record_id in candidates:
            ends = [end for start, end in spans.get(record_id, []) if end is not None]
            if ends:
                found.append(Withdrawal(file, record_id, max(ends)))
    found.sort(key=lambda w: (w.withdrawn_at, w.file, w.id), reverse=True)
    return found


def _candidates(file: str) -> list[int]:
    """Records that may have left the files: what the public sees now is checked after.

    A record leaves a file in one of two ways: its own version stops being
    published (unpublished or deleted: a history row that is not published
    and is not the record's first), or what it belongs to stops being public
    while it stays published (it is then published under a record the public
    cannot see). Both are few, so only they are looked at further, never the
    whole history of a million claims.
    """
    model = FILES[file]
    history = model.history.model
    # Unordered: the history's own ordering would walk the whole table by date, an
    # index lookup per row, where one plain pass is twenty times quicker.
    stopped = (
        history.objects.filter(Q(history_type="-") | Q(history_type="~", is_published=False))
        .order_by()
        .values_list("id", flat=True)
    )
    ids = set(stopped)
    if file in PARENT:
        parent_field, parent_file = PARENT[file]
        hidden_parents = FILES[parent_file].objects.exclude(
            pk__in=PUBLIC[parent_file]().values("pk")
        )
        ids |= set(
            model.objects.filter(
                is_published=True, **{f"{parent_field}__in": hidden_parents}
            ).values_list("pk", flat=True)
        )
    if not ids:
        return []
    public_now = set(PUBLIC[file]().filter(pk__in=ids).values_list("pk", flat=True))
    return sorted(ids - public_now)


class _Intervals:
    """When records were public, from their history and their parents', remembered per kind."""

    def __init__(self):
        self.known: dict[str, dict[int, list[Interval]]] = defaultdict(dict)

    def of(self, file: str, ids: Iterable[int]) -> dict[int, list[Interval]]:
        wanted = [i for i in set(ids) if i not in self.known[file]]
        if wanted:
            self._read(file, wanted)
        return {i: self.known[file][i] for i in ids}

    def _read(self, file: str, ids: list[int]) -> None:
        parent_field, parent_file = PARENT.get(file, (None, None))
        columns = ["id", "history_date", "history_type", "is_published"]
        if parent_field:
            columns.append(parent_field)
        versions: dict[int, list[tuple]] = defaultdict(list)
        history = FILES[file].history.model.objects
        for chunk in _chunks(ids, 500):
            rows = (
                history.filter(id__in=chunk)
                .order_by("id", "history_date", "history_id")
                .values_list(*columns)
            )
            for row in rows:
                versions[row[0]].append(row)
        parents = {}
        if parent_field:
            parent_ids = {row[4] for rows in versions.values() for row in rows}
            parents = self.of(parent_file, parent_ids)
        for record_id in ids:
            self.known[file][record_id] = _public_spans(versions.get(record_id, []), parents)


def _public_spans(versions: list[tuple], parents: dict[int, list[Interval]]) -> list[Interval]:
    """The spans in which the record's own version was published and its parent public."""
    spans: list[Interval] = []
    for place, version in enumerate(versions):
        _id, start, history_type, is_published = version[:4]
        if history_type == "-" or not is_published:
            continue
        end = versions[place + 1][1] if place + 1 < len(versions) else None
        if len(version) == 4:
            spans.append((start, end))
            continue
        for parent_start, parent_end in parents.get(version[4], []):
            overlap = _overlap((start, end), (parent_start, parent_end))
            if overlap is not None:
                spans.append(overlap)
    return spans


def _overlap(a: Interval, b: Interval) -> Interval | None:
    start = max(a[0], b[0])
    ends = [end for end in (a[1], b[1]) if end is not None]
    end = min(ends) if ends else None
    if end is not None and end <= start:
        return None
    return (start, end)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Filtering, as the other files are filtered ---------------------------------------------


class WithdrawalForm(forms.Form):
    file = forms.ChoiceField(
        choices=[(name, name) for name in FILES],
        required=False,
        help_text=_("Only records withdrawn from this file."),
    )
    withdrawn_after = IsoDateTimeField(
        required=False,
        help_text=_(
            "Only records withdrawn at or after this date or instant (UTC unless given): "
            "the time of a mirror's last copy."
        ),
    )


class WithdrawalFilter:
    """The filters of deletions.csv, with the interface of the other files' filter sets."""

    base_filters = WithdrawalForm.base_fields

    def __init__(self, data, queryset):
        self.form = WithdrawalForm(data)
        self.queryset = queryset

    def is_valid(self) -> bool:
        return self.form.is_valid()

    @property
    def errors(self):
        return self.form.errors

    @property
    def qs(self) -> list[Withdrawal]:
        chosen = self.form.cleaned_data
        kept = self.queryset
        if chosen.get("file"):
            kept = [w for w in kept if w.file == chosen["file"]]
        if chosen.get("withdrawn_after"):
            kept = [w for w in kept if w.withdrawn_at >= chosen["withdrawn_after"]]
        return kept


def rows(withdrawn: list[Withdrawal] | QuerySet) -> Iterator[list[list[str]]]:
    from tracker.opendata.tables import instant_cell

    yield [[w.file, str(w.id), instant_cell(w.withdrawn_at)] for w in withdrawn]
