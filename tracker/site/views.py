"""The public pages: the board, an agreement and recent changes, and what they share.

Views only read, and only through ``tracker.public``, so a record that is not
published cannot reach a page by a forgotten filter. Each page loads
what it shows in a fixed number of queries, and answers conditional GETs
before doing any of that work (``tracker.http.public_cache``).
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker import changelog, changelog_groups, public, public_at, translated
from tracker.http import public_cache
from tracker.models import Category, CommitmentParty, Party
from tracker.site import glance, past_day, presenters
from tracker.site.cards import CARD_LEAVES_OUT, decorate, obligors, with_cards, with_cards_of
from tracker.site.filters import (
    BOARD_PARAMETERS,
    CHANGES_PARAMETERS,
    MAX_CHANGES_PAGES,
    BoardFilters,
    ChangesPage,
)
from tracker.site.presenters import bad_request  # noqa: F401  (the pages' one 400)
from tracker.site.reader_zone import zone_of
from tracker.status import Status

COMMITMENTS_PER_PAGE = 24


def form_errors(form: forms.Form) -> list[str]:
    return [message for messages in form.errors.values() for message in messages]


# Pages -------------------------------------------------------------------------


@public_cache(etag_func=past_day.page_etag, parameters=[*BOARD_PARAMETERS, past_day.MODE])
@require_safe
def board(request, day: str | None = None):
    """The board today, or at the end of a past day (``/as-of/2025-04-01/``), in either mode."""
    as_of = None
    if day is not None:
        as_of = past_day.asked_day(request, day, reverse("board"))
        if not isinstance(as_of, past_day.AsOf):
            return as_of
    binds = public.roles().filter(party=OuterRef("pk"), role=CommitmentParty.Role.OBLIGOR)
    parties = list(public.parties().annotate(binds=Exists(binds)))
    filters = BoardFilters(request.GET, parties=parties)
    if not filters.is_valid():
        return bad_request(request, form_errors(filters))
    chosen = filters.cleaned_data
    try:
        if as_of is None:
            listing = _board_listing(request, chosen, parties)
        else:
            listing = past_day.cached(
                request, "as-of-board", lambda: _past_listing(request, as_of, chosen, parties)
            )
    except presenters.NoSuchPage as exc:
        return bad_request(request, [str(exc)])
    context = {"listing": listing, "as_of": as_of, **past_day.picker(request)}
    if as_of is not None:
        context["other_mode_url"] = as_of.other_board_url
    return render(request, "tracker/board.html", context)


def _board_listing(request, chosen: dict, parties: list[Party]) -> str:
    """The headline, what needs attention, then one page of the rest, grouped by agreement.

    Like a status page, the board answers "what is happening now?" first: a
    headline counting the whole public record (``glance``), then the
    commitments needing attention (``tracker.attention``: ending or due
    within seven days, overdue, a violation verified lately), most pressing
    first, at most ``ATTENTION_LISTED`` of them. The rest page by agreement,
    so an agreement's commitments are never split across two pages; a page
    holds whole agreements up to about ``COMMITMENTS_PER_PAGE`` cards, so
    its weight stays the same however many agreements there are. Only the
    page shown is loaded, in a fixed number of queries.
    """
    now = timezone.now()
    commitments = public.commitments()
    if chosen["status"]:
        commitments = commitments.filter(status=chosen["status"])
    if chosen["category"]:
        commitments = commitments.filter(category=chosen["category"])
    if chosen["party"]:
        commitments = commitments.filter(
            roles__party=chosen["party"], roles__role=CommitmentParty.Role.OBLIGOR
        ).distinct()
    urgent = _needing_attention(commitments, now)
    rest = commitments.exclude(pk__in=[commitment.pk for commitment in urgent])
    agreements = list(
        rest.order_by("-agreement__held_on", "agreement_id")
        .values_list("agreement_id", "agreement__held_on")
        .annotate(listed=Count("pk", distinct=True))
    )
    pages = presenters.pack(
        [(agreement, n) for agreement, _held, n in agreements], COMMITMENTS_PER_PAGE
    )
    page = _page_of(pages, chosen)
    page_number = page.number
    shown = page.object_list[0] if page.object_list else []
    loaded = list(
        _for_cards(rest.filter(agreement__in=shown)).order_by(
            "-agreement__held_on", "agreement__pk", "title"
        )
    )
    if page_number > 1:
        urgent = []
    prefetch_related_objects([*urgent, *loaded], obligors())
    party_names = {party.pk: translated.text(party, "name") for party in parties}
    zone = zone_of(request).name
    with_cards_of(
        request,
        [
            (decorate(urgent, party_names, now, zone), True),
            (decorate(loaded, party_names, now, zone), False),
        ],
    )
    return _listing(
        request,
        chosen,
        parties,
        page,
        loaded,
        count=len(urgent) + sum(listed for _agreement, _held, listed in agreements),
        headline=glance.headline(now),
        attention=urgent,
    )


def _page_of(pages: list, chosen: dict):
    """One page of the board: pages hold whole agreements (``presenters.pack``)."""
    paginator = Paginator(pages, 1, allow_empty_first_page=True)
    number = chosen["page"] or 1
    presenters.require_page(
        paginator, number, _("There is no page %(page)d: the commitments fill %(pages)d.")
    )
    return paginator.page(number)


def _listing(request, chosen, parties, page, listed, count: int, **more) -> str:
    """The board's filters and one page of its cards, grouped by agreement, today or then."""
    return render_to_string(
        "tracker/_board_listing.html",
        {
            "groups": presenters.group_by_agreement(listed),
            "count": count,
            "page": page,
            "filters": chosen,
            "is_filtered": bool(chosen["status"] or chosen["category"] or chosen["party"]),
            "statuses": Status.choices,
            "categories": Category.choices,
            "parties": [p for p in parties if p.binds or p == chosen["party"]],
            **more,
        },
        request,
    )


