"""At each new minute or version, one process renders a page while the others wait for it.

Pages that count down are rendered afresh every minute; every web process of
every node misses them at the same moment. One takes a short lock in the
shared cache and renders; the others are given the page it keeps, never the
previous minute's. A holder that died lets its lock lapse and the others
render for themselves.
"""

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory
from django.utils import timezone

from tests.test_shared_cache import closed_port, shared_cache_at
from tracker import page_cache
from tracker.http import VERSION_KEY, Version, public_cache

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, 0, 20, tzinfo=UTC)
RENDER_SECONDS = 0.3


@pytest.fixture(autouse=True)
def a_known_version(db):
    """The record's version already in the cache, so that no request reads the database."""
    cache.set(VERSION_KEY, Version(NOW, "current"), 600)


def countdown_view(respond=HttpResponse):
    """A public page that says the minute, takes a while to render, and counts its renders."""
    renders = []

    @public_cache(parameters=[])
    def view(request):
        renders.append(request)
        time.sleep(RENDER_SECONDS)
        minute = timezone.now().replace(second=0, microsecond=0)
        return respond(f"Ends in {60 - minute.minute} minutes")

    return view, renders


def board_request():
    request = RequestFactory().get("/board/")
    request.LANGUAGE_CODE = "en"
    return request


def ask(view):
    return view(board_request())


def at_once(view, readers=2):
    """``readers`` requests for the page starting together, each in a thread (a process)."""
    start = threading.Barrier(readers)
    responses = [None] * readers

    def reader(n):
        start.wait()
        try:
            responses[n] = ask(view)
        finally:
            connections.close_all()  # what a thread opened, so the test database can go

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return responses


def test_readers_missing_the_same_page_at_once_cause_one_render():
    view, renders = countdown_view()

    with time_machine.travel(NOW, tick=False):
        responses = at_once(view, readers=4)

    assert len(renders) == 1
    assert [r.status_code for r in responses] == [200] * 4
    assert {r.content for r in responses} == {b"Ends in 60 minutes"}


def test_at_the_next_minute_the_waiting_readers_get_the_new_minute_never_the_old():
    view, renders = countdown_view()
    with time_machine.travel(NOW, tick=False):
        ask(view)

    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        responses = at_once(view, readers=3)

    assert len(renders) == 2
    assert {r.content for r in responses} == {b"Ends in 59 minutes"}


def test_when_the_one_rendering_died_the_others_render_once_its_lock_lapses(monkeypatch):
    monkeypatch.setattr(page_cache, "RENDER_LOCK_SECONDS", 1)
    view, renders = countdown_view()
    with time_machine.travel(NOW, tick=False):
        etag = ask(view)["ETag"].strip('"')
        key = page_cache.key_of(board_request())
        # What a process killed mid-render leaves: its lock, and no page.
        cache.delete(key)
        cache.add(f"{key}:rendering:{etag}", 1, page_cache.RENDER_LOCK_SECONDS)

        started = time.monotonic()
        response = ask(view)
        waited = time.monotonic() - started

    assert len(renders) == 2
    assert response.content == b"Ends in 60 minutes"
    assert 1 <= waited < 1 + 2 * RENDER_SECONDS


def test_a_page_that_is_not_kept_lets_the_waiting_readers_render_at_once():
    view, renders = countdown_view(respond=HttpResponseNotFound)

    with time_machine.travel(NOW, tick=False):
        started = time.monotonic()
        responses = at_once(view, readers=2)
        took = time.monotonic() - started

    assert len(renders) == 2
    assert [r.status_code for r in responses] == [404, 404]
    assert took < page_cache.RENDER_LOCK_SECONDS


def test_with_the_cache_down_nobody_waits(settings):
    shared_cache_at(settings, closed_port())
    view, renders = countdown_view()

    with time_machine.travel(NOW, tick=False):
        started = time.monotonic()
        responses = at_once(view, readers=2)
        took = time.monotonic() - started

    assert len(renders) == 2
    assert {r.content for r in responses} == {b"Ends in 60 minutes"}
    assert took < page_cache.RENDER_LOCK_SECONDS
