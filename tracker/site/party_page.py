"""A party's page: the commitments that bind it and its scorecard.

The claims it made and those made against it are counted by month and
verification from one index per side, once per version of the record.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Case, CharField, Count, Func, Value, When
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from tracker import public
from tracker.http import SHARED_MAX_AGE, public_cache, request_version
from tracker.models import CommitmentParty, Party
from tracker.site import scorecards
from tracker.status import Status

PARTY_PAGE_CLAIMS = 25
BOUND_LISTED = 50


@public_cache(parameters=[])
@require_safe
def party_detail(request, slug):
    party = get_object_or_404(public.parties(), slug=slug)
    other_roles = list(
        public.roles()
        .filter(party=party)
        .exclude(role=CommitmentParty.Role.OBLIGOR)
        .select_related("commitment__agreement")
        .order_by("role", "commitment__title")
    )
    # Counting a side of a long conflict reads half a million index entries: once per
    # version of the record, not once a minute as the page itself is drawn again.
    counted = cache.get_or_set(
        f"tracker:party-claims:{party.pk}:{request_version(request).token}",
        lambda: party_claims(party),
        SHARED_MAX_AGE,
    )
    card = scorecards.scorecard(counted)
    made, against = card[scorecards.MADE].total.total, card[scorecards.AGAINST].total.total
    events = (
        public.events()
        .select_related("commitment", "claimant", "accused")
        .order_by("-occurred_at", "-pk")
    )
    return render(
        request,
        "tracker/party.html",
        {
            "party": party,
            **_bound_by(party),
            "other_roles": other_roles,
            "scorecard": [card[side] for side in scorecards.SIDES],
            # The counts say when a side has no claims at all: then there is nothing to read.
            "claims_made": list(events.filter(claimant=party)[:PARTY_PAGE_CLAIMS]) if made else [],
            "claims_made_count": made,
            "claims_against": (
                list(events.filter(accused=party)[:PARTY_PAGE_CLAIMS]) if against else []
            ),
            "claims_against_count": against,
            "limit": PARTY_PAGE_CLAIMS,
        },
    )


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


def party_claims(party: Party) -> list[tuple[str, str, str, int]]:
    """The published claims a party made or that were made against it, counted.

    Rows of (side, month as "YYYY-MM", verification state, count), for
    ``scorecards.scorecard``, by the day each claim is dated on. One grouped
    query per side, each read from the side's index alone: a party on one
    side of a long conflict makes or faces half of all claims.
    """
    rows = []
    for side, field in ((scorecards.MADE, "claimant"), (scorecards.AGAINST, "accused")):
        counted = (
            public.events()
            .filter(**{field: party})
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
    return {
        "bound_by": listed,
        "bound_count": sum(by_status.values()),
        "bound_statuses": [
            (value, label, by_status[value])
            for value, label in Status.choices
            if value in by_status
        ],
    }
