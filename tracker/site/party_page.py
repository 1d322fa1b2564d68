"""A party's page: the commitments that bind it and its scorecard.

The claims it made and those made against it are counted by month and
verification from one index per side, once per version of the record.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Case, CharField, Count, Func, Q, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker import public, public_at
from tracker.http import SHARED_MAX_AGE, public_cache, request_version
from tracker.models import CommitmentParty, Party
from tracker.site import past_day, scorecards
from tracker.status import Status

PARTY_PAGE_CLAIMS = 25
BOUND_LISTED = 50


@public_cache(etag_func=past_day.page_etag, parameters=[past_day.PARAMETER, past_day.MODE])
@require_safe
def party_detail(request, slug):
    """A party's page today, or at the end of ``?as_of=`` in either mode (``?known=now``)."""
    party = get_object_or_404(public.parties(), slug=slug)
    if past_day.PARAMETER not in request.GET:
        return HttpResponse(_party_page(request, party, _today(request, party)))
    as_of = past_day.asked_day(request, request.GET[past_day.PARAMETER], party.get_absolute_url())
    if not isinstance(as_of, past_day.AsOf):
        return as_of
    return HttpResponse(
        past_day.cached(
            request, "as-of-party", lambda: _party_page(request, party, _then(as_of, party))
        )
    )


def _party_page(request, party: Party, read: dict) -> str:
    """The page of a party from what it read, today or at the end of a past day."""
    counted, claims = read.pop("counted"), read.pop("claims")
    card = scorecards.scorecard(counted)
    made, against = card[scorecards.MADE].total.total, card[scorecards.AGAINST].total.total
    return render_to_string(
        "tracker/party.html",
        {
            "party": party,
            **read,
            "scorecard": [card[side] for side in scorecards.SIDES],
            # The counts say when a side has no claims at all: then there is nothing to read.
            "claims_made": claims("claimant") if made else [],
            "claims_made_count": made,
            "claims_against": claims("accused") if against else [],
            "claims_against_count": against,
            "limit": PARTY_PAGE_CLAIMS,
        },
        request,
    )


def _today(request, party: Party) -> dict:
    """What the page shows today, from ``tracker.public``."""
    other_roles = list(
        public.roles()
        .filter(party=party)
        .exclude(role=CommitmentParty.Role.OBLIGOR)
        .select_related("commitment__agreement")
        .order_by("role", "commitment__title")
    )
    events = (
        public.events()
        .select_related("commitment", "claimant", "accused")
        .order_by("-occurred_at", "-pk")
    )
    return {
        "as_of_query": "",
        "board_url": f"{reverse('board')}?party={party.slug}",
        **_bound_by(party),
        "other_roles": other_roles,
        # Counting a side of a long conflict reads half a million index entries: once per
        # version of the record, not once a minute as the page itself is drawn again.
        "counted": cache.get_or_set(
            f"tracker:party-claims:{party.pk}:{request_version(request).token}",
            lambda: party_claims(party),
            SHARED_MAX_AGE,
        ),
        "claims": lambda side: list(events.filter(**{side: party})[:PARTY_PAGE_CLAIMS]),
    }


