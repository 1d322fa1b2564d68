"""A shared cache that is down, refuses or stalls: pages come from the database, never a 500.

The web nodes keep the record's version, whole pages and fragments in Redis;
everything there can be made again from the database, so losing Redis costs
time and nothing else.
"""

import datetime as dt
import socket
from contextlib import closing, contextmanager
from unittest import mock

import pytest
import time_machine
from django.core.cache.backends.redis import RedisCache
from django.utils.html import strip_tags
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError as RedisResponseError

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ComplianceEventFactory,
    ReadingFactory,
)
from tracker import cache as shared_cache
from tracker.http import VERSION_KEY, forget_latest_change

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, 0, 20, tzinfo=UTC)
PAGES = ["/", "/commitments/energy-pause/", "/agreements/call/", "/search/?q=pause"]


@pytest.fixture
def pause(db):
    commitment = CommitmentFactory(
        title="Pause on strikes against energy infrastructure",
        slug="energy-pause",
        agreement=AgreementFactory(slug="call"),
    )
    ReadingFactory(commitment=commitment, ends_at=NOW + dt.timedelta(days=3))
    return commitment


def closed_port() -> int:
    """A loopback port nothing listens on: connections to it are refused at once."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def silent_server():
    """A loopback port that accepts connections and never answers: a stalled Redis."""
    with closing(socket.socket()) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def shared_cache_at(settings, port: int) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "tracker.cache.SharedRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "tracker",
        }
    }


def get(client, url):
    with time_machine.travel(NOW, tick=False):
        return client.get(url)


@pytest.mark.parametrize("url", PAGES)
def test_with_the_cache_down_every_page_is_served_from_the_database(client, pause, settings, url):
    shared_cache_at(settings, closed_port())

    first = get(client, url)
    second = get(client, url)

    assert first.status_code == second.status_code == 200
    text = " ".join(strip_tags(second.content.decode()).split())
    assert "Pause on strikes against energy infrastructure" in text
    assert second.templates  # rendered again: nothing could be kept
    assert second["ETag"] == first["ETag"]


def test_with_the_cache_down_a_change_shows_at_the_next_response(client, pause, settings):
    shared_cache_at(settings, closed_port())
    get(client, "/commitments/energy-pause/")

    with time_machine.travel(NOW, tick=False):
        ComplianceEventFactory(commitment=pause, summary="Reported while the cache was down")
    page = get(client, "/commitments/energy-pause/")

    assert "Reported while the cache was down" in page.content.decode()


def test_a_stalled_cache_costs_one_time_out_and_then_is_left_alone(client, pause, settings):
    with silent_server() as port:
        shared_cache_at(settings, port)
        with mock.patch.object(RedisCache, "get_many", wraps=RedisCache.get_many) as asked:
            first = get(client, "/")
            second = get(client, "/")

    assert first.status_code == second.status_code == 200
    assert asked.call_count == 1  # the second request did not wait for the stalled server


def backend() -> shared_cache.SharedRedisCache:
    return shared_cache.SharedRedisCache(
        f"redis://127.0.0.1:{closed_port()}/0", {"KEY_PREFIX": "tracker"}
    )


def test_after_a_failure_the_cache_is_tried_again_a_few_seconds_later():
    cache = backend()
    with (
        mock.patch.object(RedisCache, "get", side_effect=RedisConnectionError("refused")) as get,
        mock.patch.object(RedisCache, "delete_many") as dropped,
    ):
        with mock.patch("tracker.cache.time.monotonic", return_value=100.0):
            assert cache.get("a", "missing") == "missing"
            assert cache.get("b", "missing") == "missing"
        assert get.call_count == 1
        later = 100.0 + shared_cache.RETRY_AFTER_SECONDS
        with mock.patch("tracker.cache.time.monotonic", return_value=later):
            cache.get("c")
        assert get.call_count == 2
    dropped.assert_called_once_with(cache, [VERSION_KEY])


def test_writes_to_a_cache_that_is_down_are_dropped_without_an_error():
    cache = backend()

    cache.set("page", "text")
    cache.set_many({"card": "text"})
    cache.delete("page")

    assert cache.add("version", "v1") is False
    assert cache.get_many(["page", "card"]) == {}


def test_after_a_failure_nothing_is_read_until_the_version_could_be_dropped():
    """A node that could not store a new version never reads the old one back."""
    cache = backend()
    refused = RedisResponseError("READONLY You can't write against a read only replica.")
    with (
        mock.patch.object(RedisCache, "get", side_effect=[RedisConnectionError("down"), "page"]),
        mock.patch.object(RedisCache, "delete_many", side_effect=[refused, None]) as dropped,
        mock.patch("tracker.cache.time.monotonic", return_value=100.0) as clock,
    ):
        assert cache.get("page") is None
        clock.return_value = 200.0
        assert cache.get("page") is None  # Redis refused the drop: still nothing read
        clock.return_value = 300.0
        assert cache.get("page") == "page"

    assert dropped.call_count == 2


def test_the_version_is_what_is_dropped_after_an_outage(db):
    assert VERSION_KEY in shared_cache.forgotten_after_outage
    from django.core.cache import cache

    cache.set(VERSION_KEY, "stale")
    forget_latest_change()

    assert cache.get(VERSION_KEY) is None
