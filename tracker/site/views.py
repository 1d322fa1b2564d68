"""The public pages: board, commitment, agreement, party and recent changes.

Views only read, and only through ``tracker.public``, so a record that is not
published cannot reach a page by a forgotten filter. Each page loads
what it shows in a fixed number of queries, and answers conditional GETs
before doing any of that work (``tracker.http.public_cache``).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from tracker import changelog, clock, public, summaries, translated
from tracker.http import SHARED_MAX_AGE, cached_fragment, current_version, public_cache
from tracker.models import (
    Category,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    ComplianceSummary,
    EventKind,
    Party,
    Reading,
)
from tracker.site import as_of, presenters, scorecards, timelines
from tracker.site.filters import MAX_CHANGES_PAGES, BoardFilters, ChangesPage, EventFilters
from tracker.site.reader_zone import zone_of
from tracker.site.strips import Severity, daily_strip, severity_by_standing
from tracker.status import Status

COMMITMENTS_PER_PAGE = 24
PARTY_PAGE_CLAIMS = 25
BOUND_LISTED = 50
DELIVERIES_LISTED = 20


def bad_request(request, errors: list[str]):
    """A 400 page that says what was wrong with the address, in the site's style."""
    return render(request, "400.html", {"errors": errors}, status=400)


def _form_errors(form: forms.Form) -> list[str]:
    return [message for messages in form.errors.values() for message in messages]


# Loading helpers -------------------------------------------------------------------


def _obligors():
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


