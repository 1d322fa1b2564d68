"""The date picker's answer: the address of the day it names.

A past day's board and commitment page are today's pages given a day
(``views.board``, ``commitment_page.commitment_detail``); which days there
are and how a day is read from an address is ``tracker.site.past_day``,
whose names are read from here too.
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_safe

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


@require_safe
def pick(request):
    """The picker's form sends a day, a month and a year; the canonical address names the day."""
    try:
        day = picked_day(request.GET)
    except NotADay as exc:
        return bad_request(request, [str(exc)])
    return redirect(with_zone(reverse("as_of_board", args=[day.isoformat()]), zone_of(request)))
