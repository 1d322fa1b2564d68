"""The public records shaped for machines: what the CSV files and the JSON API read.

Each queryset starts from ``tracker.public``, so an unpublished record, an
internal note or a staff member's name cannot reach a download by forgetting
a filter. Records are ordered by their English texts, so a file or a page of
the API lists them in the same order whatever language it was asked in.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tracker import public
from tracker.models import Agreement, Commitment, ComplianceEvent, Party, Reading


def public_commitments() -> QuerySet[Commitment]:
    """Published commitments with their public working window, roles and compliance counts.

    The working window comes from the working reading only while that reading
    is published; the renewed commitment is named only while it is public.
    """
    return (
        public.commitments()
        .select_related("agreement", "compliance_summary")
        .annotate(**public.working_window(), public_renews=public.renewed_slug())
        .prefetch_related(
            Prefetch("roles", queryset=public.roles().select_related("party")),
        )
        .order_by("agreement__held_on", "title_en", "pk")
    )


def public_readings() -> QuerySet[Reading]:
    return (
        public.readings()
        .select_related("commitment", "read_by")
        .prefetch_related(public.cited_sources())
        .order_by("commitment__slug", "-is_working", "starts_at", "pk")
    )


def public_events() -> QuerySet[ComplianceEvent]:
    """Published events; the claim an event answers is named only while it is public."""
    return (
        public.events()
        .select_related("commitment", "claimant", "accused")
        .annotate(public_in_response_to=public.answered_event_id())
        .prefetch_related(public.cited_sources(), public.handovers())
        .order_by("-occurred_at", "-pk")
    )


def public_agreements() -> QuerySet[Agreement]:
    return (
        public.agreements()
        .prefetch_related(
            public.named_parties(),
            public.cited_sources(),
            Prefetch("commitments", queryset=public.commitments().order_by("title_en", "pk")),
        )
        .order_by("-held_on", "title_en", "pk")
    )


def parties_in_role(commitment: Commitment, role: str) -> list[Party]:
    return [r.party for r in commitment.roles.all() if r.role == role]


def violation_counts(commitment: Commitment) -> tuple[int, int]:
    """(alleged, verified) violation claims among the published events."""
    by_claimant = commitment.compliance.violations_by_claimant().values()
    alleged = sum(bucket["alleged"] for bucket in by_claimant)
    verified = sum(bucket["verified"] for bucket in by_claimant)
    return alleged, verified
