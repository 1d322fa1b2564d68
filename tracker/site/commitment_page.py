"""The commitment page: its readings, timeline, strip, deliveries and claims.

Read only through ``tracker.public``, in a fixed number of queries whatever
the number of claims: the strip and the timeline come from the commitment's
compliance summary and the claims are paged in SQL. The whole response is
kept in the shared cache under the record's version (``tracker.page_cache``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.core.paginator import Paginator
from django.db.models import (
    F,
    Subquery,
    prefetch_related_objects,
)
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from tracker import clock, public, public_at, public_past, translated
from tracker.http import public_cache
from tracker.ledger import marks as ledger_marks
from tracker.models import (
    Commitment,
    ComplianceEvent,
    ComplianceSummary,
    EventKind,
    LedgerEntry,
    Party,
    Reading,
)
from tracker.site import commitment_records as records
from tracker.site import past_day, presenters, timelines
from tracker.site.cards import decorate, summary_of
from tracker.site.filters import EVENT_PARAMETERS, EventFilters
from tracker.site.presenters import bad_request
from tracker.site.reader_zone import zone_of
from tracker.site.strips import Severity
from tracker.site.views import form_errors

DELIVERIES_LISTED = 20


@public_cache(
    etag_func=past_day.page_etag,
    parameters=[*EVENT_PARAMETERS, past_day.PARAMETER, past_day.MODE],
)
@require_safe
def commitment_detail(request, slug):
    """A commitment's page today, or at the end of ``?as_of=`` in either mode (``?known=now``)."""
    as_of = None
    if past_day.PARAMETER in request.GET:
        current = get_object_or_404(public.commitments(), slug=slug)
        as_of = past_day.asked_day(
            request, request.GET[past_day.PARAMETER], current.get_absolute_url()
        )
        if not isinstance(as_of, past_day.AsOf):
            return as_of
    parties = list(public.parties())
    filters = EventFilters(request.GET, parties=parties)
    if not filters.is_valid():
        # An address that names no public commitment is a 404 whatever its filters say.
        get_object_or_404(public.commitments(), slug=slug)
        return bad_request(request, form_errors(filters))
    try:
        if as_of is None:
            page = _commitment_page(request, slug, filters, parties, None)
        else:
            page = past_day.cached(
                request,
                "as-of-commitment",
                lambda: _commitment_page(request, slug, filters, parties, as_of),
            )
    except presenters.NoSuchPage as exc:
        return bad_request(request, [str(exc)])
    return HttpResponse(page)


def _commitment_page(
    request, slug: str, filters: EventFilters, parties: list[Party], as_of: past_day.AsOf | None
) -> str:
    """The whole commitment page, for one version of the record, filters and page of claims,
    today or at the end of a past day (``as_of``), as published then or as known now."""
    chosen = filters.cleaned_data
    zone = zone_of(request).name
    party_names = {party.pk: translated.text(party, "name") for party in parties}
    read = (
        records.read_now(slug, chosen)
        if as_of is None
        else records.read_then(as_of.reader, slug, parties)
    )
    commitment, events = read.commitment, read.events
    claims = _claims(events, chosen)
    summary = summary_of(commitment)
    page_number = chosen["page"] or 1
    per_page = chosen["per_page"]
    # A past day has no stored count of its claims: they are counted with the page.
    count_them = _is_filtered(chosen) or as_of is not None
    shown_claims, listed = records.page_of_claims(claims, page_number, per_page, count_them, read)
    if listed is None:
        listed = summary.claims if summary else 0
    paginator = CountedPaginator(shown_claims, per_page, listed)
    presenters.require_page(
        paginator, page_number, _("There is no page %(page)d: the events fill %(pages)d.")
    )

    roles = read.roles
    readings = _in_zones(read.readings, zone, {role.party.time_zone for role in roles})
    decorate([commitment], party_names, read.moment, zone)
    page = paginator.page(page_number)
    claimant_ids = {cell[2] for cell in commitment.compliance.cells}
    delivery_count = commitment.compliance.count(kind=EventKind.DELIVERY)
    latest, before, handed = (
        _latest_deliveries(summary, read, DELIVERIES_LISTED, party_names, shown_claims)
        if delivery_count
        else ({}, {}, {})
    )
    page.object_list = _with_handovers(shown_claims, handed)
    listed_deliveries, totals = presenters.deliveries_with_totals(
        latest.values(),
        commitment.promised_quantity,
        before,
        translated.text(commitment, "promised_unit"),
    )
    status_changes = read.status_changes
    context = {
        "commitment": commitment,
        "ledger": _marks_in_log(commitment, shown_claims) if as_of is None else None,
        "renews": read.renews,
        "roles": roles,
        "readings": readings,
        "timeline": _timeline(
            readings,
            summary.days if summary else [],
            read.moment,
            zone,
            _("end of the day") if as_of else None,
        ),
        "status_changes": status_changes,
        "since": presenters.status_since(status_changes, commitment.agreement.held_on, zone),
        "page": page,
        "filters": filters,
        "chosen": chosen,
        "is_filtered": _is_filtered(chosen),
        "claimants": [party for party in parties if party.pk in claimant_ids],
        "deliveries": listed_deliveries,
        "delivery_count": delivery_count,
        "totals": totals,
    }
    if as_of is not None:
        _mark_then(as_of, commitment, readings, shown_claims)
        context["deliveries"] = _deliveries_marked(as_of, read, latest, listed_deliveries)
        current_url = reverse("commitment", args=[slug])
        context.update(
            as_of=as_of,
            current_url=current_url,
            other_mode_url=f"{current_url}?{as_of.other_mode_query}",
            recorded_later=past_day.later_words(as_of.reader.later([commitment]), as_of),
        )
    return render_to_string("tracker/commitment.html", context, request)