def _decorate(
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
            worst = severity_by_standing(summaries.worst_days(summary_of(commitment)))
            commitment.strip = daily_strip(
                commitment.working_starts_at,
                commitment.working_ends_at,
                worst,
                now,
                commitment.working_precision,
            )
    return commitments


# Pages -------------------------------------------------------------------------


@public_cache
@require_safe
def board(request):
    binds = public.roles().filter(party=OuterRef("pk"), role=CommitmentParty.Role.OBLIGOR)
    parties = list(public.parties().annotate(binds=Exists(binds)))
    filters = BoardFilters(request.GET, parties=parties)
    if not filters.is_valid():
        return bad_request(request, _form_errors(filters))
    chosen = filters.cleaned_data
    try:
        listing = cached_fragment(
            request, "board", lambda: _board_listing(request, chosen, parties)
        )
    except NoSuchPage as exc:
        return bad_request(request, [str(exc)])
    return render(request, "tracker/board.html", {"listing": listing, **as_of.picker(request)})


class NoSuchPage(Exception):
    """A page number past the last page; raised while rendering, so nothing is cached."""


def _board_listing(request, chosen: dict, parties: list[Party]) -> str:
    """The filters and one page of commitments, grouped by agreement: everything but the forms.

    The board pages by agreement, so an agreement's commitments are never
    split across two pages; a page holds whole agreements up to about
    ``COMMITMENTS_PER_PAGE`` cards, so its weight stays the same however many
    agreements there are. Only the page shown is loaded.
    """
    commitments = public.commitments()
    if chosen["status"]:
        commitments = commitments.filter(status=chosen["status"])
    if chosen["category"]:
        commitments = commitments.filter(category=chosen["category"])
    if chosen["party"]:
        commitments = commitments.filter(
            roles__party=chosen["party"], roles__role=CommitmentParty.Role.OBLIGOR
        ).distinct()
    agreements = list(
        commitments.order_by("-agreement__held_on", "agreement_id")
        .values_list("agreement_id", "agreement__held_on")
        .annotate(listed=Count("pk", distinct=True))
    )
    pages = presenters.pack(
        [(agreement, n) for agreement, _held, n in agreements], COMMITMENTS_PER_PAGE
    )
    paginator = Paginator(pages, 1, allow_empty_first_page=True)
    page_number = chosen["page"] or 1
    if page_number > paginator.num_pages:
        raise NoSuchPage(
            _("There is no page %(page)d: the commitments fill %(pages)d.")
            % {"page": page_number, "pages": paginator.num_pages}
        )
    page = paginator.page(page_number)
    shown = page.object_list[0] if page.object_list else []
    loaded = list(
        commitments.filter(agreement__in=shown)
        .annotate(**public.working_window())
        .select_related("agreement", "compliance_summary")
        .defer(*CARD_LEAVES_OUT)
        .prefetch_related(_obligors())
        .order_by("-agreement__held_on", "agreement__pk", "title")
    )
    party_names = {party.pk: translated.text(party, "name") for party in parties}
    with_cards(request, _decorate(loaded, party_names, timezone.now(), zone_of(request).name))
    return render_to_string(
        "tracker/_board_listing.html",
        {
            "groups": presenters.group_by_agreement(loaded),
            "count": sum(listed for _agreement, _held, listed in agreements),
            "page": page,
            "filters": chosen,
            "is_filtered": bool(chosen["status"] or chosen["category"] or chosen["party"]),
            "statuses": Status.choices,
            "categories": Category.choices,
            "parties": [p for p in parties if p.binds or p == chosen["party"]],
        },
        request,
    )


@public_cache(etag_func=as_of.commitment_etag)
@require_safe
def commitment_detail(request, slug):
    if as_of.PARAMETER in request.GET:
        return as_of.commitment(request, slug)
    parties = list(public.parties())
    filters = EventFilters(request.GET, parties=parties)
    if not filters.is_valid():
        # An address that names no public commitment is a 404 whatever its filters say.
        get_object_or_404(public.commitments(), slug=slug)
        return bad_request(request, _form_errors(filters))
    try:
        page = cached_fragment(
            request,
            "commitment",
            lambda: _commitment_page(request, slug, filters, parties),
        )
    except NoSuchPage as exc:
        return bad_request(request, [str(exc)])
    return HttpResponse(page)


def _commitment_page(request, slug: str, filters: EventFilters, parties: list[Party]) -> str:
    """The whole commitment page, for one version of the record, filters and page of claims."""
    chosen = filters.cleaned_data
    commitment = get_object_or_404(_commitment_for_page(chosen), slug=slug)

    events = public.events().filter(commitment=commitment)
    claims = _claims(events, chosen).select_related("claimant", "accused")
    summary = summary_of(commitment)
    page_number = chosen["page"] or 1
    per_page = chosen["per_page"]
    shown_claims, listed = _page_of_claims(claims, page_number, per_page, _is_filtered(chosen))
    if listed is None:
        listed = summary.claims if summary else 0
    paginator = CountedPaginator(shown_claims, per_page, listed)
    if page_number > paginator.num_pages:
        raise NoSuchPage(
            _("There is no page %(page)d: the events fill %(pages)d.")
            % {"page": page_number, "pages": paginator.num_pages}
        )

    now = timezone.now()
    zone = zone_of(request).name
    roles = sorted(
        public.roles().filter(commitment=commitment).select_related("party"),
        key=lambda r: (r.party.name, r.role),
    )
    readings = _readings_in_zones(commitment, zone, {role.party.time_zone for role in roles})
    party_names = {party.pk: translated.text(party, "name") for party in parties}
    _decorate([commitment], party_names, now, zone)
    status_changes = list(public.status_changes().filter(commitment=commitment))
    page = paginator.page(page_number)
    claimant_ids = {cell[2] for cell in commitment.compliance.cells}
    delivery_count = commitment.compliance.count(kind=EventKind.DELIVERY)
    latest, before = (
        _latest_deliveries(summary, events, DELIVERIES_LISTED, party_names)
        if delivery_count
        else ({}, {})
    )
    page.object_list = _with_sources_and_handovers(shown_claims, latest)
    listed_deliveries, totals = presenters.deliveries_with_totals(
        latest.values(), commitment.promised_quantity, before
    )

    return render_to_string(
        "tracker/commitment.html",
        {
            "commitment": commitment,
            "renews": commitment.renews if commitment.renews_is_public else None,
            "roles": roles,
            "readings": readings,
            "timeline": _timeline(readings, summary.days if summary else [], now, zone),
            "status_changes": status_changes,
            "since": presenters.status_since(
                status_changes,
                commitment.agreement.held_on,
                zone,
                deadlines=[commitment.working_ends_at, commitment.working_due_at],
                precision=commitment.working_precision or clock.Precision.MINUTE,
            ),
            "page": page,
            "filters": filters,
            "chosen": chosen,
            "is_filtered": _is_filtered(chosen),
            "claimants": [party for party in parties if party.pk in claimant_ids],
            "deliveries": listed_deliveries,
            "delivery_count": delivery_count,
            "totals": totals,
        },
        request,
    )


class CountedPaginator(Paginator):
    """A paginator given its count, because the count came with another query.

    ``object_list`` is the page already read, whatever page is asked for.
    """

    def __init__(self, object_list, per_page: int, count: int):
        super().__init__(object_list, per_page)
        self.count = count

    def _get_page(self, object_list, number, paginator):
        return super()._get_page(self.object_list, number, paginator)


def _page_of_claims(claims, number: int, per_page: int, count_them: bool):
    """One page of claims, with their answers, and how many the filters list when asked.

    The count comes with the page, from a window over the same query, so a
    filtered page costs one query; unfiltered, the summary already knows it.
    A page past the end reads nothing and is counted by itself.
    """
    start = (number - 1) * per_page
    if count_them:
        claims = claims.annotate(listed_in_all=Window(Count("pk")))
    rows = list(claims.prefetch_related(_answers())[start : start + per_page])
    if not count_them:
        return rows, None
    if rows:
        return rows, rows[0].listed_in_all
    return rows, claims.count() if number > 1 else 0


def _is_filtered(chosen: dict) -> bool:
    return bool(chosen["claimant"] or chosen["kind"] or chosen["verification"])


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


def _readings_in_zones(
    commitment: Commitment, reader_zone: str, party_zones: set[str]
) -> list[Reading]:
    """Published readings, each instant said as precisely as its source gave it.

    An hour or a minute is given on the reader's clock and on the wall
    clocks of the wording and the parties; a day is that day in the zone its
    wording meant (``presenters.in_zones``).
    """
    readings = list(
        public.readings()
        .filter(commitment=commitment)
        .select_related("read_by")
        .prefetch_related(public.cited_sources())
    )
    for reading in readings:
        for name, instant in (
            ("starts", reading.starts_at),
            ("ends", reading.ends_at),
            ("due", reading.due_at),
        ):
            texts = presenters.in_zones(
                instant, reading.precision, reader_zone, reading.time_zone, party_zones
            )
            setattr(reading, name, texts)
    return readings


def _timeline(
    readings: list[Reading], event_days: list[list], now, tz_name: str
) -> timelines.Timeline | None:
    """Readings as bars, and one tick per day and severity of the events reported.

    ``event_days`` are the rows of the compliance summary: the reports of a
    day that count alike (two kinds of statement, say) share one, so the
    drawing grows with the days covered, not with the claims. A tick standing
    for one event is titled with its summary; one standing for several says
    how many; the summary is in the reader's language, or in English.
    """
    spans = [
        timelines.ReadingSpan(
            label=reading.label,
            start=reading.starts_at,
            end=reading.ends_at or reading.due_at,
            is_working=reading.is_working,
        )
        for reading in readings
    ]
    severities = {"verified": Severity.VERIFIED, "alleged": Severity.ALLEGED, "": Severity.NONE}
    ticks = []
    for day, standing, count, first_at, summary in event_days:
        if count == 1:
            # A summary built before it kept every language holds the English text alone.
            texts = summary if isinstance(summary, dict) else {translated.ENGLISH: summary}
            by_language = {f"summary_{language}": text for language, text in texts.items()}
            what = str(translated.text(by_language, "summary"))
        else:
            what = ngettext("%(counter)s claim", "%(counter)s claims", count) % {"counter": count}
        at = dt.datetime.fromisoformat(first_at)
        when = clock.day_text(dt.date.fromisoformat(day))
        ticks.append((at, severities[standing], f"{when}: {what}"))
    return timelines.timeline(spans, ticks, now, tz_name)


def _claims(events, chosen: dict):
    """The claims the filters choose; answers to a published claim are shown beside it instead."""
    claims = events.exclude(
        in_response_to__is_published=True, in_response_to__commitment=F("commitment")
    )
    if chosen["claimant"]:
        claims = claims.filter(claimant=chosen["claimant"])
    if chosen["kind"]:
        claims = claims.filter(kind=chosen["kind"])
    if chosen["verification"]:
        claims = claims.filter(verification=chosen["verification"])
    return claims


def _answers():
    """The published answers to each claim, oldest first, to show beside it."""
    answers = public.events().select_related("claimant", "accused").order_by("occurred_at", "pk")
    return Prefetch("responses", queryset=answers)


def _latest_deliveries(
    summary: ComplianceSummary, events, listed: int, names: dict[int, str]
) -> tuple[dict[int, tuple], dict]:
    """The latest ``listed`` deliveries with what each side received, and the totals before them.

    One query, however many deliveries there were: the totals come from the
    compliance summary. Returns
    {event id: (occurred_at, day, summary, [(side, quantity, unit), ...])},
    oldest first, as ``presenters.deliveries_with_totals`` reads them, and
    what each side had received before the first of them. Summaries, sides
    and units are in the reader's language (``tracker.translated``); the
    summary counts by the English unit, which names it in every language.
    """
    deliveries = events.filter(kind=EventKind.DELIVERY)
    summaries_in = translated.columns("summary")
    units_in = [f"quantities__{column}" for column in translated.columns("unit")]
    latest = deliveries.order_by("-occurred_at", "-pk").values("pk")[:listed]
    rows = (
        deliveries.filter(pk__in=Subquery(latest))
        .order_by("occurred_at", "pk", "quantities__received_by__name", "quantities__unit")
        .values(
            "pk",
            "occurred_at",
            "precision",
            *summaries_in,
            "quantities__received_by_id",
            "quantities__quantity",
            *units_in,
        )
    )
    shown: dict[int, tuple] = {}
    units: dict[str, translated.Text] = {}
    for row in rows:
        day = clock.calendar_day(row["occurred_at"], row["precision"])
        summary_text = translated.text(row, "summary")
        handovers = shown.setdefault(row["pk"], (row["occurred_at"], day, summary_text, []))[3]
        if row["quantities__received_by_id"] is not None:
            unit = translated.text({c[12:]: row[c] for c in units_in}, "unit")
            units.setdefault(row[f"quantities__unit_{translated.ENGLISH}"], unit)
            handovers.append(
                (names[row["quantities__received_by_id"]], row["quantities__quantity"], unit)
            )
    totals = {
        (names[party], units.get(unit) or translated.text({"unit": unit}, "unit")): total
        for party, unit, total in summary.handovers
    }
    before = dict(totals)
    for delivery in shown.values():
        for side, quantity, unit in delivery[3]:
            before[side, unit] -= quantity
    return shown, before


def _with_sources_and_handovers(claims: list[ComplianceEvent], latest: dict) -> list:
    """Load the sources of the listed claims and their answers together, in one query.

    Only deliveries hand over quantities. Those among the latest deliveries,
    read for their table already, take them from there; any other (an old
    delivery on a later page) is read in one more query.
    """
    listed = claims + [response for claim in claims for response in claim.responses.all()]
    prefetch_related_objects(listed, public.cited_sources())
    older = [e for e in listed if e.kind == EventKind.DELIVERY and e.pk not in latest]
    if older:
        prefetch_related_objects(older, public.handovers())
    for event in listed:
        if event.pk in latest:
            event.handovers = latest[event.pk][3]
        else:
            event.handovers = [
                (translated.text(q.received_by, "name"), q.quantity, translated.text(q, "unit"))
                for q in (event.quantities.all() if event in older else [])
            ]
    return claims


@public_cache
@require_safe
def agreement_detail(request, slug):
    agreement = get_object_or_404(
        public.agreements().prefetch_related(public.named_parties(), public.cited_sources()),
        slug=slug,
    )
    commitments = list(
        public.commitments()
        .filter(agreement=agreement)
        .annotate(**public.working_window())
        .select_related("agreement", "compliance_summary")
        .defer(*CARD_LEAVES_OUT)
        .prefetch_related(_obligors())
        .order_by("title")
    )
    party_names = {party.pk: translated.text(party, "name") for party in public.parties()}
    zone = zone_of(request).name
    with_cards(request, _decorate(commitments, party_names, timezone.now(), zone))
    return render(
        request,
        "tracker/agreement.html",
        {"agreement": agreement, "commitments": commitments},
    )


@public_cache
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
        f"tracker:party-claims:{party.pk}:{current_version().token}",
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


@public_cache
@require_safe
def changes(request):
    filters = ChangesPage(request.GET)
    if not filters.is_valid():
        return bad_request(request, _form_errors(filters))
    page = filters.cleaned_data["page"] or 1
    per_page = changelog.DEFAULT_LIMIT
    entries = changelog.recent_changes(
        limit=per_page + 1, offset=(page - 1) * per_page, tz_name=zone_of(request).name
    )
    return render(
        request,
        "tracker/changes.html",
        {
            "entries": entries[:per_page],
            "page": page,
            "has_older": len(entries) > per_page and page < MAX_CHANGES_PAGES,
        },
    )
