"""In-memory baselines: the page's own templates and writers, fed rows already loaded.

Each baseline loads what its page shows once, through the page's own code,
then times only the rendering. A page's time over its baseline's time is what
reading the database costs on top of producing the output.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.template.backends.django import Template
from django.test import RequestFactory
from rest_framework.renderers import JSONRenderer

from tracker.opendata import calendar, feeds, records
from tracker.opendata.api.serializers import EventSerializer
from tracker.opendata.api.views import Pagination

Render = Callable[[], object]


@contextmanager
def captured_renders() -> Iterator[list[tuple]]:
    """Record each top-level template render (not includes) with its context and request."""
    renders: list[tuple] = []
    original = Template.render

    def recording(self, context=None, request=None):
        renders.append((self, context, request))
        return original(self, context, request)

    Template.render = recording
    try:
        yield renders
    finally:
        Template.render = original


def template_baseline(client, url: str) -> Render:
    """For HTML pages: replay the renders one real request made, with the same contexts.

    The contexts keep the rows the request loaded (querysets cache what they
    fetched), so the replay renders from memory.
    """
    cache.clear()
    with captured_renders() as renders:
        client.get(url)

    def render_again():
        for template, context, request in renders:
            template.render(context, request)

    return render_again


def feed_baseline(feed, url: str, **kwargs) -> Render:
    """For Atom feeds: the entries built once, then only the feed writer."""
    request = RequestFactory().get(url)
    obj = feed.get_object(request, **kwargs)
    items = list(feed._get_dynamic_attr("items", obj))
    in_memory = copy.copy(feed)
    in_memory.get_object = types.MethodType(lambda self, *args, **kw: obj, in_memory)
    in_memory.items = types.MethodType(lambda self: items, in_memory)
    return lambda: in_memory(request, **kwargs)


def calendar_baseline(url: str) -> Render:
    """For the iCalendar feed: the readings loaded once, then only the calendar writer."""
    request = RequestFactory().get(url)
    readings = list(calendar.deadline_readings())
    return lambda: calendar.calendar_response(
        calendar.build_calendar(readings, name="Ceasefire commitments: deadlines", request=request),
        "deadlines.ics",
    )


def api_events_baseline(url: str) -> Render:
    """For the API's event list: the first page loaded once, then serializer and renderer."""
    request = RequestFactory().get(url)
    queryset = records.public_events()
    count = queryset.count()
    page = list(queryset[: Pagination.page_size])

    def render():
        data = EventSerializer(page, many=True, context={"request": request}).data
        return JSONRenderer().render(
            {"count": count, "next": url + "?page=2", "previous": None, "results": data}
        )

    return render


def for_page(name: str, client, url: str, heavy_slug: str) -> Render:
    if name == "atom_feed":
        return feed_baseline(feeds.ChangesFeed(), url)
    if name == "commitment_feed":
        return feed_baseline(feeds.CommitmentFeed(), url, slug=heavy_slug)
    if name == "icalendar":
        return calendar_baseline(url)
    if name == "api_list":
        return api_events_baseline(url)
    return template_baseline(client, url)
