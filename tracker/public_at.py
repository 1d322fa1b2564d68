"""The public record at the end of a past day, in either of the two ways a reader asks.

A page built for any day reads its records through one of these, so each
page is built once: today is ``tracker.public`` itself, and a past day is

- ``Published``: *as published then*, the record the tracker showed when
  the day ended (transaction time, ``tracker.public_past``); what was
  corrected since is marked;
- ``Known``: *as known now*, today's public record as it applied when the
  day ended (valid time): commitments agreed by then, each status by the
  times changes took effect, claims by the days they report, readings as
  they are today; and what of it was recorded only after the day.

Both give the same shapes: commitments carrying their agreement, their
working window (``working_*``) and a compliance summary counted at the
moment, so the cards, countdowns, strips and timelines are drawn by the same
functions as today's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum

from tracker import public, public_past, public_past_corrections, public_past_records, summaries
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    Reading,
    StatusChange,
)

PUBLISHED = "published"
KNOWN = "known"

# What a summary counts of each claim, and what a timeline's tick says of it.
COUNTED = ["id", "commitment_id", "in_response_to_id", *public_past.REPORTED]


@dataclass(frozen=True)
class RecordedLater:
    """What a page as known now shows that was recorded only after its day ended."""

    claims: int
    status_changes: int
    readings: int

    def __bool__(self) -> bool:
        return bool(self.claims or self.status_changes or self.readings)


class Published:
    """The record as the tracker published it when ``moment`` came."""

    mode = PUBLISHED

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def commitments(self, pk: int | None = None) -> list[Commitment]:
        return public_past.commitments(self.moment, pk=pk, windows=False)

    def agreement(self, slug: str) -> Agreement | None:
        return public_past.agreement(slug, self.moment)

    def complete(self, commitments: list[Commitment], texts: bool = False) -> None:
        """Give each its working window and its summary then."""
        public_past.with_working_windows(commitments, self.moment)
        also = ["in_response_to_id", *(summaries.SUMMARY_COLUMNS if texts else [])]
        counted = public_past.counted_claims([c.pk for c in commitments], self.moment, also)
        by_commitment: dict[int, list] = {c.pk: [] for c in commitments}
        for claim in counted:
            by_commitment[claim.commitment_id].append(claim)
        for commitment in commitments:
            commitment.counted = by_commitment[commitment.pk]
        reports = [claim.values for claim in counted]
        _count(commitments, reports, self.moment, texts, self)

    def claims(self, commitment_ids: list[int]):
        return public_past.event_versions(self.moment, commitment_ids)

    def roles(self, commitment_ids: list[int], role: str | None = None) -> dict[int, list]:
        return public_past.roles(commitment_ids, self.moment, role)

    def readings(self, commitment: Commitment) -> list[Reading]:
        readings = public_past.readings([commitment.pk], self.moment)
        public_past.sources(readings)
        return readings

    def status_changes(self, commitment: Commitment) -> list[StatusChange]:
        return public_past.status_changes(commitment, self.moment)

    def as_claims(self, rows) -> list[ComplianceEvent]:
        """Claims as their rows then have them, with their sources then."""
        claims = public_past.as_records(rows)
        public_past.sources(claims)
        return claims

    def deliveries(self, commitment_ids: list[int]):
        """The claims shown then that may hand over (the page keeps the deliveries), as their
        versions then: when, and in what words."""
        return self.claims(commitment_ids)

    def handovers(self, event_ids):
        """What these deliveries handed over as it stood then: a quantity corrected since
        reads as it was, one added since is not there. ``event_ids`` are of claims shown."""
        return public_past_records.handover_versions(self.moment, event_id__in=event_ids)

    def corrections(self, records, compared=None) -> dict:
        return public_past_corrections.corrections(records, self.moment, compared=compared)

    def later(self, commitments: list[Commitment], claims=None) -> RecordedLater | None:
        return None


class Known:
    """Today's record as it applied when ``moment`` came: the past as known now."""

    mode = KNOWN

    def __init__(self, moment: dt.datetime, day: dt.date):
        self.moment, self.day = moment, day

    def commitments(self, pk: int | None = None) -> list[Commitment]:
        found = public.commitments().filter(agreement__held_on__lte=self.day)
        if pk is not None:
            found = found.filter(pk=pk)
        shown = list(found.select_related("agreement").order_by("pk"))
        _status_then(shown, self.moment)
        return shown

    def agreement(self, slug: str) -> Agreement | None:
        """The agreement as it reads today, once it was made by the day."""
        return (
            public.agreements()
            .filter(slug=slug, held_on__lte=self.day)
            .prefetch_related(public.named_parties(), public.cited_sources())
            .first()
        )

    def complete(self, commitments: list[Commitment], texts: bool = False) -> None:
        windows = (
            public.commitments()
            .filter(pk__in=[c.pk for c in commitments])
            .annotate(**public.working_window())
            .values("pk", "working_reading_id", *(f"working_{n}" for n in WINDOW))
        )
        by_pk = {row["pk"]: row for row in windows}
        for commitment in commitments:
            row = by_pk.get(commitment.pk, {})
            commitment.working_reading_id = row.get("working_reading_id")
            for name in WINDOW:
                setattr(commitment, f"working_{name}", row.get(f"working_{name}"))
        fields = COUNTED + (summaries.SUMMARY_COLUMNS if texts else [])
        reports = self.claims([c.pk for c in commitments]).order_by().values(*fields)
        _count(commitments, reports, self.moment, texts, self)

    def claims(self, commitment_ids: list[int]):
        return (
            public.events()
            .filter(commitment_id__in=commitment_ids, occurred_at__lt=self.moment)
            .order_by("-occurred_at", "-pk")
        )

    def roles(self, commitment_ids: list[int], role: str | None = None) -> dict[int, list]:
        found = public.roles().filter(commitment_id__in=commitment_ids).select_related("party")
        if role is not None:
            found = found.filter(role=role)
        bound: dict[int, list] = {}
        for played in found.order_by("party__name", "role"):
            bound.setdefault(played.commitment_id, []).append(played)
        return bound

    def readings(self, commitment: Commitment) -> list[Reading]:
        return list(
            public.readings()
            .filter(commitment=commitment)
            .order_by("-is_working", "label", "pk")
            .prefetch_related(public.cited_sources())
        )

    def status_changes(self, commitment: Commitment) -> list[StatusChange]:
        return list(
            public.status_changes().filter(commitment=commitment, effective_at__lt=self.moment)
        )

    def as_claims(self, rows) -> list[ComplianceEvent]:
        """Today's claims: the page loads their sources with its own."""
        return list(rows)

    def deliveries(self, commitment_ids: list[int]):
        return self.claims(commitment_ids)

    def handovers(self, event_ids):
        return handovers_today(event_ids)

    def corrections(self, records, compared=None) -> dict:
        return {}  # today's record: every correction is in it

    def later(self, commitments: list[Commitment], claims=None) -> RecordedLater:
        """What of these commitments' record up to the day was recorded only after it.

        ``claims``, when a page counts only some claims (a party's, a region's),
        are those it counts, from ``claims()``; else all of the commitments'.
        """
        after = {"recorded_at__gte": self.moment, "commitment__in": commitments}
        readings = Reading.history.model.objects.filter(
            id__in=public.readings().filter(commitment__in=commitments).values("pk"),
            history_type="+",
            history_date__gte=self.moment,
        )
        return RecordedLater(
            claims=self._claims_recorded_later(commitments, claims),
            status_changes=public.status_changes()
            .filter(effective_at__lt=self.moment, **after)
            .count(),
            readings=readings.count(),
        )

    def _claims_recorded_later(self, commitments: list[Commitment], claims=None) -> int:
        """How many of the claims up to the day were recorded after it: read from those
        recorded later.

        The day is asked of each of them (a filtered count), not of the whole
        record: asked both ways at once, the database reads every claim up to
        the day, which grows with the whole history rather than with what came
        after it. A page that counts only some claims gives them.
        """
        if claims is not None:
            return claims.filter(recorded_at__gte=self.moment).count()
        then = Q(occurred_at__lt=self.moment)
        return (
            public.events()
            .filter(commitment__in=commitments, recorded_at__gte=self.moment)
            .aggregate(n=Count("pk", filter=then))["n"]
        )