def _then(as_of: past_day.AsOf, party: Party) -> dict:
    """What the page shows at the end of a past day, as the day's reader has the record.

    The commitments shown then, the roles the party played in them, and the
    claims shown then (as published) or dated by then (as known now); the
    parties are named as they are today.
    """
    reader = as_of.reader
    shown = {commitment.pk: commitment for commitment in reader.commitments()}
    played = [
        role
        for roles in reader.roles(list(shown)).values()
        for role in roles
        if role.party_id == party.pk
    ]
    for role in played:
        role.commitment = shown[role.commitment_id]
        role.commitment.as_of_url = f"{role.commitment.get_absolute_url()}?{as_of.query}"
    bound = [role for role in played if role.role == CommitmentParty.Role.OBLIGOR]
    rank = {status: 0 for status in public.LIVE_STATUSES} | {Status.ANNOUNCED: 1}
    bound.sort(key=lambda role: (rank.get(role.commitment.status, 2), role.commitment.title))
    by_status: dict[str, int] = {}
    for role in bound:
        by_status[role.commitment.status] = by_status.get(role.commitment.status, 0) + 1
    claims = reader.claims(list(shown))
    names = {named.pk: named for named in public.parties()}

    def listed(side: str) -> list:
        rows = claims.filter(**{f"{side}_id": party.pk})[:PARTY_PAGE_CLAIMS]
        return public_at.named(reader, rows, shown, names)

    its_own = claims.filter(Q(claimant_id=party.pk) | Q(accused_id=party.pk))
    later = reader.later([role.commitment for role in played], its_own)
    return {
        "as_of": as_of,
        "as_of_query": f"?{as_of.query}",
        "board_url": as_of.board_of(party),
        "other_mode_url": f"{party.get_absolute_url()}?{as_of.other_mode_query}",
        "current_url": party.get_absolute_url(),
        "current_words": _("See this party as it is today"),
        "as_of_heading": _("The party as it stood at the end of %(day)s") % {"day": as_of.day_text},
        "recorded_later": past_day.later_words(later, as_of),
        **_bound_counts(bound[:BOUND_LISTED], by_status),
        "other_roles": sorted(
            (role for role in played if role.role != CommitmentParty.Role.OBLIGOR),
            key=lambda role: (role.role, role.commitment.title),
        ),
        "counted": party_claims(party, claims),
        "claims": listed,
    }


class MonthOf(Func):
    """A date's month as text, "2025-03", written natively by each database.

    Django's own month truncation is a Python function called once per row
    on SQLite, which a party with half a million claims would feel.
    """

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        # %%%% is one % once the template and then the query's parameters are filled in.
        template = "strftime('%%%%Y-%%%%m', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')")


def party_claims(party: Party, claims=None) -> list[tuple[str, str, str, int]]:
    """The published claims a party made or that were made against it, counted.

    Rows of (side, month as "YYYY-MM", verification state, count), for
    ``scorecards.scorecard``, by the day each claim is dated on. One grouped
    query per side, each read from the side's index alone: a party on one
    side of a long conflict makes or faces half of all claims. ``claims``
    are those of a past day (``tracker.public_at``), today's by default.
    """
    claims = public.events() if claims is None else claims
    rows = []
    for side, field in ((scorecards.MADE, "claimant"), (scorecards.AGAINST, "accused")):
        counted = (
            claims.filter(**{f"{field}_id": party.pk})
            .annotate(month=MonthOf("occurred_on"))
            .values_list("month", "verification")
            .annotate(count=Count("pk"))
            .order_by()
        )
        rows += [(side, month, state, count) for month, state, count in counted]
    return rows


def _bound_by(party: Party) -> dict:
    """The commitments binding a party: how many in each status, and the live ones first.

    A side of a long conflict may be bound by thousands; the page lists the
    first ``BOUND_LISTED`` (in force and suspended, then announced, then the
    rest) and links to the board filtered by the party for all of them.
    """
    bound = public.roles().filter(party=party, role=CommitmentParty.Role.OBLIGOR)
    by_status = dict(bound.order_by().values_list("commitment__status").annotate(count=Count("pk")))
    liveness = Case(
        When(commitment__status__in=public.LIVE_STATUSES, then=Value(0)),
        When(commitment__status=Status.ANNOUNCED, then=Value(1)),
        default=Value(2),
    )
    listed = list(
        bound.select_related("commitment__agreement")
        .annotate(liveness=liveness)
        .order_by("liveness", "commitment__title", "commitment__pk")[:BOUND_LISTED]
    )
    return _bound_counts(listed, by_status)


def _bound_counts(listed: list, by_status: dict) -> dict:
    return {
        "bound_by": listed,
        "bound_count": sum(by_status.values()),
        "bound_statuses": [
            (value, label, by_status[value])
            for value, label in Status.choices
            if value in by_status
        ],
    }
