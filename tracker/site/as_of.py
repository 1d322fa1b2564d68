"""The board, and a commitment's page, as they stood at the end of a past day.

``/as-of/2025-04-01/`` is the board as the public saw it when 1 April 2025
ended; ``/commitments/<slug>/?as_of=2025-04-01`` is one commitment then. The
day ends at midnight in UTC, or in the reader's zone when ``?tz=`` names one,
and the banner says which. The records come from ``tracker.public_past``:
withdrawn since, they are left out; corrected since, they are marked.

Which days there are: from the day the first commitment still public was
published, to yesterday on the reader's clock. Today has not ended, so its
address leads to today's page. A day outside that range is answered with 404
and a page giving the range: the address is well formed, there is just no
board of that day to show. A day that is not a date at all (``2025-02-30``,
``yesterday``) is a 400 saying how to write one.

The past changes only when a record is corrected or withdrawn, and every
such change makes a new version of the record (``tracker.http``); so these
pages are validated by that version, the language and the zone, without the
minute the live pages need for their countdowns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker import clock, public, public_past, summaries, translated
from tracker.http import SHARED_MAX_AGE, current_version, etag, public_cache, request_version
from tracker.models import Category, CommitmentParty, CompliancePicture
from tracker.site import cards, presenters, strips
from tracker.site.filters import BOARD_PARAMETERS, BoardFilters, page_field
from tracker.site.reader_zone import ReaderZone, with_zone, zone_of
from tracker.status import Status

PARAMETER = "as_of"
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
COMMITMENTS_PER_PAGE = 24
EVENTS_PER_PAGE = 20
NEVER = "never"  # cached for "nothing is public", which the cache cannot tell from a miss


class NotADay(ValueError):
    """What was asked for is not a date written as YYYY-MM-DD."""


@dataclass(frozen=True)
class AsOf:
    """A past day, the reader's zone, and the instant that day ended there."""

    day: dt.date
    zone: ReaderZone

    @property
    def moment(self) -> dt.datetime:
        return clock.end_of_day(self.day, self.zone.name)

    @property
    def day_text(self) -> str:
        return clock.day_text(self.day)

    @property
    def moment_text(self) -> str:
        """The instant the day ended, in UTC: what the reader can compare with any record."""
        return clock.instant_text(self.moment, clock.Precision.MINUTE, "UTC")

    @property
    def query(self) -> str:
        return f"{PARAMETER}={self.day.isoformat()}"

    @cached_property
    def checkpoint(self):
        """The public log's last checkpoint signed by the end of the day, if any was (read once
        a page, however often its templates ask)."""
        from tracker.ledger import checkpoints

        return checkpoints.signed_by(self.moment)


def read_day(text: str) -> dt.date:
    """The date ``text`` names, written YYYY-MM-DD; anything else is refused with the reason."""
    text = (text or "").strip()
    if not text:
        raise NotADay(_("Choose a day, written as YYYY-MM-DD, for example 2025-04-01."))
    if not DAY.fullmatch(text):
        raise NotADay(
            _("“%(asked)s” is not a date: write it as YYYY-MM-DD, for example 2025-04-01.")
            % {"asked": text[:40]}
        )
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise NotADay(_("There is no day %(asked)s in the calendar.") % {"asked": text}) from None


def today(zone: ReaderZone) -> dt.date:
    """The day it is on the reader's clock: it has not ended, so it is not in the past yet."""
    return clock.utc_to_local(timezone.now(), zone.name).date()


def first_day(zone: ReaderZone, version=None) -> dt.date | None:
    """The first day with a public record on the reader's clock, or None while there is none.

    Looked up once per version of the record (``version``, the request's, or
    the current one): only a publication or a withdrawal moves it.
    """
    key = f"tracker:as-of-first:{(version or current_version()).token}"
    first = cache.get(key)
    if first is None:
        first = public_past.first_publication() or NEVER
        cache.add(key, first, SHARED_MAX_AGE)
    return None if first == NEVER else clock.utc_to_local(first, zone.name).date()


