"""Capturing cited sources: queued on save, fetched under the address rule, kept with a hash."""

import datetime as dt
import gzip
import hashlib
import io

import pytest
import time_machine
from django.core.management import call_command
from warcio.archiveiterator import ArchiveIterator

from tests.evidence_support import (
    PAGE,
    Site,
    declares_huge,
    endless,
    gzip_bomb,
    gzipped,
    not_http,
    trickle,
)
from tests.factories import CommitmentFactory, PartyFactory, SourceFactory
from tests.intake_support import claim_row, claims_csv
from tracker import services
from tracker.alerts import addresses
from tracker.evidence import capturing, storage
from tracker.evidence.models import Capture, Link
from tracker.models import Source

NOW = dt.datetime(2026, 3, 19, 9, 0, tzinfo=dt.UTC)


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
    settings.SOURCES_CAPTURE_MAX_BYTES = 1 << 20
    settings.SOURCES_CAPTURE_TIMEOUT = 2
    settings.SOURCES_FIRST_RETRY = dt.timedelta(minutes=10)
    settings.SOURCES_LONGEST_RETRY = dt.timedelta(hours=4)
    settings.SOURCES_CAPTURE_ATTEMPTS = 3


@pytest.fixture
def site():
    with Site() as site:
        yield site


def warc_records(name: str) -> list[dict]:
    """Each record of a stored WARC file, read as a replay tool reads it."""
    return [
        {
            "type": record.rec_type,
            "uri": record.rec_headers.get_header("WARC-Target-URI"),
            "http": record.http_headers,
            "payload": record.raw_stream.read(),
        }
        for record in ArchiveIterator(io.BytesIO(storage.read(name)))
    ]


def capture_now(source, now=NOW) -> Capture:
    """Queue (if need be) and run one capture of ``source`` as the worker would."""
    capturing.queue_captures([source.pk], now)
    claimed = capturing.claim_next("test-worker", now)
    assert claimed is not None and claimed.source_id == source.pk
    return capturing.capture(claimed, now)


# Queued on citation -------------------------------------------------------------------


