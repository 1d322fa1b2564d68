"""Small template helpers for the public pages: times, query strings, shares.

Times are said on the reader's clock (``reader_zone`` in the context), and
links keep that zone, so the helpers that need either take the context.
"""

from __future__ import annotations

import datetime as dt
import logging

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode

from tracker import clock
from tracker.clock import duration_text
from tracker.site.reader_zone import PARAMETER, ReaderZone, with_zone, zone_of

register = template.Library()
logger = logging.getLogger(__name__)


@register.filter
def duration(length: dt.timedelta | None) -> str:
    """A length of time in the reader's words: "15 min", "1 day 2 h"."""
    return duration_text(length) if length is not None else ""


@register.simple_tag
def asset(path: str) -> str:
    """The address of a static file, even when the collected files do not have it.

    The manifest storage refuses to name a file it has not collected; a page,
    an error page above all, must still render, unstyled if need be. The
    plain address is given instead, and the missing file is logged.
    """
    try:
        return static(path)
    except ValueError:
        logger.warning("Static file %s is not among the collected files", path)
        return f"{settings.STATIC_URL}{path}"


def _zone(context) -> ReaderZone:
    return context.get("reader_zone") or zone_of(context.get("request"))


@register.simple_tag(takes_context=True)
def when(
    context, instant: dt.datetime | None, precision: str = "minute", own_zone: str = ""
) -> str:
    """An instant as precisely as its source gave it, on the reader's clock.

    "28 March 2025, 09:00 UTC"; a day is that day, in ``own_zone`` when the
    record keeps the zone its wording meant: "1 February 2026, Moscow".
    """
    zone = _zone(context).name
    return clock.instant_text(instant, precision or "minute", zone, own_zone=own_zone)


@register.simple_tag(takes_context=True)
def zoned(context, address: str) -> str:
    """An internal address that keeps the reader's zone."""
    return with_zone(address, _zone(context))


@register.simple_tag(takes_context=True)
def zoned_url(context, name: str, *args) -> str:
    """``{% url %}`` that keeps the reader's zone."""
    return with_zone(reverse(name, args=args), _zone(context))


def _query(context, params) -> str:
    """The query string of ``params`` with the reader's zone as the page shows it.

    A refused ``tz`` is not carried on: the page it leads to is in UTC anyway.
    """
    params.pop(PARAMETER, None)
    zone = _zone(context)
    if not zone.is_default:
        params[PARAMETER] = zone.name
    return urlencode(sorted(params.items()))


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters set, or removed when given "".

    Filter links keep the other filters and always go back to the first page.
    """
    params = context["request"].GET.copy()
    params.pop("page", None)
    for name, value in changes.items():
        if value in ("", None):
            params.pop(name, None)
        else:
            params[name] = value
    query = _query(context, params)
    return f"?{query}" if query else "?"


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current query string pointing at another page."""
    params = context["request"].GET.copy()
    params["page"] = number
    return f"?{_query(context, params)}"