def _mark_then(as_of, commitment, readings: list, claims: list) -> None:
    """Mark what was corrected after the day, on a page as published then."""
    answers = [answer for claim in claims for answer in claim.answers]
    corrected = as_of.reader.corrections([commitment, *readings, *claims, *answers])
    zone = as_of.zone.name
    for record in [commitment, *readings, *claims, *answers]:
        record.correction = past_day.mark(corrected, zone, record)


def _deliveries_marked(as_of, read, latest: dict, deliveries: list) -> list:
    """The deliveries table as published then, each marked when its words or what it handed
    over were corrected after the day. ``deliveries`` are those of ``latest``, in its order."""
    if as_of.reader.mode != public_at.PUBLISHED or not latest:
        return deliveries
    claims = as_of.reader.as_claims(read.deliveries.filter(id__in=list(latest)))
    corrected = as_of.reader.corrections(claims)
    by_pk = {claim.pk: claim for claim in claims}
    zone = as_of.zone.name
    return [
        replace(delivery, correction=past_day.mark(corrected, zone, by_pk.get(pk)))
        for pk, delivery in zip(latest, deliveries, strict=True)
    ]


def _marks_in_log(commitment: Commitment, claims: list[ComplianceEvent]):
    """Each listed claim's place in the public log (``event.ledger``), and the commitment's."""
    listed = claims + [answer for claim in claims for answer in claim.answers]
    Kind = LedgerEntry.Kind
    found = ledger_marks.marks(
        {Kind.COMMITMENT: [commitment.pk], Kind.CLAIM: [event.pk for event in listed]}
    )
    for event in listed:
        event.ledger = found.get((Kind.CLAIM, event.pk))
    return found.get((Kind.COMMITMENT, commitment.pk))


class CountedPaginator(Paginator):
    """A paginator given its count, because the count came with another query.

    ``object_list`` is the page already read, whatever page is asked for.
    """

    def __init__(self, object_list, per_page: int, count: int):
        super().__init__(object_list, per_page)
        self.count = count

    def _get_page(self, object_list, number, paginator):
        return super()._get_page(self.object_list, number, paginator)


def _is_filtered(chosen: dict) -> bool:
    return bool(chosen["claimant"] or chosen["kind"] or chosen["verification"])


def _in_zones(readings: list[Reading], reader_zone: str, party_zones: set[str]) -> list:
    """Each reading's instants said as precisely as its source gave them.

    An hour or a minute is given on the reader's clock and on the wall
    clocks of the wording and the parties; a day is that day in the zone its
    wording meant (``presenters.in_zones``).
    """
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
    readings: list[Reading], event_days: list[list], now, tz_name: str, now_label=None
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
    return timelines.timeline(spans, ticks, now, tz_name, now_label)


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


