"""Small template helpers for the public pages: times, query strings, shares, record texts.

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
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from tracker import clock, regions, translated, words
from tracker.clock import duration_text
from tracker.models import VERIFIED, violation_standing
from tracker.search import words as search_words
from tracker.site import presenters
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


# Instants: the only way templates write a date or a time. Each says an instant
# as precisely as its source gave it (``clock.instant_text``); no template
# formats one itself (tests/test_instants_in_templates.py looks).


@register.simple_tag(takes_context=True)
def when(
    context, instant: dt.datetime | dt.date | None, precision: str = "minute", own_zone: str = ""
) -> str:
    """An instant in words, as precisely as its source gave it, for text and attributes.

    A day is that day in ``own_zone``, the zone its wording meant ("19 March
    2025"); an hour or a minute is on the reader's clock, named: "28 March
    2025, 09:00 UTC". A plain date is that date.
    """
    zone = _zone(context).name
    return clock.instant_text(instant, precision or "minute", zone, own_zone=own_zone or None)


@register.simple_tag(takes_context=True)
def moment(
    context, instant: dt.datetime | dt.date | None, precision: str = "minute", own_zone: str = ""
) -> str:
    """An instant as a ``<time>`` element: its words (``when``) and its machine-readable value.

    ``{% moment change.effective_at change.precision change.time_zone %}`` gives
    ``<time datetime="2025-03-19">19 March 2025</time>``.
    """
    if instant is None:
        return "—"
    return format_html(
        '<time datetime="{}">{}</time>',
        clock.machine_time(instant, precision or "minute", own_zone=own_zone or None),
        when(context, instant, precision, own_zone),
    )


@register.simple_tag
def machine_time(
    instant: dt.datetime | dt.date | None, precision: str = "minute", own_zone: str = ""
) -> str:
    """An instant as a valid HTML ``datetime`` value: "2025-03-19", "2025-03-18T21:37Z"."""
    return clock.machine_time(instant, precision or "minute", own_zone=own_zone or None)


@register.filter
def zone_time(name: str) -> str:
    """A zone's clock as times are said on it: "Kyiv time", "за київським часом", "UTC"."""
    return clock.zone_time(name) if name else ""


@register.simple_tag
def precision_words(precision: str, own_zone: str) -> str:
    """How exactly a source gave its times, and on which clock: "to the day, Moscow time"."""
    return clock.precision_text(precision, own_zone)


@register.filter
def in_language(code: str) -> str:
    """A language code as a phrase: "en" is "in English", "англійською", "на английском"."""
    return words.in_language(code)


@register.filter
def reason(text: str) -> SafeString:
    """A stored reason in the reader's language when the tracker wrote it (``tracker.words``).

    A reason a person wrote is in English, as staff write them, and is
    marked as such on a page in another language, like an untranslated text.
    """
    in_english = (get_language() or translated.ENGLISH).startswith(translated.ENGLISH)

    def person(said: str) -> str:
        return marked(translated.Text(said, translated.ENGLISH, not in_english))

    return mark_safe(words.reason_for_readers(text, person=person, escape=conditional_escape))


@register.filter
def status_reason(change) -> SafeString:
    """Why a status changed, in the reader's language.

    The tracker's own reasons ("window ended") are said in the reader's
    words; a person's reason in its translation, or in English, marked.
    """
    english = translated.text(change, "reason", translated.ENGLISH)
    if words.is_system_reason(english):
        return conditional_escape(words.reason_for_readers(english))
    return marked(translated.text(change, "reason"))


@register.filter
def iso_day(day: dt.date | None) -> str:
    """A date as a form's date field and an address take it: "2025-03-19"."""
    return day.isoformat() if day is not None else ""


@register.filter
def day_words(day: dt.date | None) -> str:
    """A date in the reader's words, for a sentence: "19 March 2025", "19 березня 2025"."""
    return clock.day_text(day) if day is not None else ""


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


@register.filter
def region_name(code: str) -> str:
    """A region's name in the reader's language, from its ISO 3166-2 code."""
    return regions.name(code) if code else ""


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
def highlighted(value, query) -> SafeString:
    """A text with the words of a search marked (``<mark>``), and its English stand-in marked.

    The text is escaped piece by piece before the marks go in
    (``tracker.search.words.highlight``), so a record's text can never
    add markup of its own; the English stand-in is marked as ``marked`` does.
    """
    words = getattr(query, "words", ())
    inner = search_words.highlight(str(value), words)
    if not isinstance(value, translated.Text) or not value.is_fallback:
        return inner
    return format_html(
        '<span lang="{}">{}</span> <small class="untranslated">{}</small>',
        value.language,
        inner,
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


@register.filter
def tally(value: presenters.ClaimantTally) -> SafeString:
    """A tally of violation claims as a sentence naming who claims and against whom.

    "Claimed by <strong>Russia</strong> against <strong>Ukraine</strong>: 6
    alleged, 0 verified": the names in bold, each marked where English stands
    in for it (``marked``); the words around them escaped.
    """

    def name(party) -> str:
        return format_html("<strong>{}</strong>", marked(party))

    return mark_safe(value.sentence(name=name, words=conditional_escape))


@register.filter
def claim_kind(event) -> str:
    """What a claim is, as its verification makes it: a verified claim is a verified violation.

    A claim of an alleged violation that our reviewers verified is no longer
    alleged; read "Alleged violation … Verification: verified", it says both.
    Every other claim is named by its kind.
    """
    if violation_standing(event.kind, event.verification) == VERIFIED:
        return _("verified violation")
    return event.get_kind_display()