def _past_listing(request, as_of: past_day.AsOf, chosen: dict, parties: list[Party]) -> str:
    """The board at the end of a past day: its commitments as the reader of its mode has them.

    Every commitment shown then is read cheaply, to filter, count and page;
    only the page shown is given its window, its claims counted and its card.
    """
    reader = as_of.reader
    shown = reader.commitments()
    if chosen["status"]:
        shown = [c for c in shown if c.status == chosen["status"]]
    if chosen["category"]:
        shown = [c for c in shown if c.category == chosen["category"]]
    if chosen["party"]:
        bound = reader.roles([c.pk for c in shown], CommitmentParty.Role.OBLIGOR)
        party = chosen["party"].pk
        shown = [c for c in shown if any(r.party_id == party for r in bound.get(c.pk, []))]
    shown.sort(key=lambda c: c.title)
    shown.sort(key=lambda c: (c.agreement.held_on, -c.agreement.pk), reverse=True)
    groups = presenters.group_by_agreement(shown)
    page = _page_of(
        presenters.pack([(items, len(items)) for _a, items in groups], COMMITMENTS_PER_PAGE), chosen
    )
    listed = [c for items in (page.object_list[0] if page.object_list else []) for c in items]
    reader.complete(listed)
    public_at.obligors(reader, listed)
    names = {party.pk: translated.text(party, "name") for party in parties}
    zone = as_of.zone.name
    decorate(listed, names, reader.moment, zone)
    past_day.mark_corrections(reader, listed, zone)
    past_day.keep_day(as_of, listed)
    with_cards(request, listed, kept=False)
    later = reader.later(shown) if as_of.is_known_now else None
    return _listing(
        request,
        chosen,
        parties,
        page,
        listed,
        count=len(shown),
        clear_url=as_of.this_board_url,
        recorded_later=past_day.later_words(later, as_of),
    )


# The most that are listed as needing attention; any more are listed with their agreement.
ATTENTION_LISTED = 12


