"""A real Redis that answers with errors: full, read-only, flushed, of the wrong type, busy.

Each is a Redis on loopback started for these tests. Whatever it answers,
a page comes from the database when Redis will not give it (slower, never
wrong, never a 500), and a change through the services shows on every
node's next response or is not made at all.
"""

import datetime as dt
import shutil
import subprocess
import time
from unittest import mock

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.utils.html import strip_tags
from redis import exceptions

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ComplianceEventFactory,
    ReadingFactory,
)
from tests.smtp_support import free_port
from tests.test_shared_cache import closed_port, shared_cache_at
from tracker import services
from tracker.http import VERSION_KEY, ChangeNotAnnounced

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, 0, 20, tzinfo=UTC)
BOARD = "/"
PAGE = "/commitments/energy-pause/"
TITLE = "Pause on strikes against energy infrastructure"

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server to start one on loopback"
)


@pytest.fixture
def redis_server():
    """A Redis of these tests' own, keeping nothing on disk; its client, as another node."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--maxmemory-policy", "noeviction"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except exceptions.ConnectionError:
            time.sleep(0.05)
    try:
        yield port, client
    finally:
        process.terminate()
        process.wait(5)


@pytest.fixture
def served(settings, redis_server):
    port, client = redis_server
    shared_cache_at(settings, port)
    yield client
    cache.close()


@pytest.fixture
def pause(db):
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        commitment = CommitmentFactory(
            title=TITLE, slug="energy-pause", status="in_force", agreement=AgreementFactory()
        )
        ReadingFactory(commitment=commitment, ends_at=NOW + dt.timedelta(days=3))
    return commitment


def get(client, url):
    with time_machine.travel(NOW, tick=False):
        return client.get(url)


def text_of(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def fill(client) -> None:
    """Fill Redis to its ``maxmemory``: every write after this is refused with OOM."""
    used = client.info("memory")["used_memory"]
    client.config_set("maxmemory", used + 256 * 1024)
    block = b"x" * 16 * 1024
    for n in range(1000):
        try:
            client.set(f"ballast:{n}", block)
        except exceptions.OutOfMemoryError:
            # Well over, so that what a drop frees never makes room for a write again.
            client.config_set("maxmemory", client.info("memory")["used_memory"] // 2)
            return
    raise AssertionError("Redis never ran out of memory")


def version_key() -> str:
    return cache.make_and_validate_key(VERSION_KEY)


@pytest.mark.parametrize("url", [BOARD, PAGE])
def test_a_full_cache_serves_every_page_from_the_database(client, pause, served, url):
    fill(served)

    first = get(client, url)
    second = get(client, url)

    assert first.status_code == second.status_code == 200
    assert TITLE in text_of(second)


def test_a_change_while_the_cache_is_full_shows_on_every_nodes_next_response(client, pause, served):
    kept = get(client, PAGE)
    assert not get(client, PAGE).templates  # kept, under the version Redis holds
    fill(served)

    with time_machine.travel(NOW, tick=False):
        ComplianceEventFactory(commitment=pause, summary="Reported while Redis was full")
    after = get(client, PAGE)

    # Redis refused the new version but took the drop of the old: no node can read it.
    assert served.get(version_key()) is None
    assert after.status_code == 200
    assert "Reported while Redis was full" in after.content.decode()
    assert after["ETag"] != kept["ETag"]


def make_read_only(client) -> None:
    """Make Redis a replica of a server that is not there: it keeps its data, takes no write."""
    client.replicaof("127.0.0.1", closed_port())
    with pytest.raises(exceptions.ReadOnlyError):
        client.set("probe", 1)


@pytest.mark.parametrize("url", [BOARD, PAGE])
def test_a_read_only_cache_serves_every_page(client, pause, served, url):
    get(client, url)
    make_read_only(served)

    pages = [get(client, url) for _ in range(3)]

    assert [page.status_code for page in pages] == [200] * 3
    assert all(TITLE in text_of(page) for page in pages)


def test_a_change_a_read_only_cache_would_hide_from_other_nodes_is_refused(
    client, pause, served, reviewer
):
    """Other nodes keep reading the old version from it: the change must not be made."""
    before = get(client, BOARD)
    make_read_only(served)

    with time_machine.travel(NOW, tick=False), pytest.raises(ChangeNotAnnounced):
        services.change_status(pause, "suspended", actor=reviewer, reason="Talks broke down")

    pause.refresh_from_db()
    assert pause.status == "in_force"
    after = get(client, BOARD)
    assert after.status_code == 200
    assert text_of(after) == text_of(before)


def test_after_a_flush_between_requests_the_next_response_is_current(
    client, pause, served, reviewer
):
    seen = []
    for status in ["suspended", "in_force", "suspended"]:
        get(client, BOARD)
        with time_machine.travel(NOW, tick=False):
            services.change_status(pause, status, actor=reviewer, reason="As reported")
        served.flushall()
        seen.append(f"Status: {status.replace('_', ' ')}" in text_of(get(client, BOARD)))

    assert seen == [True, True, True]


def test_a_version_of_the_wrong_type_is_read_from_the_database(client, pause, served):
    get(client, PAGE)
    served.delete(version_key())
    served.rpush(version_key(), "not a version")  # WRONGTYPE for every read of it

    page = get(client, PAGE)

    assert page.status_code == 200
    assert TITLE in text_of(page)


@pytest.mark.parametrize(
    "error",
    [
        exceptions.ResponseError("BUSY Redis is busy running a script."),
        exceptions.BusyLoadingError("LOADING Redis is loading the dataset in memory"),
        exceptions.ResponseError("MISCONF Redis is configured to save RDB snapshots"),
        exceptions.TimeoutError("Timeout reading from socket"),
        exceptions.TimeoutError("Timeout connecting to server"),
        TimeoutError("timed out"),
    ],
    ids=["busy", "loading", "misconf", "read time-out", "connect time-out", "socket time-out"],
)
def test_whatever_redis_answers_the_page_is_served(client, pause, served, error):
    get(client, PAGE)

    with (
        mock.patch.object(RedisCache, "get_many", side_effect=error),
        mock.patch.object(RedisCache, "get", side_effect=error),
    ):
        page = get(client, PAGE)

    assert page.status_code == 200
    assert TITLE in text_of(page)


def test_a_reviewer_is_told_the_change_was_not_saved_while_the_cache_is_read_only(
    client, pause, served, reviewer
):
    from django.urls import reverse

    client.force_login(reviewer)
    make_read_only(served)

    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("admin:tracker_commitment_status", args=[pause.pk]),
            {
                "to_status": "suspended",
                "effective_at_0": "2025-03-31",
                "effective_at_1": "18:00",
                "reason": "Both sides report strikes on substations",
            },
        )

    assert response.status_code == 200
    assert "nothing was saved" in text_of(response)
    pause.refresh_from_db()
    assert pause.status == "in_force"
