"""Whole public pages from the shared cache: a first visit costs one cache read.

A headline sends many new readers (no ETag yet) to the same few pages. Each
page is kept whole, under its canonical address and the reader's language,
beside the validator it was rendered for; a reader whose validator would be
the same is given it without a query or a render.
"""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.utils.html import strip_tags

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
)
from tracker import services
from tracker.http import note_change, public_cache

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, 0, 20, tzinfo=UTC)
BOARD = "/"
PAGE = "/commitments/energy-pause/"


@pytest.fixture
def pause(db):
    russia = PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")
    commitment = CommitmentFactory(
        title="Pause on strikes against energy infrastructure",
        slug="energy-pause",
        status="in_force",
        agreement=AgreementFactory(title="US–Russia phone call", slug="call"),
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    ReadingFactory(
        commitment=commitment,
        starts_at=dt.datetime(2025, 3, 18, tzinfo=UTC),
        ends_at=NOW + dt.timedelta(days=3, hours=4),
    )
    ComplianceEventFactory(
        commitment=commitment, claimant=ukraine, summary="Strike on a substation"
    )
    return commitment


def get(client, url, now=NOW, **headers):
    with time_machine.travel(now, tick=False):
        return client.get(url, headers=headers)


def rendered(response) -> bool:
    """Whether the view rendered this response (a kept page uses no template)."""
    return bool(response.templates)


@contextmanager
def cache_round_trips():
    """Count the calls made to the shared cache, each a round trip to Redis.

    Only the outermost call counts: the local-memory cache answers
    ``get_many`` with a ``get`` per key, which Redis answers in one.
    """
    calls = []
    depth = [0]
    names = ["get", "get_many", "set", "set_many", "add", "delete", "has_key", "get_or_set"]

    def counting(name, original):
        def call(*args, **kwargs):
            if not depth[0]:
                calls.append(name)
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    patches = [
        mock.patch.object(cache, name, counting(name, getattr(cache, name))) for name in names
    ]
    for patcher in patches:
        patcher.start()
    try:
        yield calls
    finally:
        for patcher in patches:
            patcher.stop()


@pytest.mark.parametrize("url", [BOARD, PAGE])
def test_a_first_visit_to_an_unchanged_page_costs_one_cache_read_and_no_query(
    client, pause, url, django_assert_num_queries
):
    first = get(client, url)

    with django_assert_num_queries(0), cache_round_trips() as calls:
        second = get(client, url)

    assert rendered(first) and not rendered(second)
    # The version and the page together, or the page alone where the version is kept beside.
    assert calls in (["get_many"], ["get"])
    assert second.status_code == 200
    assert second.content == first.content


@pytest.mark.parametrize("url", [BOARD, PAGE])
def test_a_kept_page_carries_the_same_headers_as_a_rendered_one(client, pause, url):
    first = get(client, url)
    second = get(client, url)

    assert not rendered(second)
    for header in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Type"):
        assert second[header] == first[header], header
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in second["Vary"].split(",")}
    assert not second.cookies


def test_a_reader_with_the_etag_still_gets_304_from_a_kept_page(client, pause):
    etag = get(client, BOARD)["ETag"]
    get(client, BOARD)

    again = get(client, BOARD, If_None_Match=etag)

    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize(
    "made_up", ["?fbclid=IwAR3x&utm_source=telegram", "?utm_campaign=%3Cscript%3E", "?x=1&x=2"]
)
def test_made_up_parameters_cost_nothing_and_are_never_repeated_back(client, pause, made_up):
    plain = get(client, BOARD)

    visited = get(client, BOARD + made_up)

    assert not rendered(visited)
    assert visited.content == plain.content
    page = visited.content.decode()
    assert "fbclid" not in page and "utm_" not in page and 'name="x"' not in page