def _for_cards(commitments):
    """Commitments with what their cards show, and nothing they leave out."""
    return (
        commitments.annotate(**public.working_window())
        .select_related("agreement", "compliance_summary")
        .defer(*CARD_LEAVES_OUT)
    )


def _needing_attention(commitments, now) -> list:
    """The commitments needing attention, most pressing first: overdue, then soonest due.

    Among those due at the same time, or not due at all (a violation verified
    lately), the newest agreement first.
    """
    reasons = public.attention(now)
    pressing = Case(
        When(reasons["overdue"], then=Value(0)),
        When(reasons["soon"], then=Value(1)),
        default=Value(2),
    )
    deadline = Coalesce("working_due_at", "working_ends_at")
    return list(
        _for_cards(commitments)
        .filter(reasons["soon"] | reasons["overdue"] | reasons["verified"])
        .annotate(pressing=pressing, deadline=deadline)
        .order_by("pressing", F("deadline").asc(nulls_last=True), "-agreement__held_on", "title")[
            :ATTENTION_LISTED
        ]
    )


@public_cache(etag_func=past_day.page_etag, parameters=[past_day.PARAMETER, past_day.MODE])
@require_safe
def agreement_detail(request, slug):
    """An agreement's page today, or at the end of ``?as_of=`` in either mode (``?known=now``)."""
    if past_day.PARAMETER not in request.GET:
        return HttpResponse(_agreement_page(request, slug, None))
    current = get_object_or_404(public.agreements(), slug=slug)
    as_of = past_day.asked_day(request, request.GET[past_day.PARAMETER], current.get_absolute_url())
    if not isinstance(as_of, past_day.AsOf):
        return as_of
    return HttpResponse(
        past_day.cached(request, "as-of-agreement", lambda: _agreement_page(request, slug, as_of))
    )


def _agreement_page(request, slug: str, as_of: past_day.AsOf | None) -> str:
    """The agreement and the cards of its commitments, today or as the day's reader has them."""
    zone = zone_of(request).name
    party_names = {party.pk: translated.text(party, "name") for party in public.parties()}
    context = {"as_of": as_of}
    if as_of is None:
        agreement = get_object_or_404(
            public.agreements().prefetch_related(public.named_parties(), public.cited_sources()),
            slug=slug,
        )
        commitments = list(
            _for_cards(public.commitments().filter(agreement=agreement))
            .prefetch_related(obligors())
            .order_by("title")
        )
        with_cards(request, decorate(commitments, party_names, timezone.now(), zone))
    else:
        reader = as_of.reader
        agreement = reader.agreement(slug)
        if agreement is None:
            raise Http404("not public then")
        commitments = sorted(
            (c for c in reader.commitments() if c.agreement_id == agreement.pk),
            key=lambda c: c.title,
        )
        reader.complete(commitments)
        public_at.obligors(reader, commitments)
        decorate(commitments, party_names, reader.moment, zone)
        past_day.mark_corrections(reader, commitments, zone)
        past_day.keep_day(as_of, commitments)
        with_cards(request, commitments, kept=False)
        context.update(
            other_mode_url=f"{agreement.get_absolute_url()}?{as_of.other_mode_query}",
            current_url=agreement.get_absolute_url(),
            current_words=_("See this agreement as it is today"),
            as_of_heading=_("The agreement as it stood at the end of %(day)s")
            % {"day": as_of.day_text},
            recorded_later=past_day.later_words(reader.later(commitments), as_of),
        )
    context.update(agreement=agreement, commitments=commitments)
    return render_to_string("tracker/agreement.html", context, request)


@public_cache(parameters=CHANGES_PARAMETERS)
@require_safe
def changes(request):
    filters = ChangesPage(request.GET)
    if not filters.is_valid():
        return bad_request(request, form_errors(filters))
    page = filters.cleaned_data["page"] or 1
    per_page = changelog.DEFAULT_LIMIT
    entries = changelog_groups.recent_groups(
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
