"""The cards of the board and the agreement page: what each loads and how it is kept.

A card shows a commitment's status, countdown, violation tallies and daily
strip. It is rendered once per version of what it shows and kept in the
cache every node shares, so a new claim re-renders one card, not the board.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.template.loader import render_to_string

from tracker import attention, clock, public, summaries
from tracker.http import cached_named_fragments
from tracker.models import VERIFIED, Commitment, CommitmentParty, ComplianceSummary
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

    ``fragment_key`` adds what the reader chose (the language, the zone)
    and the minute, so one reader's card never reaches another.
    """
    summary = summary_of(commitment)
    return (
        commitment.pk,
        commitment.updated_at,
        commitment.status,
        commitment.status_changed_at,
        commitment.status_changed_precision,
        commitment.status_changed_zone,
        commitment.working_reading_id,
        commitment.working_starts_at,
        commitment.working_ends_at,
        commitment.working_due_at,
        commitment.working_precision,
        commitment.working_time_zone,
        summary.refreshed_at if summary else None,
        tuple((role.party_id, role.party.name) for role in commitment.obligor_roles),
        tuple(commitment.tallies),
        tuple(commitment.marks),
    )


def with_cards(
    request, commitments: list[Commitment], *, away=False, kept=True
) -> list[Commitment]:
    """Give each commitment its card, rendered once per version of what it shows.

    Cards are cached one by one, so a new claim re-renders the card of its
    commitment, and the rest of the board comes from the cache: all read in
    one round trip, and those rendered kept in another. A card ``away`` from
    its agreement's group (among those needing attention) names the
    agreement too. A past day's cards are not ``kept`` one by one: its
    whole page is.
    """
    if not kept:
        for commitment in commitments:
            commitment.card = render_to_string(
                "tracker/_commitment_card.html", {"commitment": commitment, "away": away}, request
            )
        return commitments
    with_cards_of(request, [(commitments, away)])
    return commitments


def with_cards_of(request, groups: list[tuple[list[Commitment], bool]]) -> None:
    """``with_cards`` for several lists at once, ``(commitments, away)`` each: one round trip."""
    fragments = [
        (
            "card-away" if away else "card",
            card_version(commitment),
            lambda commitment=commitment, away=away: render_to_string(
                "tracker/_commitment_card.html",
                {"commitment": commitment, "away": away},
                request,
            ),
        )
        for commitments, away in groups
        for commitment in commitments
    ]
    cards = iter(cached_named_fragments(request, fragments))
    for commitments, _away in groups:
        for commitment in commitments:
            commitment.card = next(cards)


def decorate(
    commitments: list[Commitment], party_names: dict[int, str], now, tz_name: str, strips=True
):
    """Attach what the lists show: countdown, violation tallies, marks and the daily strip.

    All of it comes from the row and its compliance summary: nothing here
    reads the commitment's events. Countdowns and dates are on the reader's
    clock (``tz_name``). The marks (overdue, ending soon, verified
    violations) and whether it needs attention follow ``tracker.attention``.
    """
    for commitment in commitments:
        commitment.deadline = deadline(commitment, now, tz_name)
        commitment.tallies = presenters.violation_tallies(
            commitment.compliance.violations_by_side(), party_names
        )
        summary = summary_of(commitment)
        mark(commitment, verified_days(summary.worst_days if summary else {}, now), now)
        if strips:
            window = (commitment.working_starts_at, commitment.working_ends_at)
            zone = commitment.working_time_zone
            days = strip_days(*window, now, commitment.working_precision, zone)
            worst = summaries.worst_days(summary, *days) if days else {}
            commitment.strip = daily_strip(
                *window, severity_by_standing(worst), now, commitment.working_precision, zone
            )
    return commitments


def deadline(commitment: Commitment, now, tz_name: str) -> str:
    """The countdown, or when it ended, of a commitment carrying its working window.

    The window's instants are said as precisely as the working reading gave
    them, and an end by a status change as precisely as that change was
    given: the card's "ended 19 March 2025" and its status history agree.
    """
    return clock.deadline_text(
        commitment.shape,
        commitment.working_starts_at,
        commitment.working_ends_at,
        commitment.working_due_at,
        now,
        status=commitment.status,
        status_changed_at=commitment.status_changed_at,
        status_precision=commitment.status_changed_precision,
        status_zone=commitment.status_changed_zone,
        has_terms=commitment.working_reading_id is not None,
        precision=commitment.working_precision or clock.Precision.MINUTE,
        tz_name=tz_name,
        own_zone=commitment.working_time_zone,
    )


def verified_days(worst: dict[str, str], now) -> list:
    """The recent days with a verified violation, from the marks a summary keeps.

    Only the last ``attention.RECENT_DAYS`` are read: older ones make no mark,
    and a claim about a long period is read for those days alone.
    """
    today = now.astimezone(dt.UTC).date()
    recent = summaries.standings_between(worst, attention.recent_since(now), today)
    return [day for day, standing in recent.items() if standing == VERIFIED]


def mark(commitment: Commitment, verified_days: list, now) -> None:
    """Give a decorated commitment its marks, and say whether it needs attention."""
    # A deliverable, or a process milestone: it falls due rather than ends.
    commitment.falls_due = commitment.shape == "deliverable" or bool(
        commitment.working_due_at and not commitment.working_ends_at
    )
    commitment.marks = attention.marks(
        shape=commitment.shape,
        status=commitment.status,
        end=commitment.working_ends_at,
        due=commitment.working_due_at,
        verified=sum(tally.verified for tally in commitment.tallies),
        verified_days=verified_days,
        now=now,
    )
    commitment.needs_attention = attention.needs_attention(commitment.marks, verified_days, now)
