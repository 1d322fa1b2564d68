"""What of the past was corrected since: the mark a past day's page puts on a record.

A record a past day shows as it stood then (``tracker.public_past``) is
marked when what it shows changed after that day in a published version:
the page says when, and links to the record as it reads today. Kept apart
from ``tracker.public_past`` because it reads the other way in time, the
versions published after the day, and only the pages read it: a download
gives each record as it stood, and one of a later day gives it corrected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Min
from django.urls import reverse

from tracker import changelog, public
from tracker.models import Commitment, ComplianceEvent, DeliveredQuantity, Reading
from tracker.public_past import model_of

# The fields whose later change marks a record as corrected: what the public
# pages show, as the changelog compares them. A commitment's status moves on
# by itself (it expires, it is suspended); only a correction of it counts.
COMPARED = {
    tracked.model: [
        name for name in tracked.columns() if not (tracked.model is Commitment and name == "status")
    ]
    for tracked in changelog.TRACKED
}


@dataclass(frozen=True)
class Correction:
    """A later change to a record shown as it stood: when, and where it reads as it is now."""

    at: dt.datetime
    url: str


# What a board's card counts of each claim: a change to its words alone leaves the card as it was.
COUNTED = {
    ComplianceEvent: [
        "kind",
        "verification",
        "claimant_id",
        "accused_id",
        "occurred_at",
        "occurred_until",
    ],
}


def corrections(
    records: Iterable, moment: dt.datetime, compared: dict[type, list[str]] | None = None
) -> dict[tuple[type, int], Correction]:
    """{(model, id): the first later published change to what each shown record shows}.

    ``compared`` names, for some models, the fields that count instead of
    ``COMPARED``'s: ``COUNTED`` for claims a page counts rather than shows.
    """
    compared = {**COMPARED, **(compared or {})}
    records = list(records)
    by_model: dict[type, list] = {}
    for record in records:
        by_model.setdefault(model_of(record), []).append(record)
    found: dict[tuple[type, int], Correction] = {}
    # Addresses by today's slugs: a slug may have changed since.
    parents = {r.pk if isinstance(r, Commitment) else r.commitment_id for r in records}
    slugs = dict(public.commitments().filter(pk__in=parents).values_list("pk", "slug"))
    for model, group in by_model.items():
        fields = compared[model]
        by_pk = {record.pk: record for record in group}
        later = (
            model.history.model.objects.filter(
                id__in=list(by_pk), history_date__gte=moment, is_published=True
            )
            .exclude(history_type="-")
            .order_by("id", "history_date", "history_id")
            .values("id", "history_date", *fields)
        )
        for row in later:
            key = (model, row["id"])
            if key in found:
                continue
            version = by_pk[row["id"]].version
            if any(getattr(version, name) != row[name] for name in fields):
                found[key] = Correction(row["history_date"], _current_url(by_pk[row["id"]], slugs))
    commitments = [r for r in records if isinstance(r, Commitment)]
    if commitments:
        _status_corrections(commitments, moment, found, slugs)
    if ComplianceEvent in by_model and ComplianceEvent not in (compared or {}):
        _handover_corrections(by_model[ComplianceEvent], moment, found, slugs)
    return found


def _handover_corrections(
    claims: list, moment: dt.datetime, found: dict, slugs: dict[int, str]
) -> None:
    """A delivery whose handovers changed after ``moment``: one corrected, added or taken off.

    The handovers are the delivery's own words on the page; a page that
    counts claims rather than shows them (``COUNTED``) does not ask.
    """
    by_pk = {claim.pk: claim for claim in claims}
    later = (
        DeliveredQuantity.history.model.objects.filter(
            event_id__in=list(by_pk), history_date__gte=moment
        )
        .order_by()
        .values_list("event_id")
        .annotate(first=Min("history_date"))
    )
    for pk, at in later:
        key = (ComplianceEvent, pk)
        if key not in found or at < found[key].at:
            found[key] = Correction(at, _current_url(by_pk[pk], slugs))


def _status_corrections(
    commitments: list[Commitment], moment: dt.datetime, found: dict, slugs: dict[int, str]
) -> None:
    """A status corrected after ``moment`` by a correction that took effect before it."""
    by_pk = {commitment.pk: commitment for commitment in commitments}
    corrected = (
        public.status_changes()
        .filter(
            commitment_id__in=list(by_pk),
            is_correction=True,
            recorded_at__gte=moment,
            effective_at__lt=moment,
        )
        .order_by("recorded_at")
        .values_list("commitment_id", "recorded_at")
    )
    for pk, recorded_at in corrected:
        key = (Commitment, pk)
        if key not in found or recorded_at < found[key].at:
            found[key] = Correction(recorded_at, _current_url(by_pk[pk], slugs))


def _current_url(record, slugs: dict[int, str]) -> str:
    """Where the record reads as it is now: its commitment's page, at the record."""
    if isinstance(record, Commitment):
        return reverse("commitment", args=[slugs[record.pk]])
    url = reverse("commitment", args=[slugs[record.commitment_id]])
    if isinstance(record, Reading):
        return f"{url}#reading-{record.pk}"
    return f"{url}#event-{record.pk}"