def test_saving_a_source_queues_its_capture_once_the_save_is_committed(
    editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        source = Source(url="https://example.org/statement", title="Statement")
        services.save_record(source, actor=editor, reason="cited by a claim")
        assert not Capture.objects.exists()  # nothing before the commit

    waiting = Capture.objects.get()
    assert (waiting.source, waiting.state, waiting.url) == (source, "pending", source.url)
    assert Link.objects.get(source=source).status == "unchecked"


def test_saving_the_source_again_queues_nothing_more(editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        source = Source(url="https://example.org/statement")
        services.save_record(source, actor=editor, reason="cited")
    with django_capture_on_commit_callbacks(execute=True):
        source.title = "Statement of 18 March"
        services.save_record(source, actor=editor, reason="title")

    assert Capture.objects.count() == 1


def test_the_import_queues_a_capture_of_each_new_source(
    editor, tmp_path, django_capture_on_commit_callbacks
):
    PartyFactory(slug="russia"), PartyFactory(slug="ukraine")
    CommitmentFactory(slug="energy-pause")
    rows = [
        claim_row(source_urls=f"https://mod.example.org/daily/{n}", summary=f"Strike number {n}")
        for n in (1, 2)
    ]
    path = tmp_path / "claims.csv"
    path.write_bytes(claims_csv(*rows))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_events", str(path), "--user", "editor", stdout=io.StringIO())

    assert sorted(Capture.objects.values_list("url", flat=True)) == [
        "https://mod.example.org/daily/1",
        "https://mod.example.org/daily/2",
    ]


def test_the_backfill_queues_every_source_never_captured(db):
    sources = [SourceFactory(url=f"https://example.org/{n}") for n in range(3)]

    assert capturing.queue_missing(NOW) == 3
    assert capturing.queue_missing(NOW) == 0
    assert {c.source_id for c in Capture.objects.all()} == {s.pk for s in sources}


# Kept with its hash ---------------------------------------------------------------------


def test_a_capture_keeps_the_bytes_the_warc_the_final_address_and_the_hash(db, site):
    site.redirect("/old", site.url("/statement"))
    source = SourceFactory(url=site.url("/old"))

    capture = capture_now(source)

    assert capture.state == "captured", capture.failure_reason
    assert capture.final_url == site.url("/statement")
    assert (capture.http_status, capture.content_type) == (200, "text/html; charset=utf-8")
    assert (capture.size, capture.sha256) == (len(PAGE), hashlib.sha256(PAGE).hexdigest())
    assert capture.captured_at == NOW
    assert storage.read(capture.body_name) == PAGE
    records = warc_records(capture.warc_name)
    response = next(r for r in records if r["type"] == "response")
    assert response["uri"] == site.url("/statement")
    assert response["payload"] == PAGE
    assert {r["type"] for r in records} == {"request", "response"}
    assert Link.objects.get(source=source).status == "live"


def test_the_fetch_says_who_is_asking(db, site):
    capture_now(SourceFactory(url=site.url("/statement")))

    assert "ceasefire-tracker-archiver" in site.requests[0]["headers"]["User-Agent"]


def test_a_gzipped_page_is_kept_as_the_document_and_hashed_as_such(db, site):
    site.pages["/zipped"] = gzipped(PAGE)

    capture = capture_now(SourceFactory(url=site.url("/zipped")))

    assert storage.read(capture.body_name) == PAGE
    assert capture.sha256 == hashlib.sha256(PAGE).hexdigest()
    response = next(r for r in warc_records(capture.warc_name) if r["type"] == "response")
    assert response["http"].get_header("Content-Encoding") == "gzip"
    assert gzip.decompress(response["payload"]) == PAGE


def test_the_same_bytes_captured_twice_are_stored_once(db, site):
    first = capture_now(SourceFactory(url=site.url("/statement")))
    site.pages["/copy"] = (200, PAGE)
    second = capture_now(SourceFactory(url=site.url("/copy")))

    assert first.body_name == second.body_name


# What cannot be captured says why, and is tried again ---------------------------------------


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (endless, "larger than the 1 MB"),
        (declares_huge, "larger (10240.0 MB) than the 1 MB"),
        (gzip_bomb, "expands past the 1 MB"),
        (not_http, "not well-formed HTTP"),
        ((500, b"oops"), "HTTP 500"),
        ((404, b"gone"), "HTTP 404"),
    ],
    ids=["huge", "declared-huge", "gzip-bomb", "malformed", "server-error", "not-found"],
)
def test_an_answer_that_cannot_be_kept_is_refused_with_its_reason(db, site, page, reason):
    site.pages["/bad"] = page
    source = SourceFactory(url=site.url("/bad"))

    capture = capture_now(source)

    assert capture.state == "pending"
    assert reason in capture.failure_reason
    assert (capture.sha256, capture.body_name, capture.size) == ("", "", None)
    assert capture.next_attempt_at == NOW + dt.timedelta(minutes=10)


def test_a_page_that_trickles_is_stopped_at_the_overall_timeout(db, site, settings):
    settings.SOURCES_CAPTURE_TIMEOUT = 1
    site.pages["/slow"] = trickle
    started = dt.datetime.now()

    capture = capture_now(SourceFactory(url=site.url("/slow")))

    assert (dt.datetime.now() - started).total_seconds() < 3
    assert "within 1 s" in capture.failure_reason


def test_a_redirect_loop_is_named_as_such(db, site):
    site.redirect("/a", site.url("/b"))
    site.redirect("/b", site.url("/a"))

    capture = capture_now(SourceFactory(url=site.url("/a")))

    assert "redirects in a loop" in capture.failure_reason


def test_too_many_redirects_are_not_followed(db, site, settings):
    settings.SOURCES_CAPTURE_MAX_REDIRECTS = 2
    for n in range(5):
        site.redirect(f"/r{n}", site.url(f"/r{n + 1}"))

    capture = capture_now(SourceFactory(url=site.url("/r0")))

    assert "More than 2 redirects" in capture.failure_reason


def test_a_private_address_is_refused_and_never_asked(db, site, settings):
    settings.SOURCES_ALLOW_PRIVATE_TARGETS = False

    capture = capture_now(SourceFactory(url=site.url("/statement")))

    assert "private, loopback or link-local" in capture.failure_reason
    assert site.requests == []


