"""Each web process keeps the version of the record and the pages it read beside the cache.

With Redis as the shared cache, a first visit to an unchanged page costs no
round trip at all once a process has read the page: Redis announces every
change to the version on a connection of the process's own, so a change
made through any node, written, deleted, expired or flushed, still shows on
every node's next response.
"""

import datetime as dt
import os
import pickle
import uuid

import pytest
import redis
import time_machine
from django.core.cache import cache

from tests.factories import AgreementFactory, CommitmentFactory, ReadingFactory
from tests.test_page_cache import cache_round_trips, rendered
from tracker import near_cache
from tracker.http import VERSION_KEY, Version

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, 0, 20, tzinfo=UTC)
PAGES = ["/", "/commitments/energy-pause/"]

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="the copies beside the cache are kept with Redis alone"
)


@pytest.fixture
def pause(db):
    commitment = CommitmentFactory(
        title="Pause on strikes against energy infrastructure",
        slug="energy-pause",
        status="in_force",
        agreement=AgreementFactory(slug="call"),
    )
    ReadingFactory(commitment=commitment, ends_at=NOW + dt.timedelta(days=3))
    return commitment


def get(client, url):
    with time_machine.travel(NOW, tick=False):
        return client.get(url)


def another_node():
    """A connection to the same Redis that is not this process's cache: another web node."""
    return redis.Redis.from_url(cache._cache._servers[0])


def full_key(key: str) -> str:
    return cache.make_and_validate_key(key)


def warmed(client, url):
    """Render the page, then read it once from the cache, so this process keeps a copy."""
    first = get(client, url)
    get(client, url)
    return first


def visit_without_round_trips(client, url, tries=3):
    """A visit that asked the cache nothing (another test process's writes to a key of the
    same name on the same Redis can make one visit read the version again)."""
    for _ in range(tries):
        with cache_round_trips() as calls:
            response = get(client, url)
        if not calls:
            return response
    raise AssertionError(f"every visit asked the shared cache: {calls}")


@pytest.mark.parametrize("url", PAGES)
def test_a_first_visit_to_a_page_this_process_read_costs_no_round_trip(
    client, pause, url, django_assert_num_queries
):
    first = warmed(client, url)

    with django_assert_num_queries(0):
        again = visit_without_round_trips(client, url)

    assert not rendered(again)
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize("url", PAGES)
def test_a_new_version_written_by_another_node_shows_on_the_next_response(client, pause, url):
    warmed(client, url)
    visit_without_round_trips(client, url)

    another_node().set(full_key(VERSION_KEY), pickle.dumps(Version(NOW, uuid.uuid4().hex)), ex=60)
    after = get(client, url)

    assert rendered(after)


def test_a_version_dropped_by_another_node_is_read_again(client, pause):
    warmed(client, "/")
    visit_without_round_trips(client, "/")

    another_node().delete(full_key(VERSION_KEY))
    with cache_round_trips() as calls:
        after = get(client, "/")

    assert calls and after.status_code == 200


def test_a_cache_flushed_by_another_node_serves_the_current_page(client, pause):
    warmed(client, "/commitments/energy-pause/")

    another_node().flushdb()
    with cache_round_trips() as calls:
        after = get(client, "/commitments/energy-pause/")

    assert calls  # the version is read again, from the database
    assert after.status_code == 200
    assert rendered(after)  # the version read from the database names another state
    assert pause.title in after.content.decode()


def test_a_lost_connection_for_announcements_stops_the_copies_being_trusted(client, pause):
    warmed(client, "/")
    visit_without_round_trips(client, "/")
    watch = cache._near_copies.watch  # the default cache's, whatever other caches a test made

    watch._connection._sock.close()  # as when Redis restarts or the network drops it
    with cache_round_trips() as calls:
        after = get(client, "/")

    assert calls and after.status_code == 200


def test_without_announcements_every_visit_reads_the_cache_as_before(client, pause, monkeypatch):
    monkeypatch.setattr(near_cache.Watch, "live", lambda self: False)
    warmed(client, "/")

    with cache_round_trips() as calls:
        again = get(client, "/")

    assert calls == ["get_many"]
    assert not rendered(again)
