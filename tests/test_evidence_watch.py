"""Link watching: each cited address checked again, spread over days; live, changed or gone."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from tests.evidence_support import PAGE, Site
from tests.factories import SourceFactory
from tracker.evidence import capturing, storage, watching
from tracker.evidence.models import Capture, Link

NOW = dt.datetime(2026, 3, 19, 9, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(days=7)


@pytest.fixture(autouse=True)
def evidence_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence"},
        },
    }
    settings.SOURCES_ALLOW_PRIVATE_TARGETS = True
    settings.SOURCES_CAPTURE_TIMEOUT = 2
    settings.SOURCES_WATCH_EVERY = WEEK


@pytest.fixture
def site():
    with Site() as site:
        yield site


def captured(source, now=NOW) -> Capture:
    capturing.queue_captures([source.pk], now)
    return capturing.capture(capturing.claim_next("w", now), now)


def check_now(source, now) -> Link:
    link = Link.objects.select_related("source").get(source=source)
    return watching.check(link, now)


def test_a_page_found_then_changed_then_gone_is_recorded_with_the_day_first_seen_so(db, site):
    source = SourceFactory(url=site.url("/statement"))
    first = captured(source)
    link = Link.objects.get(source=source)
    assert (link.status, link.status_since) == ("live", NOW)

    day = NOW + dt.timedelta(days=7)
    link = check_now(source, day)
    assert (link.status, link.status_since, link.checked_at) == ("live", NOW, day)

    site.pages["/statement"] = (200, PAGE.replace(b"18 March", b"25 March"))
    changed_on = NOW + dt.timedelta(days=14)
    link = check_now(source, changed_on)
    assert (link.status, link.status_since) == ("changed", changed_on)
    link = check_now(source, changed_on + WEEK)
    assert (link.status, link.status_since) == ("changed", changed_on)

    del site.pages["/statement"]
    gone_on = NOW + dt.timedelta(days=40)
    link = check_now(source, gone_on)
    assert (link.status, link.status_since) == ("gone", gone_on)
    assert link.check_note == "HTTP 404."
    link = check_now(source, gone_on + WEEK)
    assert link.status_since == gone_on

    copies = list(Capture.objects.kept().filter(source=source).order_by("captured_at"))
    assert [c.captured_at for c in copies] == [NOW, changed_on]
    assert storage.read(copies[0].body_name) == PAGE  # the first copy is kept as it was
    assert copies[0] == first


def test_a_check_that_cannot_tell_changes_nothing_but_its_note(db, site):
    source = SourceFactory(url=site.url("/statement"))
    captured(source)
    site.pages["/statement"] = (503, b"busy")

    link = check_now(source, NOW + WEEK)

    assert (link.status, link.status_since) == ("live", NOW)
    assert link.check_note == "Could not check: HTTP 503."


def test_checks_are_spread_over_the_period_not_made_all_at_once(db, site):
    site.pages.update({f"/{n}": (200, PAGE + str(n).encode()) for n in range(40)})
    sources = [SourceFactory(url=site.url(f"/{n}")) for n in range(40)]
    for source in sources:
        captured(source)

    planned = sorted(Link.objects.values_list("next_check_at", flat=True))
    assert planned[0] >= NOW and planned[-1] <= NOW + WEEK
    by_day = {(p - NOW).days for p in planned}
    assert len(by_day) == 7  # every day of the week takes some

    report = watching.watch_due(limit=100, now=NOW + dt.timedelta(days=1))
    assert 0 < len(report.checked) < 20


def test_two_watchers_never_check_the_same_link(db, site):
    source = SourceFactory(url=site.url("/statement"))
    captured(source)
    later = NOW + 2 * WEEK

    first = watching.claim_due(later, 10)
    second = watching.claim_due(later, 10)

    assert [link.source_id for link in first] == [source.pk] and second == []


def test_watch_sources_reports_what_it_found(db, site):
    source = SourceFactory(url=site.url("/statement"))
    captured(source)
    Link.objects.filter(source=source).update(next_check_at=NOW)
    del site.pages["/statement"]
    out = io.StringIO()

    call_command("watch_sources", stdout=out)

    assert "1 checked (1 gone)" in out.getvalue()


def test_a_cited_sources_new_copy_and_link_state_enter_the_public_log(db, site, reviewer, client):
    from tests.ledger_support import published_record
    from tracker.ledger import changes
    from tracker.models import LedgerEntry

    _, _, _, claim = published_record(reviewer)
    source = SourceFactory(url=site.url("/statement"))
    claim.sources.add(source)
    changes.touch(claim)

    def logged_sources():
        entry = LedgerEntry.objects.filter(kind="claim", record_id=claim.pk).latest("index")
        import json

        return json.loads(entry.leaf)["record"]["sources"]

    def shown_sources():
        import json

        events = json.loads(client.get("/api/events/").content)["results"]
        return next(event for event in events if event["id"] == claim.pk)["sources"]

    captured(source)
    assert logged_sources() == shown_sources()
    assert logged_sources()[0]["link_status"] == "live"

    site.pages["/statement"] = (404, b"gone")
    check_now(source, NOW + WEEK)
    assert logged_sources() == shown_sources()
    assert logged_sources()[0]["link_status"] == "gone"