@pytest.mark.parametrize("private", ["http://10.0.0.7/admin", "http://169.254.169.254/latest"])
def test_a_redirect_to_a_private_address_is_refused_before_connecting(
    db, site, settings, monkeypatch, private
):
    """The test server stands for a public site: 127.0.0.1 alone is let through."""
    settings.SOURCES_ALLOW_PRIVATE_TARGETS = False
    real = addresses.is_public_ip
    monkeypatch.setattr(addresses, "is_public_ip", lambda a: a == "127.0.0.1" or real(a))
    site.redirect("/moved", private)

    capture = capture_now(SourceFactory(url=site.url("/moved")))

    assert [r["path"] for r in site.requests] == ["/moved"]
    assert "private, loopback or link-local" in capture.failure_reason
    assert private.split("/")[2] in capture.failure_reason


def test_only_web_addresses_are_captured(db):
    capture = capture_now(SourceFactory(url="ftp://example.org/file"))

    assert "Only http and https" in capture.failure_reason


def test_retries_wait_longer_each_time_then_the_capture_is_failed_for_good(db, site):
    site.pages["/bad"] = (503, b"busy")
    source = SourceFactory(url=site.url("/bad"))
    capture = capture_now(source)
    waits = []
    now = NOW
    while capture.state == "pending":
        waits.append(capture.next_attempt_at - now)
        now = capture.next_attempt_at
        assert capturing.claim_next("w", now - dt.timedelta(seconds=1)) is None
        capture = capturing.capture(capturing.claim_next("w", now), now)

    assert waits == [dt.timedelta(minutes=10), dt.timedelta(minutes=20)]
    assert capture.state == "failed" and capture.attempts == 3
    assert "HTTP 503" in capture.failure_reason
    assert capturing.queue_missing(now) == 0  # not queued again by the backfill

    assert capturing.retry(Capture.objects.all(), now) == 1
    site.pages["/bad"] = (200, PAGE)
    assert capturing.capture(capturing.claim_next("w", now), now).state == "captured"


def test_two_workers_never_claim_the_same_capture(db):
    source = SourceFactory(url="https://example.org/one")
    capturing.queue_captures([source.pk], NOW)

    first = capturing.claim_next("one", NOW)
    second = capturing.claim_next("two", NOW)

    assert first is not None and second is None


def test_a_claim_left_by_a_worker_that_died_is_taken_up_after_its_lease(db):
    source = SourceFactory(url="https://example.org/one")
    capturing.queue_captures([source.pk], NOW)
    capturing.claim_next("died", NOW)

    later = NOW + capturing.lease() + dt.timedelta(seconds=1)
    assert capturing.claim_next("alive", later).claimed_by == "alive"


# A store that fails leaves no half-written capture --------------------------------------------


class FailingMidWrite:
    """A store that writes half the bytes, then breaks."""

    def __init__(self, real):
        self.real = real

    def __getattr__(self, name):
        return getattr(self.real, name)

    def save(self, name, content):
        data = content.read()
        self.real.save(name, io.BytesIO(data[: len(data) // 2]))
        raise OSError("connection reset while uploading")


class GarblingStore(FailingMidWrite):
    def save(self, name, content):
        from django.core.files.base import ContentFile

        return self.real.save(name, ContentFile(content.read()[:-1] + b"!"))


@pytest.mark.parametrize(
    ("store", "reason"),
    [(FailingMidWrite, "could not write"), (GarblingStore, "kept different bytes")],
)
def test_a_store_that_fails_mid_write_leaves_no_half_written_capture(
    db, site, monkeypatch, store, reason
):
    real = storage.evidence_storage()
    monkeypatch.setattr(storage, "evidence_storage", lambda: store(real))
    source = SourceFactory(url=site.url("/statement"))

    capture = capture_now(source)

    assert capture.state == "pending" and reason in capture.failure_reason
    assert capture.body_name == "" and capture.sha256 == ""
    name = storage.content_name("captures", hashlib.sha256(PAGE).hexdigest())
    assert not real.exists(name)


# The worker ------------------------------------------------------------------------------


def test_archive_sources_backfills_and_captures(db, site):
    SourceFactory(url=site.url("/statement"))
    SourceFactory(url=site.url("/missing"))
    out = io.StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("archive_sources", stdout=out)

    assert "2 queued, 1 captured, 1 to try again" in out.getvalue()
    assert "HTTP 404" in out.getvalue()
