"""The cards of the board and the agreement page: what each loads and how it is kept.

A card shows a commitment's status, countdown, violation tallies and daily
strip. It is rendered once per version of what it shows and kept in the
cache every node shares, so a new claim re-renders one card, not the board.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.template.loader import render_to_string

from tracker import clock, public, summaries
from tracker.http import cached_fragment
from tracker.models import Commitment, CommitmentParty, ComplianceSummary
from tracker.site import presenters
from tracker.site.strips import daily_strip, severity_by_standing, strip_days


def obligors():
    return Prefetch(
        "roles",
        queryset=public.roles().filter(role=CommitmentParty.Role.OBLIGOR).select_related("party"),
        to_attr="obligor_roles",
    )


# What a card does not show, left unread for the board's and agreement page's cards.
CARD_LEAVES_OUT = [
    "terms",
    "conditions",
    "internal_note",
    "agreement__summary",
    "agreement__internal_note",
    "compliance_summary__days",
    "compliance_summary__handovers",
]


def summary_of(commitment: Commitment) -> ComplianceSummary | None:
    try:
        return commitment.compliance_summary
    except ComplianceSummary.DoesNotExist:
        return None


def card_version(commitment: Commitment) -> tuple:
    """Everything a commitment's card shows, as loaded; the card changes when this does.

    ``cached_fragment`` adds what the reader chose (the language, the zone)
    and the minute, so one reader's card never reaches another.
    """
    summary = summary_of(commitment)
    return (
        commitment.pk,
        commitment.updated_at,
        commitment.status,
        commitment.status_changed_at,
        commitment.working_reading_id,
        commitment.working_starts_at,
        commitment.working_ends_at,
        commitment.working_due_at,
        commitment.working_precision,
        summary.refreshed_at if summary else None,
        tuple((role.party_id, role.party.name) for role in commitment.obligor_roles),
        tuple(commitment.tallies),
    )


def with_cards(request, commitments: list[Commitment]) -> list[Commitment]:
    """Give each commitment its card, rendered once per version of what it shows.

    Cards are cached one by one, so a new claim re-renders the card of its
    commitment, and the rest of the board comes from the cache.
    """
    for commitment in commitments:
        commitment.card = cached_fragment(
            request,
            "card",
            lambda commitment=commitment: render_to_string(
                "tracker/_commitment_card.html", {"commitment": commitment}, request
            ),
            version=card_version(commitment),
        )
    return commitments


def decorate(
    commitments: list[Commitment], party_names: dict[int, str], now, tz_name: str, strips=True
):
    """Attach what the lists show: countdown, violation tallies and the daily strip.

    All of it comes from the row and its compliance summary: nothing here
    reads the commitment's events. Countdowns and dates are on the reader's
    clock (``tz_name``).
    """
    for commitment in commitments:
        commitment.deadline = clock.deadline_text(
            commitment.shape,
            commitment.working_starts_at,
            commitment.working_ends_at,
            commitment.working_due_at,
            now,
            status=commitment.status,
            status_changed_at=commitment.status_changed_at,
            has_terms=commitment.working_reading_id is not None,
            precision=commitment.working_precision or clock.Precision.MINUTE,
            tz_name=tz_name,
        )
        commitment.tallies = presenters.violation_tallies(
            commitment.compliance.violations_by_claimant(), party_names
        )
        if strips:
            window = (commitment.working_starts_at, commitment.working_ends_at)
            days = strip_days(*window, now, commitment.working_precision)
            worst = summaries.worst_days(summary_of(commitment), *days) if days else {}
            commitment.strip = daily_strip(
                *window, severity_by_standing(worst), now, commitment.working_precision
            )
    return commitments