WINDOW = ["starts_at", "ends_at", "due_at", "precision", "time_zone"]


def _status_then(commitments: list[Commitment], moment: dt.datetime) -> None:
    """Each commitment's status when ``moment`` came, by the times its changes took effect."""
    changes = (
        public.status_changes().filter(commitment__in=commitments).order_by("effective_at", "pk")
    )
    by_pk: dict[int, list[StatusChange]] = {}
    for change in changes:
        by_pk.setdefault(change.commitment_id, []).append(change)
    for commitment in commitments:
        made = by_pk.get(commitment.pk, [])
        taken = [change for change in made if change.effective_at < moment]
        if taken:
            last = taken[-1]
            commitment.status = last.to_status
            commitment.status_changed_at = last.effective_at
            commitment.status_changed_precision = last.precision
            commitment.status_changed_zone = last.time_zone
        elif made:
            commitment.status = made[0].from_status
            commitment.status_changed_at = dt.datetime.combine(
                commitment.agreement.held_on, dt.time(), tzinfo=dt.UTC
            )


def handovers_today(event_ids):
    """What these deliveries handed over, as today's record has it: the rows a reader's
    ``handovers`` gives, with ``event_id``, ``received_by_id``, ``quantity`` and the units."""
    return public.quantities().filter(event_id__in=event_ids)


