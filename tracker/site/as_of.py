"""The board, and a commitment's page, as they stood at the end of a past day.

``/as-of/2025-04-01/`` is the board as the public saw it when 1 April 2025
ended; ``/commitments/<slug>/?as_of=2025-04-01`` is one commitment then. The
records come from ``tracker.public_past``: withdrawn since, they are left
out; corrected since, they are marked. Which days there are, and how a day
is read from the address, is ``tracker.site.past_day``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker import clock, public, public_past, summaries, translated
from tracker.http import public_cache
from tracker.models import Category, CommitmentParty, CompliancePicture
from tracker.site import cards, presenters, strips
from tracker.site.filters import BOARD_PARAMETERS, BoardFilters, page_field
from tracker.site.past_day import (  # noqa: F401  (read from here by the open data)
    PARAMETER,
    AsOf,
    NotADay,
    PastDays,
    asked_day,
    cached,
    first_day,
    past_days,
    past_etag,
    picked_day,
    picker,
    read_day,
    today,
)
from tracker.site.presenters import bad_request
from tracker.site.reader_zone import with_zone, zone_of
from tracker.status import Status

COMMITMENTS_PER_PAGE = 24
EVENTS_PER_PAGE = 20


@require_safe
def pick(request):
    """The picker's form sends a day, a month and a year; the canonical address names the day."""
    try:
        day = picked_day(request.GET)
    except NotADay as exc:
        return bad_request(request, [str(exc)])
    return redirect(with_zone(reverse("as_of_board", args=[day.isoformat()]), zone_of(request)))


@public_cache(etag_func=past_etag, parameters=BOARD_PARAMETERS)
@require_safe
def board(request, day: str):
    asked = asked_day(request, day, reverse("board"))
    if not isinstance(asked, AsOf):
        return asked
    binds = public.roles().filter(party=OuterRef("pk"), role=CommitmentParty.Role.OBLIGOR)
    parties = list(public.parties().annotate(binds=Exists(binds)))
    filters = BoardFilters(request.GET, parties=parties)
    if not filters.is_valid():
        return bad_request(request, [m for ms in filters.errors.values() for m in ms])
    chosen = filters.cleaned_data
    try:
        listing = cached(request, "as-of-board", lambda: _listing(request, asked, chosen, parties))
    except presenters.NoSuchPage as exc:
        return bad_request(request, [str(exc)])
    return render(
        request,
        "tracker/as_of_board.html",
        {"listing": listing, "as_of": asked, **picker(request)},
    )


def _listing(request, asked: AsOf, chosen: dict, parties: list) -> str:
    """The board's filters and one page of its commitments as they stood, grouped by agreement."""
    moment = asked.moment
    shown = public_past.commitments(moment)
    bound = public_past.roles([c.pk for c in shown], moment, CommitmentParty.Role.OBLIGOR)
    if chosen["status"]:
        shown = [c for c in shown if c.status == chosen["status"]]
    if chosen["category"]:
        shown = [c for c in shown if c.category == chosen["category"]]
    if chosen["party"]:
        shown = [
            c for c in shown if any(r.party_id == chosen["party"].pk for r in bound.get(c.pk, []))
        ]
    shown.sort(key=lambda c: c.title)
    shown.sort(key=lambda c: (c.agreement.held_on, -c.agreement.pk), reverse=True)
    groups = presenters.group_by_agreement(shown)
    pages = presenters.pack([(items, len(items)) for _a, items in groups], COMMITMENTS_PER_PAGE)
    paginator = Paginator(pages, 1, allow_empty_first_page=True)
    number = chosen["page"] or 1
    presenters.require_page(
        paginator, number, _("There is no page %(page)d: the commitments fill %(pages)d.")
    )
    page = paginator.page(number)
    listed = [c for items in (page.object_list[0] if page.object_list else []) for c in items]
    names = {party.pk: translated.text(party, "name") for party in parties}
    claims = _by_commitment(public_past.counted_claims([c.pk for c in listed], moment))
    working = [c.working_reading for c in listed if c.working_reading]
    counted = [claim for claims_of in claims.values() for claim in claims_of]
    corrected = public_past.corrections(
        [*listed, *working, *counted], moment, compared=public_past.COUNTED
    )
    zone = asked.zone.name
    for commitment in listed:
        commitment.obligor_roles = bound.get(commitment.pk, [])
        commitment.as_of_url = f"{commitment.get_absolute_url()}?{asked.query}"
        decorate(commitment, _reported(claims.get(commitment.pk, [])), names, moment, zone)
        commitment.correction = _mark(
            corrected,
            zone,
            commitment,
            commitment.working_reading,
            *claims.get(commitment.pk, []),
        )
        commitment.card = render_to_string(
            "tracker/_commitment_card.html", {"commitment": commitment}, request
        )
    return render_to_string(
        "tracker/_board_listing.html",
        {
            "groups": presenters.group_by_agreement(listed),
            "count": len(shown),
            "page": page,
            "filters": chosen,
            "is_filtered": bool(chosen["status"] or chosen["category"] or chosen["party"]),
            "clear_url": reverse("as_of_board", args=[asked.day.isoformat()]),
            "statuses": Status.choices,
            "categories": Category.choices,
            "parties": [p for p in parties if p.binds or p == chosen["party"]],
        },
        request,
    )


def _by_commitment(events: list) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for event in events:
        grouped.setdefault(event.commitment_id, []).append(event)
    return grouped