def _latest_deliveries(
    summary: ComplianceSummary, read: records.Read, listed: int, names: dict[int, str], claims
) -> tuple[dict[int, tuple], dict, dict[int, list]]:
    """The latest ``listed`` deliveries with what each side received, the totals before them,
    and what each delivery among the listed ``claims`` (and their answers) handed over.

    Two queries, however many deliveries there were: the deliveries, then
    what they and the listed ones handed over as the page's reader has it
    (``read.handovers``: today's, or as it stood at a past day's end); the
    totals come from the compliance summary, counted from the same handovers.
    Returns {event id: (occurred_at, day, summary, [(side, quantity, unit), ...])},
    oldest first, as ``presenters.deliveries_with_totals`` reads them, what
    each side had received before the first of them, and {event id: its
    handovers}. Summaries, sides and units are in the reader's language
    (``tracker.translated``); the summary counts by the English unit, which
    names it in every language.
    """
    deliveries = read.deliveries.filter(kind=EventKind.DELIVERY)
    latest = deliveries.order_by("-occurred_at", "-id").values("id")[:listed]
    rows = (
        deliveries.filter(id__in=Subquery(latest))
        .order_by("occurred_at", "id")
        .values("id", "occurred_at", "precision", *translated.columns("summary"))
    )
    shown: dict[int, tuple] = {}
    for row in rows:
        day = clock.calendar_day(row["occurred_at"], row["precision"])
        shown[row["id"]] = (row["occurred_at"], day, translated.text(row, "summary"), [])
    on_page = claims + [answer for claim in claims for answer in claim.answers]
    wanted = set(shown) | {e.pk for e in on_page if e.kind == EventKind.DELIVERY}
    units: dict[str, translated.Text] = {}
    handed = _handovers(read, sorted(wanted), names, units)
    _name_the_rest(names, {party for party, _unit, _total in summary.handovers}, read.moment)
    for pk, delivery in shown.items():
        delivery[3].extend(handed.get(pk, []))
    totals = {
        (names[party], units.get(unit) or translated.text({"unit": unit}, "unit")): total
        for party, unit, total in summary.handovers
    }
    before = dict(totals)
    for delivery in shown.values():
        for side, quantity, unit in delivery[3]:
            before[side, unit] -= quantity
    return shown, before, handed


def _handovers(read: records.Read, event_ids: list[int], names: dict[int, str], units: dict):
    """{event id: [(side, quantity, unit), ...]}: what these deliveries handed over, as
    ``read`` has it, by the receiving side's name; ``units`` gathers each English unit's words."""
    if not event_ids:
        return {}
    units_in = translated.columns("unit")
    rows = (
        read.handovers(event_ids)
        .order_by("event_id", "received_by__name", "unit")
        .values("event_id", "received_by_id", "quantity", *units_in)
    )
    rows = list(rows)
    _name_the_rest(names, {row["received_by_id"] for row in rows}, read.moment)
    found: dict[int, list] = {}
    for row in rows:
        unit = translated.text(row, "unit")
        units.setdefault(row[f"unit_{translated.ENGLISH}"], unit)
        handover = (names[row["received_by_id"]], row["quantity"], unit)
        found.setdefault(row["event_id"], []).append(handover)
    return found


def _name_the_rest(names: dict[int, str], party_ids: set[int], moment: dt.datetime) -> None:
    """Add to ``names`` the parties among ``party_ids`` it lacks, as they stood at ``moment``.

    ``names`` holds the parties today's public record names. A past day's
    handover may have gone to a party no public record names any longer (the
    handover was corrected to another side since): it was named in public
    then, so the past day's page names it as it was named then, from the
    party's history, whatever became of the party since.
    """
    missing = party_ids - names.keys()
    if not missing:
        return
    for party in public_past.versions(Party, moment, id__in=missing):
        names[party.id] = translated.text(party, "name")
    for pk in missing - names.keys():  # no version before the moment: never so in public
        names[pk] = _("an unnamed party")


def _with_handovers(claims: list[ComplianceEvent], handed: dict[int, list]) -> list:
    """Load the sources of today's listed claims and their answers together, in one query,
    and give each what it handed over (``handed``, read with the latest deliveries).

    Only deliveries hand over quantities. A past day's claims came with their
    sources then.
    """
    listed = claims + [answer for claim in claims for answer in claim.answers]
    prefetch_related_objects(
        [e for e in listed if not hasattr(e, "cited")],
        public.cited_sources(),
        public.shared_files(),
    )
    for event in listed:
        event.handovers = handed.get(event.pk, [])
    return claims