def past_etag(request, *args, **kwargs) -> str:
    """The validator of a past page: the record's version, the language and the zone.

    No minute: the day has ended, and a page of it says every time relative
    to that end, so only a correction or a withdrawal (a new version) changes
    it, or the date, which moves the last day the picker offers.
    """
    token = request_version(request).token
    language = getattr(request, "LANGUAGE_CODE", "")
    zone = zone_of(request)
    # Today's date too: the date picker offers days up to yesterday.
    parts = ["as-of", token, language, zone.name, today(zone).isoformat()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def commitment_etag(request, *args, **kwargs) -> str:
    """A commitment page's validator: the past's with ``?as_of=``, else the live page's."""
    if PARAMETER in request.GET:
        return past_etag(request)
    return etag(request, *args, **kwargs)


def _cached(request, name: str, render_page) -> str:
    """Render a past page once per version, language, zone and address."""
    key = f"{past_etag(request)}|{request.get_full_path()}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return cache.get_or_set(f"tracker:{name}:{digest}", render_page, SHARED_MAX_AGE)


def _asked(request, text: str, today_url: str):
    """The day asked for, or the answer to give instead (400, 404, or today's page)."""
    zone = zone_of(request)
    try:
        day = read_day(text)
    except NotADay as exc:
        return _bad(request, [str(exc)])
    latest = today(zone)
    if day == latest:
        return redirect(with_zone(today_url, zone))
    days = past_days(zone, request_version(request))
    if day > latest or days is None or day < days.first:
        return render(
            request,
            "tracker/as_of_unavailable.html",
            {
                "asked": day,
                "days": days,
                "is_future": day > latest,
                "today_url": today_url,
            },
            status=404,
        )
    return AsOf(day, zone)


def _bad(request, errors: list[str]):
    """A 400 page that says what was wrong with the address."""
    return render(request, "400.html", {"errors": errors}, status=400)


@dataclass(frozen=True)
class PastDays:
    """The days that have a past, on the reader's clock: what the date picker offers."""

    first: dt.date
    last: dt.date

    @property
    def years(self) -> list[int]:
        return list(range(self.last.year, self.first.year - 1, -1))

    @property
    def months(self) -> list[tuple[int, str]]:
        """Each month's number and its name in the reader's language."""
        return [(number, capfirst(str(name))) for number, name in MONTHS.items()]

    @property
    def days(self) -> range:
        return range(1, 32)


def past_days(zone: ReaderZone, version=None) -> PastDays | None:
    """From the first day with a public record to yesterday; None while no day has ended since."""
    first, last = first_day(zone, version), today(zone) - dt.timedelta(days=1)
    if first is None or first > last:
        return None
    return PastDays(first, last)


def picker(request) -> dict:
    """What the date picker offers: the days that have a past, on the reader's clock."""
    return {"as_of_days": past_days(zone_of(request), request_version(request))}


def picked_day(query) -> dt.date:
    """The day the picker's day, month and year name, or ``?date=`` as older links give it."""
    if "date" in query:
        return read_day(query.get("date", ""))
    parts = [query.get(name, "").strip() for name in ("year", "month", "day")]
    if not all(part.isdigit() and len(part) <= 4 for part in parts):
        raise NotADay(_("Choose a day, a month and a year."))
    year, month, day = (int(part) for part in parts)
    return read_day(f"{year:04d}-{month:02d}-{day:02d}")


# Pages -------------------------------------------------------------------------


@require_safe
def pick(request):
    """The picker's form sends a day, a month and a year; the canonical address names the day."""
    try:
        day = picked_day(request.GET)
    except NotADay as exc:
        return _bad(request, [str(exc)])
    return redirect(with_zone(reverse("as_of_board", args=[day.isoformat()]), zone_of(request)))


@public_cache(etag_func=past_etag, parameters=BOARD_PARAMETERS)
@require_safe
def board(request, day: str):
    asked = _asked(request, day, reverse("board"))
    if not isinstance(asked, AsOf):
        return asked
    binds = public.roles().filter(party=OuterRef("pk"), role=CommitmentParty.Role.OBLIGOR)
    parties = list(public.parties().annotate(binds=Exists(binds)))
    filters = BoardFilters(request.GET, parties=parties)
    if not filters.is_valid():
        return _bad(request, [m for ms in filters.errors.values() for m in ms])
    chosen = filters.cleaned_data
    try:
        listing = _cached(request, "as-of-board", lambda: _listing(request, asked, chosen, parties))
    except presenters.NoSuchPage as exc:
        return _bad(request, [str(exc)])
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
    asked = _asked(request, request.GET.get(PARAMETER, ""), current.get_absolute_url())
    if not isinstance(asked, AsOf):
        return asked
    try:
        number = page_field().clean(request.GET.get("page")) or 1
    except ValidationError as refusal:
        return _bad(request, refusal.messages)
    try:
        page = _cached(
            request, "as-of-commitment", lambda: _commitment_page(request, current, asked, number)
        )
    except presenters.NoSuchPage as exc:
        return _bad(request, [str(exc)])
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