def _count(commitments, counted, moment, texts: bool, reader) -> None:
    """Give each commitment the summary of the claims ``counted`` (rows with ``COUNTED``).

    With ``texts`` (a commitment's own page, one commitment), also what each
    side received in all its deliveries, as the reader has the handovers.
    """
    reports: dict[int, list[dict]] = {c.pk: [] for c in commitments}
    for row in counted:
        reports[row["commitment_id"]].append(row)
    handed: dict[int, list] = {}
    if texts:
        for commitment in commitments:
            delivered = reader.deliveries([commitment.pk]).order_by().values("id")
            rows = (
                reader.handovers(delivered)
                .order_by()
                .values_list("received_by_id", "unit")
                .annotate(total=Sum("quantity"))
            )
            handed[commitment.pk] = [[party, unit, total] for party, unit, total in rows]
    for commitment in commitments:
        commitment.compliance_summary = summaries.of_reports(
            commitment.pk, reports[commitment.pk], moment, handed.get(commitment.pk, [])
        )


def obligors(reader, commitments: list[Commitment]) -> None:
    """Give each commitment ``obligor_roles``: who was bound by it, as the reader has it."""
    bound = reader.roles([c.pk for c in commitments], CommitmentParty.Role.OBLIGOR)
    for commitment in commitments:
        commitment.obligor_roles = bound.get(commitment.pk, [])


def named(reader, rows, shown: dict[int, Commitment], parties: dict) -> list[ComplianceEvent]:
    """The claims of ``rows`` as a page lists them: each with its commitment as ``reader`` shows
    it (``shown``, by id) and its parties named as they are today (``parties``, by id)."""
    found = reader.as_claims(rows)
    for claim in found:
        claim.commitment = shown[claim.commitment_id]
        claim.claimant = parties.get(claim.claimant_id)
        claim.accused = parties.get(claim.accused_id)
    return found


def answers_excluded(claims):
    """The claims a page lists: answers to a published claim are shown beside it instead."""
    return claims.exclude(
        in_response_to__is_published=True, in_response_to__commitment=F("commitment")
    )