@dataclass(frozen=True)
class Mark:
    """ "Corrected later": on which day, on the reader's clock, and where it reads as it is now."""

    day: str
    url: str


def _mark(corrected: dict, zone: str, *records) -> Mark | None:
    """The mark for the earliest later correction of any of ``records``, or None."""
    found = [corrected.get((type(r), r.pk)) for r in records if r is not None]
    found = [c for c in found if c is not None]
    if not found:
        return None
    first = min(found, key=lambda c: c.at)
    return Mark(clock.day_text(clock.local_day(first.at, tz_name=zone)), first.url)


def _reported(events: list) -> list[tuple]:
    """What the tallies and the strip count of each claim (``public_past.REPORTED``)."""
    return [tuple(getattr(event, name) for name in public_past.REPORTED) for event in events]


def decorate(commitment, reports: list, names: dict, moment: dt.datetime, zone: str) -> None:
    """The countdown, tallies and strip of a commitment as they read at ``moment``.

    ``reports`` holds what they count of each claim shown (``public_past.REPORTED``).
    """
    commitment.deadline = cards.deadline(commitment, moment, zone)
    cells = Counter(
        (kind, verification, claimant, accused)
        for kind, verification, claimant, _at, _until, _precision, accused in reports
    )
    picture = CompliancePicture(
        cells=[
            (kind, state, claimant, n, accused)
            for (kind, state, claimant, accused), n in cells.items()
        ]
    )
    commitment.tallies = presenters.violation_tallies(picture.violations_by_side(), names)
    worst: dict[str, str] = {}
    for kind, verification, _claimant, at, until, precision, _accused in reports:
        first = clock.calendar_day(at, precision)
        last = clock.calendar_day(until, precision) if until else None
        summaries.mark_worst_days(worst, first, last, kind, verification)
    window = (commitment.working_starts_at, commitment.working_ends_at)
    cards.mark(commitment, cards.verified_days(worst, moment), moment)
    days = strips.strip_days(
        *window, moment, commitment.working_precision, commitment.working_time_zone
    )
    by_day = summaries.standings_between(worst, *days) if days else {}
    commitment.strip = strips.daily_strip(
        *window,
        strips.severity_by_standing(by_day),
        moment,
        commitment.working_precision,
        commitment.working_time_zone,
    )


class Cited(list):
    """Sources cited then, listed as the templates list a record's own: ``sources.all``."""

    def all(self):
        return self


def commitment(request, slug: str):
    """A commitment page as it stood at the end of ``?as_of=`` (``views.commitment_detail``)."""
    current = get_object_or_404(public.commitments(), slug=slug)
    asked = asked_day(request, request.GET.get(PARAMETER, ""), current.get_absolute_url())
    if not isinstance(asked, AsOf):
        return asked
    try:
        number = page_field().clean(request.GET.get("page")) or 1
    except ValidationError as refusal:
        return bad_request(request, refusal.messages)
    try:
        page = cached(
            request, "as-of-commitment", lambda: _commitment_page(request, current, asked, number)
        )
    except presenters.NoSuchPage as exc:
        return bad_request(request, [str(exc)])
    return HttpResponse(page)


def _commitment_page(request, current, asked: AsOf, number: int) -> str:
    moment, zone = asked.moment, asked.zone.name
    found = public_past.commitments(moment, pk=current.pk)
    if not found:
        raise Http404("not public then")
    shown = found[0]
    roles = public_past.roles([shown.pk], moment).get(shown.pk, [])
    readings = public_past.readings([shown.pk], moment)
    # Every claim is counted, from plain values; only the page shown is read as records.
    versions = public_past.event_versions([shown.pk], moment)
    reports = public_past.reports(versions)
    paginator = Paginator(versions, EVENTS_PER_PAGE, allow_empty_first_page=True)
    paginator.count = len(reports)
    presenters.require_page(
        paginator, number, _("There is no page %(page)d: the events fill %(pages)d.")
    )
    page = paginator.page(number)
    claims = public_past.as_records(page.object_list)
    page.object_list = claims
    public_past.sources([*readings, *claims])
    corrected = public_past.corrections([shown, *readings, *claims], moment)
    parties = {party.pk: party for party in public.parties()}
    names = {pk: translated.text(party, "name") for pk, party in parties.items()}
    decorate(shown, reports, names, moment, zone)
    shown.correction = _mark(corrected, zone, shown)
    party_zones = {role.party.time_zone for role in roles}
    for reading in readings:
        reading.correction = _mark(corrected, zone, reading)
        reading.cited = Cited(reading.cited)
        reading.read_by = parties.get(reading.read_by_id)
        for name, instant in (
            ("starts", reading.starts_at),
            ("ends", reading.ends_at),
            ("due", reading.due_at),
        ):
            texts = presenters.in_zones(
                instant, reading.precision, zone, reading.time_zone, party_zones
            )
            setattr(reading, name, texts)
    for claim in claims:
        claim.correction = _mark(corrected, zone, claim)
        claim.cited = Cited(claim.cited)
        claim.claimant = parties.get(claim.claimant_id)
        claim.accused = parties.get(claim.accused_id)
        claim.handovers = []
    changes = public_past.status_changes(shown, moment)
    return render_to_string(
        "tracker/as_of_commitment.html",
        {
            "as_of": asked,
            "commitment": shown,
            "current_url": current.get_absolute_url(),
            "roles": roles,
            "readings": readings,
            "status_changes": changes,
            "since": presenters.status_since(changes, shown.agreement.held_on, zone),
            "page": page,
        },
        request,
    )
