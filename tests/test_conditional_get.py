"""Cache headers and conditional GET: a spike of readers costs one cheap query each."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from tests.factories import (
    CommitmentFactory,
    CommitmentPartyFactory,
    PartyFactory,
    ReadingFactory,
    UserFactory,
)
from tracker import services
from tracker.http import BROWSER_MAX_AGE, VERSION_SECONDS, forget_latest_change, latest_change_at

UTC = dt.UTC
ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2025, 4, 1, 12, 0, 30, tzinfo=UTC)
PAGES = [
    "/",
    "/commitments/energy-pause/",
    "/agreements/talks/",
    "/parties/russia/",
    "/changes/",
    "/embed/commitments/energy-pause/",
    "/embed/commitments/energy-pause/badge.svg",
    "/card.png",
    "/search/?q=pause",
    "/as-of/2025-03-31/",
    "/commitments/energy-pause/?as_of=2025-03-31",
    "/regions/",
    "/regions/UA-59/?claimant=russia",
]


@pytest.fixture
def pause(db):
    # Two days back, so the past has a day to show: the board as of 31 March.
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        commitment = CommitmentFactory(slug="energy-pause", agreement__slug="talks")
        ReadingFactory(commitment=commitment)
        CommitmentPartyFactory(commitment=commitment, party=PartyFactory(slug="russia"))
    return commitment


def get(client, url, now=NOW, **headers):
    with time_machine.travel(now, tick=False):
        return client.get(url, headers=headers)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_carries_validators_and_shared_cache_headers(client, pause, url):
    response = get(client, url)

    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=60", "s-maxage=300"} <= cache_control


@pytest.mark.parametrize("url", PAGES)
def test_pages_set_no_cookie_so_shared_caches_can_keep_them(client, pause, url):
    response = get(client, url)

    assert response.status_code == 200
    assert not response.cookies
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary


@pytest.mark.parametrize("url", PAGES)
def test_a_reader_with_the_current_version_gets_304_without_the_page_being_rendered(
    client, pause, url, django_assert_max_num_queries
):
    etag = get(client, url)["ETag"]

    with django_assert_max_num_queries(1):
        again = get(client, url, If_None_Match=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert not again.templates
    assert "public" in again["Cache-Control"]


def test_a_burst_of_readers_costs_no_query_after_the_first(
    client, pause, django_assert_num_queries
):
    etag = get(client, "/")["ETag"]

    with django_assert_num_queries(0):
        for _ in range(5):
            assert get(client, "/", If_None_Match=etag).status_code == 304


def test_a_change_written_around_the_models_is_seen_once_the_cached_version_lapses(client, pause):
    """The cached version lives ``VERSION_SECONDS``; then the history tables are read again."""
    before = get(client, "/")
    # A change by hand in the database sends no signal; moving a history row's date stands in.
    moved = latest_change_at() + dt.timedelta(minutes=5)
    pause.history.model.objects.filter(id=pause.pk).update(history_date=moved)

    still = get(client, "/", If_None_Match=before["ETag"])
    forget_latest_change()  # what the cache does after VERSION_SECONDS
    later = get(client, "/")

    assert still.status_code == 304
    assert later["Last-Modified"] == moved.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 0 < VERSION_SECONDS <= BROWSER_MAX_AGE


def test_if_modified_since_the_latest_change_answers_304(client, pause):
    last_modified = get(client, "/")["Last-Modified"]

    again = get(client, "/", If_Modified_Since=last_modified)

    assert again.status_code == 304


def test_any_change_to_a_record_makes_a_new_version(client, pause):
    reviewer = UserFactory(username="olena.k", role="Reviewers")
    before = get(client, "/")["ETag"]

    services.change_status(pause, "suspended", actor=reviewer, reason="Talks broke down")
    after = get(client, "/", If_None_Match=before)

    assert after.status_code == 200
    assert after["ETag"] != before
    assert "suspended" in after.content.decode()


def test_countdowns_move_on_so_the_version_changes_with_the_minute(client, pause):
    before = get(client, "/")["ETag"]

    later = get(client, "/", now=NOW + dt.timedelta(minutes=1), If_None_Match=before)

    assert later.status_code == 200


@pytest.mark.parametrize(
    "url", ["/as-of/2025-03-31/", "/commitments/energy-pause/?as_of=2025-03-31"]
)
def test_a_past_page_keeps_its_version_as_the_minutes_pass_until_a_record_changes(
    client, pause, url
):
    """A past day's countdowns are counted from its end: only a correction changes the page."""
    reviewer = UserFactory(username="olena.k", role="Reviewers")
    before = get(client, url)["ETag"]

    an_hour_later = get(client, url, now=NOW + dt.timedelta(hours=1), If_None_Match=before)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        services.unpublish(pause, actor=reviewer, reason="Under review")
    withdrawn = get(client, url, now=NOW + dt.timedelta(hours=1), If_None_Match=before)

    assert an_hour_later.status_code == 304
    assert withdrawn.status_code == 404


def test_each_language_is_its_own_version(client, pause):
    english = get(client, "/", Accept_Language="en")["ETag"]
    ukrainian = get(client, "/", Accept_Language="uk")["ETag"]

    assert english != ukrainian


@pytest.mark.parametrize("url", ["/?status=bogus", "/commitments/nothing/"])
def test_errors_are_neither_cacheable_nor_versioned(client, pause, url):
    response = get(client, url)

    assert response.status_code in (400, 404)
    assert "public" not in response.get("Cache-Control", "")
    assert not response.has_header("ETag")
    assert not response.has_header("Last-Modified")


def test_the_latest_change_is_one_query_over_every_history_table(pause, django_assert_num_queries):
    edited_at = timezone.now() + dt.timedelta(days=1)
    with time_machine.travel(edited_at, tick=False):
        PartyFactory(slug="russia").save()

    with django_assert_num_queries(1):
        stamp = latest_change_at()

    assert stamp == edited_at


def test_a_change_committed_elsewhere_is_seen_at_the_next_request(client, pause, settings):
    """Every web node reads the version from the cache they share, so none waits for another."""
    before = get(client, "/")["ETag"]

    with time_machine.travel(NOW, tick=False):
        from tracker.http import note_change

        note_change()  # what a save in another node's process does to the shared cache

    assert get(client, "/", If_None_Match=before).status_code == 200


def test_a_process_that_serves_no_page_still_makes_a_new_version():
    """A worker or an import never loads the views, yet its saves must reach every node."""
    script = (
        "import django; django.setup(); "
        "from django.db.models.signals import post_save; "
        "print(any(entry[0][0] == 'version-HistoricalParty' for entry in post_save.receivers))"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert finished.stdout.strip() == "True"