def test_a_page_asked_for_with_made_up_parameters_first_is_the_plain_page(client, pause):
    """Whoever comes first, the kept page never echoes what another reader made up."""
    first = get(client, PAGE + "?utm_source=newsletter&ref=headline")

    second = get(client, PAGE)

    assert rendered(first) and not rendered(second)
    assert "utm_source" not in first.content.decode()
    assert 'name="next" type="hidden" value="/commitments/energy-pause/"' in first.content.decode()


def test_the_same_filters_in_another_order_are_one_page(client, pause):
    first = get(client, "/?status=in_force&party=russia")

    second = get(client, "/?party=russia&status=in_force")

    assert rendered(first) and not rendered(second)
    assert second.content == first.content
    assert "Pause on strikes against energy infrastructure" in second.content.decode()


def test_a_zone_spelt_two_ways_is_one_page_and_each_zone_its_own(client, pause):
    get(client, BOARD)
    kyiv = get(client, BOARD + "?tz=Europe/Kyiv")
    lowercase = get(client, BOARD + "?tz=europe/kyiv")
    moscow = get(client, BOARD + "?tz=Europe/Moscow")
    utc = get(client, BOARD + "?tz=UTC")

    assert rendered(kyiv) and not rendered(lowercase)
    assert rendered(moscow) and moscow.content != kyiv.content
    assert not rendered(utc)  # UTC is the default: the bare address's page
    assert "Europe/Kyiv" in kyiv.content.decode()


def test_a_refused_zone_is_still_said_on_the_page(client, pause):
    get(client, BOARD)

    refused = get(client, BOARD + "?tz=Mars/Olympus")

    assert rendered(refused)
    assert "“Mars/Olympus” is not a time zone we know" in refused.content.decode()


def test_each_language_is_its_own_kept_page(client, pause):
    english = get(client, BOARD, Accept_Language="en")
    ukrainian = get(client, BOARD, Accept_Language="uk")
    ukrainian_again = get(client, BOARD, Accept_Language="uk")

    assert rendered(english) and rendered(ukrainian) and not rendered(ukrainian_again)
    assert 'lang="uk"' in ukrainian_again.content.decode()
    assert ukrainian_again["Content-Language"] == "uk"


def test_a_change_made_through_any_node_shows_on_the_next_response(client, pause):
    get(client, PAGE)
    reviewer_change = ComplianceEventFactory(
        commitment=pause, summary="Strike on a gas compressor station"
    )

    after = get(client, PAGE)

    assert rendered(after)
    assert reviewer_change.summary in after.content.decode()


def test_a_new_version_stored_by_another_process_renders_the_page_again(client, pause):
    get(client, BOARD)
    with time_machine.travel(NOW, tick=False):
        note_change()  # what a save on another node leaves in the shared cache

    assert rendered(get(client, BOARD))


def test_a_status_change_shows_at_once_on_the_board(client, pause, reviewer):
    get(client, BOARD)
    with time_machine.travel(NOW, tick=False):
        services.change_status(pause, "suspended", actor=reviewer, reason="Talks broke down")

    page = get(client, BOARD).content.decode()

    assert "Status: suspended" in " ".join(strip_tags(page).split())


def test_the_passing_minute_renders_a_countdown_again(client, pause):
    get(client, BOARD)
    later = NOW + dt.timedelta(hours=1)

    an_hour_later = get(client, BOARD, now=later)
    again = get(client, BOARD, now=later + dt.timedelta(seconds=20))

    assert rendered(an_hour_later) and not rendered(again)
    assert "ends in 3 days 3 h" in " ".join(strip_tags(again.content.decode()).split())


@pytest.mark.parametrize("url", ["/?status=bogus", "/commitments/nothing/", "/?page=9"])
def test_errors_are_never_kept(client, pause, url):
    first = get(client, url)

    second = get(client, url)

    assert first.status_code == second.status_code >= 400
    assert rendered(second)


def test_the_admin_with_its_csrf_token_and_cookie_is_never_kept(client, pause):
    first = get(client, "/admin/login/")

    second = get(client, "/admin/login/")

    assert "csrfmiddlewaretoken" in second.content.decode()
    assert "csrftoken" in second.cookies
    assert rendered(first) and rendered(second)


