"""What a commitment's page reads, today or at the end of a past day.

Today, through ``tracker.public`` in a fixed number of queries whatever the
number of claims; a past day, through the reader of its mode
(``tracker.public_at``). Either way the page gets the same shapes: the
commitment with its working window and compliance summary, its roles,
readings and status changes, and its claims paged with their answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Window
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tracker import public, public_at
from tracker.models import Commitment, Party


@dataclass
class Read:
    """What a commitment's page reads, today or at the end of a past day."""

    moment: dt.datetime
    commitment: Commitment
    events: object  # the claims: a queryset of records, or of their versions then
    deliveries: object  # the claims shown that may hand over, as the events are
    handovers: object  # event ids -> what those deliveries handed over (``public_at``)
    roles: list
    readings: list
    status_changes: list
    renews: Commitment | None
    as_claims: object = None  # rows of ``events`` as the claims the page lists
    parties: dict | None = None


def read_now(slug: str, chosen: dict) -> Read:
    """Today's page: the public record, the commitment's summary as it is kept."""
    commitment = get_object_or_404(_commitment_for_page(chosen), slug=slug)
    events = public.events().filter(commitment=commitment)
    return Read(
        moment=timezone.now(),
        commitment=commitment,
        events=events.select_related("claimant", "accused"),
        deliveries=events,
        handovers=public_at.handovers_today,
        roles=sorted(
            public.roles().filter(commitment=commitment).select_related("party"),
            key=lambda r: (r.party.name, r.role),
        ),
        readings=list(
            public.readings()
            .filter(commitment=commitment)
            .select_related("read_by")
            .prefetch_related(public.cited_sources())
        ),
        status_changes=list(public.status_changes().filter(commitment=commitment)),
        renews=commitment.renews if commitment.renews_is_public else None,
    )


def read_then(reader, slug: str, parties: list[Party]) -> Read:
    """The page's records as ``reader`` has them (``tracker.public_at``), or 404 if not shown."""
    current = get_object_or_404(public.commitments(), slug=slug)
    found = reader.commitments(pk=current.pk)
    if not found:
        raise Http404("not public then")
    commitment = found[0]
    reader.complete([commitment], texts=True)
    by_pk = {party.pk: party for party in parties}
    readings = reader.readings(commitment)
    for reading in readings:
        reading.read_by = by_pk.get(reading.read_by_id)
    return Read(
        moment=reader.moment,
        commitment=commitment,
        events=reader.claims([commitment.pk]),
        deliveries=reader.deliveries([commitment.pk]),
        handovers=reader.handovers,
        roles=reader.roles([commitment.pk]).get(commitment.pk, []),
        readings=readings,
        status_changes=reader.status_changes(commitment),
        renews=None,
        as_claims=reader.as_claims,
        parties=by_pk,
    )


def page_of_claims(claims, number: int, per_page: int, count_them: bool, read: Read):
    """One page of claims, with their answers, and how many the filters list when asked.

    The count comes with the page, from a window over the same query, so a
    filtered page costs one query; unfiltered, the summary already knows it.
    A page past the end reads nothing and is counted by itself.
    """
    start = (number - 1) * per_page
    if count_them:
        claims = claims.annotate(listed_in_all=Window(Count("pk")))
    if read.as_claims is None:
        rows = list(claims.prefetch_related(_answers())[start : start + per_page])
        for row in rows:
            row.answers = list(row.responses.all())
    else:
        rows = list(claims[start : start + per_page])
    listed = rows[0].listed_in_all if count_them and rows else None
    if read.as_claims is not None:
        rows = _with_answers_then(read, read.as_claims(rows))
    if not count_them:
        return rows, None
    if rows:
        return rows, listed
    return rows, claims.count() if number > 1 else 0


def _with_answers_then(read: Read, claims: list) -> list:
    """Claims of a past day with their sides named and their answers then beside them."""
    asked = [claim.pk for claim in claims]
    answers = read.as_claims(
        read.events.filter(in_response_to__in=asked).order_by("occurred_at", "pk")
    )
    for claim in claims + answers:
        claim.claimant = read.parties.get(claim.claimant_id)
        claim.accused = read.parties.get(claim.accused_id)
        claim.answers = [a for a in answers if a.in_response_to_id == claim.pk]
    return claims


def _commitment_for_page(chosen: dict):
    """Commitments with all the page says about them that fits in one row.

    Besides the compliance summary and the working reading, each row carries
    the commitment it renews with whether the public may see that one.
    """
    renewed_is_public = public.commitments().filter(pk=OuterRef("renews_id"))
    return (
        public.commitments()
        .annotate(**public.working_window(), renews_is_public=Exists(renewed_is_public))
        .select_related("agreement", "renews", "compliance_summary")
    )


def _answers():
    """The published answers to each claim, oldest first, to show beside it."""
    answers = public.events().select_related("claimant", "accused").order_by("occurred_at", "pk")
    return Prefetch("responses", queryset=answers)
