"""Deadlines as iCalendar (RFC 5545), so people can subscribe in their calendar app.

Each published reading that names an end or a due date becomes one event at
that instant, or on that day as an all-day event when the reading gives only a
day: the working reading's as the deadline that counts, the other readings' as
separate events labelled with whose count they are, because the
parties often disagree about when a pause ends. Events carry UIDs built from
the reading, so a calendar app that refreshes the feed updates an event in
place when a window is extended instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from tracker import clock, public
from tracker.http import public_cache
from tracker.models import Reading

REFRESH_INTERVAL = dt.timedelta(hours=1)
PRODUCT_ID = "-//Ceasefire Commitment Tracker//Deadlines//EN"


def uid_domain() -> str:
    """The site's host name, so UIDs stay the same whichever address a reader used."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def deadline_readings() -> Iterable[Reading]:
    return (
        public.readings()
        .filter(Q(ends_at__isnull=False) | Q(due_at__isnull=False))
        .select_related("commitment")
        .order_by("commitment__slug", "-is_working", "pk")
    )


def _summary(reading: Reading, moment: str) -> str:
    title = reading.commitment.title
    if moment == "end":
        if reading.is_working:
            return _("Ends: %(title)s") % {"title": title}
        return _("Ends by %(label)s: %(title)s") % {"label": reading.label, "title": title}
    if reading.is_working:
        return _("Due: %(title)s") % {"title": title}
    return _("Due by %(label)s: %(title)s") % {"label": reading.label, "title": title}


def _description(reading: Reading, instant: dt.datetime, page: str) -> str:
    lines = [
        _("Reading: %(label)s") % {"label": reading.label},
        _("This is the working reading, which drives the commitment's status.")
        if reading.is_working
        else _("This is not the working reading; it is shown because the parties disagree."),
        clock.instant_text(
            instant, reading.precision, reading.time_zone, own_zone=reading.time_zone
        ),
        _("Status now: %(status)s") % {"status": reading.commitment.get_status_display()},
    ]
    if reading.wording:
        lines.append(_("Wording: %(wording)s") % {"wording": reading.wording})
    lines.append(page)
    return "\n".join(lines)


def reading_events(reading: Reading, request) -> list[icalendar.Event]:
    page = request.build_absolute_uri(reading.commitment.get_absolute_url())
    events = []
    for moment, instant in (("end", reading.ends_at), ("due", reading.due_at)):
        if instant is None:
            continue
        event = icalendar.Event()
        event.add("uid", f"reading-{reading.pk}-{moment}@{uid_domain()}")
        event.add("dtstamp", reading.updated_at)
        event.add("last-modified", reading.updated_at)
        if reading.precision == clock.Precision.DAY:
            # A day is that day as its source meant it, an all-day event: at its
            # instant, midnight in Moscow, it would sit on the evening before in
            # every calendar west of Moscow.
            event.add("dtstart", clock.calendar_day(instant, reading.precision))
        else:
            event.add("dtstart", instant)
        event.add("summary", _summary(reading, moment))
        event.add("description", _description(reading, instant, page))
        event.add("categories", [reading.commitment.get_category_display()])
        event.add("url", page)
        event.add("transp", "TRANSPARENT")
        events.append(event)
    return events


def utc_time_zone() -> icalendar.Timezone:
    """UTC as a VTIMEZONE: the zone every event here is given in."""
    zone = icalendar.Timezone()
    zone.add("tzid", "UTC")
    standard = icalendar.TimezoneStandard()
    standard.add("dtstart", dt.datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", dt.timedelta(0))
    standard.add("tzoffsetto", dt.timedelta(0))
    standard.add("tzname", "UTC")
    zone.add_component(standard)
    return zone


def build_calendar(readings: Iterable[Reading], *, name: str, request) -> bytes:
    """The calendar of ``readings``' deadlines.

    RFC 5545 wants at least one component in a calendar, and many commitments
    have no deadline yet (talks, open-ended pauses): such a calendar holds the
    UTC time zone (a VTIMEZONE, which counts) and says, in its description,
    that there is no deadline yet, so a subscribed app shows an empty
    calendar rather than an error and fills it when a deadline is published.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    for reading in readings:
        for event in reading_events(reading, request):
            calendar.add_component(event)
    if not calendar.subcomponents:
        no_deadline = _("No published deadline yet.")
        calendar.add("description", no_deadline)
        calendar.add("x-wr-caldesc", no_deadline)
        calendar.add_component(utc_time_zone())
    return calendar.to_ical()


def calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public_cache
def all_deadlines(request):
    """Every public commitment's deadlines and window ends."""
    body = build_calendar(
        deadline_readings(), name=_("Ceasefire commitments: deadlines"), request=request
    )
    return calendar_response(body, "deadlines.ics")


@public_cache
def commitment_deadlines(request, slug: str):
    """One public commitment's deadlines and window ends, by every published reading."""
    commitment = get_object_or_404(public.commitments(), slug=slug)
    readings = deadline_readings().filter(commitment=commitment)
    name = _("Deadlines: %(title)s") % {"title": commitment.title}
    return calendar_response(build_calendar(readings, name=name, request=request), f"{slug}.ics")