def reader_request(path="/somewhere/"):
    request = RequestFactory().get(path)
    request.LANGUAGE_CODE = "en"
    return request


def counted_view(respond):
    """A public view that holds ``respond``'s answer, and the number of times it ran."""
    runs = []

    @public_cache(parameters=[])
    def view(request):
        runs.append(request)
        return respond(request)

    return view, runs


def setting_a_cookie(request):
    response = HttpResponse("hello")
    response.set_cookie("seen", "1")
    return response


def using_a_csrf_token(request):
    return HttpResponse(f"<input value='{get_token(request)}'>")


def reading_the_session(request):
    return HttpResponse(f"hello {request.session.get('name', 'reader')}")


def varying_on_a_header(request):
    response = HttpResponse("for your user agent")
    response["Vary"] = "User-Agent"
    return response


@pytest.mark.parametrize(
    "respond", [setting_a_cookie, using_a_csrf_token, reading_the_session, varying_on_a_header]
)
def test_a_response_for_one_reader_is_served_but_never_kept(db, respond):
    from django.contrib.sessions.backends.db import SessionStore

    view, runs = counted_view(respond)
    for _ in range(2):
        request = reader_request()
        request.session = SessionStore()
        assert view(request).status_code == 200

    assert len(runs) == 2


def test_a_response_for_anyone_is_kept(db):
    from django.contrib.sessions.backends.db import SessionStore

    view, runs = counted_view(lambda request: HttpResponse("the same for everyone"))
    for _ in range(2):
        request = reader_request()
        request.session = SessionStore()
        assert view(request).content == b"the same for everyone"

    assert len(runs) == 1


def test_the_view_sees_only_the_parameters_it_reads_in_canonical_order(db):
    seen = []

    @public_cache(parameters=["status", "page"])
    def view(request):
        seen.append((request.GET.dict(), request.get_full_path()))
        return HttpResponse("listing")

    view(reader_request("/list/?page=2&fbclid=x&status=in_force&tz=europe/kyiv"))

    assert seen == [
        (
            {"page": "2", "status": "in_force", "tz": "Europe/Kyiv"},
            "/list/?page=2&status=in_force&tz=Europe%2FKyiv",
        )
    ]


def test_a_flushed_cache_serves_the_pages_from_the_database(client, pause):
    """A cache emptied mid-run (restarted, flushed, evicted) loses nothing but time."""
    before = get(client, PAGE)
    cache.clear()
    ComplianceEventFactory(commitment=pause, summary="Reported after the flush")
    cache.clear()

    after = get(client, PAGE)
    again = get(client, PAGE)

    assert before.status_code == after.status_code == again.status_code == 200
    assert "Reported after the flush" in after.content.decode()
    assert rendered(after) and not rendered(again)


def test_every_response_between_flushes_is_the_current_page(client, pause):
    seen = []
    for round_ in range(6):
        if round_ % 2:
            cache.clear()
        ComplianceEventFactory(commitment=pause, summary=f"Report number {round_}")
        page = get(client, PAGE)
        seen.append((page.status_code, f"Report number {round_}" in page.content.decode()))

    assert seen == [(200, True)] * 6


def test_each_kept_page_keeps_every_parameter_its_form_reads():
    """A field added to a form but not to its list would be dropped before the view saw it."""
    from tracker.site import filters, search

    forms = [
        (filters.BoardFilters({}, parties=[]), filters.BOARD_PARAMETERS),
        (filters.EventFilters({}, parties=[]), filters.EVENT_PARAMETERS),
        (filters.RegionFilters({}, parties=[], commitments={}), filters.REGION_PARAMETERS),
        (filters.ChangesPage({}), filters.CHANGES_PARAMETERS),
        (search.SearchForm({}), search.SEARCH_PARAMETERS),
    ]

    for form, parameters in forms:
        assert set(form.fields) == set(parameters), type(form).__name__
