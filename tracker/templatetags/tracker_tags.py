"""Small template helpers for the public pages: times, query strings, shares, record texts."""

from __future__ import annotations

import datetime as dt
import logging

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from tracker import translated
from tracker.clock import calendar_day, duration_text

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


@register.filter
def utc(instant: dt.datetime | None) -> str:
    """An instant in UTC to the minute: "2025-03-18 21:00 UTC"."""
    if instant is None:
        return "—"
    return f"{instant.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


@register.filter
def when(instant: dt.datetime | None, precision: str = "minute") -> str:
    """An instant as precisely as its source gave it: a date, or a UTC time."""
    if instant is None:
        return "—"
    if precision == "day":
        return calendar_day(instant, precision).isoformat()
    if precision == "hour":
        return f"{instant.astimezone(dt.UTC):%Y-%m-%d %H}:00 UTC"
    return utc(instant)


@register.filter
def wall_clock(instant: dt.datetime | None) -> str:
    """An aware instant on its own zone's wall clock: "2025-04-17 00:00 (UTC+03:00)"."""
    if instant is None:
        return "—"
    offset = instant.strftime("%z")
    if offset in ("", "+0000"):
        return f"{instant:%Y-%m-%d %H:%M}"
    return f"{instant:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


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
    query = urlencode(sorted(params.items()))
    return f"?{query}" if query else "?"


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current query string pointing at another page."""
    params = context["request"].GET.copy()
    params["page"] = number
    return f"?{urlencode(sorted(params.items()))}"


@register.filter
def marked(value) -> SafeString:
    """A record's text, with "not yet translated" after it when English stands in for it.

    The English text is marked as English (``lang``), so a screen reader
    reads it as such, and the note says in the page's language, in plain
    visible words, that no translation exists yet.
    """
    if not isinstance(value, translated.Text) or not value.is_fallback:
        return conditional_escape(value)
    return format_html(
        '<span lang="{}">{}</span> <small class="untranslated">{}</small>',
        value.language,
        str(value),
        _("not yet translated"),
    )


@register.filter
def text(record, field: str) -> SafeString:
    """``{{ commitment|text:"title" }}``: the record's text in the reader's language, or marked."""
    return marked(translated.text(record, field))


@register.filter
def plain_text(record, field: str) -> str:
    """The record's text in the reader's language, or English, unmarked: for titles, attributes."""
    return str(translated.text(record, field))


@register.filter
def short_text(record, field: str, words: int = 30) -> SafeString:
    """Like ``text``, cut after ``words`` words, for lists."""
    value = translated.text(record, field)
    cut = Truncator(value).words(words)
    return marked(translated.Text(cut, value.language, value.is_fallback))


@register.filter
def language_name(code: str) -> str:
    """A language's name in the reader's language ("Russian", "російська"), or its code."""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code
