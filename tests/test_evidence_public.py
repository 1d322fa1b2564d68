"""What readers see of a cited source's copies: date and hash always, the copy only if shareable."""

import datetime as dt
import hashlib
import io
import re

import pytest
import time_machine
from django.urls import reverse

from tests.factories import CommitmentFactory, ComplianceEventFactory, SourceFactory
from tracker.evidence import storage
from tracker.evidence.models import Capture, Link

UTC = dt.UTC
PAGE = b"<!doctype html><p>The pause holds.</p><script>alert(1)</script>"
SHA = hashlib.sha256(PAGE).hexdigest()
CAPTURED = dt.datetime(2025, 3, 19, 10, tzinfo=UTC)
GONE = dt.datetime(2026, 5, 3, 8, tzinfo=UTC)


@pytest.fixture(autouse=True)
def evidence_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence"},
        },
    }


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        yield


def kept_copy(source, body=PAGE, **fields) -> Capture:
    name, sha = storage.write_verified(storage.content_name("captures", SHA), body)
    capture = Capture.objects.create(
        source=source,
        url=source.url,
        state="captured",
        final_url=source.url,
        http_status=200,
        content_type="text/html; charset=utf-8",
        size=len(body),
        sha256=sha,
        captured_at=CAPTURED,
        body_name=name,
        **fields,
    )
    Link.objects.update_or_create(
        source=source, defaults={"status": "live", "status_since": CAPTURED}
    )
    return capture


@pytest.fixture
def cited(db):
    """A public claim citing a captured source, and the capture."""
    commitment = CommitmentFactory(slug="energy-pause")
    source = SourceFactory(url="https://mod.example.org/statement", title="Statement")
    event = ComplianceEventFactory(commitment=commitment, summary="Strike on a substation")
    event.sources.add(source)
    return source, kept_copy(source)


def page(client, language="en", slug="energy-pause") -> str:
    response = client.get(reverse("commitment", args=[slug]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def gone(source, since=GONE):
    Link.objects.filter(source=source).update(status="gone", status_since=since)


def test_a_captured_source_shows_the_date_and_hash_of_its_copy(client, cited):
    assert f"Archived copy of 19 March 2025, SHA-256 {SHA}" in page(client)


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", f"Original gone since 3 May 2026; archived copy of 19 March 2025, SHA-256 {SHA}"),
        (
            "uk",
            f"Оригіналу немає з 3 травня 2026; архівна копія від 19 березня 2025, SHA-256 {SHA}",
        ),
        ("ru", f"Оригинала нет с 3 мая 2026; архивная копия от 19 марта 2025, SHA-256 {SHA}"),
    ],
)
def test_a_source_gone_says_since_when_in_the_readers_language(client, cited, language, sentence):
    source, _ = cited
    gone(source)

    assert sentence in page(client, language)


def test_a_changed_source_says_since_when(client, cited):
    source, _ = cited
    Link.objects.filter(source=source).update(status="changed", status_since=GONE)

    assert "Original changed since 3 May 2026; archived copy of 19 March 2025" in page(client)


def test_the_copy_itself_is_not_public_unless_the_source_is_shareable(client, cited):
    source, capture = cited
    address = reverse("source_copy", args=[source.pk, capture.pk])

    assert address not in client.get(reverse("commitment", args=["energy-pause"])).content.decode()
    assert client.get(address).status_code == 404


def test_a_shareable_copy_is_linked_and_served_inert(client, cited):
    source, capture = cited
    Link.objects.filter(source=source).update(shareable=True)
    address = reverse("source_copy", args=[source.pk, capture.pk])

    assert (
        f'href="{address}"'
        in client.get(reverse("commitment", args=["energy-pause"])).content.decode()
    )
    response = client.get(address)
    assert response.status_code == 200 and response.content == PAGE
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response


def test_a_shareable_copy_of_a_source_no_public_record_cites_is_not_served(client, db):
    source = SourceFactory(url="https://mod.example.org/draft")
    ComplianceEventFactory(is_published=False).sources.add(source)
    capture = kept_copy(source)
    Link.objects.filter(source=source).update(shareable=True)

    assert client.get(reverse("source_copy", args=[source.pk, capture.pk])).status_code == 404


def test_failed_tries_and_their_reasons_are_never_public(client, cited):
    source, _ = cited
    other = SourceFactory(url="https://mod.example.org/other")
    ComplianceEventFactory(commitment=cited[0].events.get().commitment).sources.add(other)
    Capture.objects.create(source=other, url=other.url, state="failed", failure_reason="SECRET-X")

    text = page(client)
    api = client.get(reverse("api_events")).content.decode()

    assert "SECRET-X" not in text and "SECRET-X" not in api
    assert text.count("SHA-256") == 1


def test_the_api_gives_each_sources_captures_and_link_status(client, cited):
    source, _ = cited
    gone(source)

    events = client.get(reverse("api_events")).json()["results"]

    cited_source = events[0]["sources"][0]
    assert cited_source["link_status"] == "gone"
    assert cited_source["link_status_since"] == "2026-05-03T08:00:00Z"
    assert cited_source["captures"] == [
        {
            "sha256": SHA,
            "captured_at": "2025-03-19T10:00:00Z",
            "status": 200,
            "content_type": "text/html; charset=utf-8",
            "size": len(PAGE),
            "made_from_file": False,
        }
    ]


def test_a_source_not_captured_yet_is_unchecked_with_no_captures(client, db):
    event = ComplianceEventFactory()
    event.sources.add(SourceFactory(url="https://mod.example.org/new"))

    cited_source = client.get(reverse("api_events")).json()["results"][0]["sources"][0]

    assert (cited_source["captures"], cited_source["link_status"]) == ([], "unchecked")


def test_the_demo_ships_captures_made_from_files_and_says_so(client, db):
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # again: nothing more is made

    demo = Capture.objects.exclude(made_from="")
    assert demo.count() == 3
    assert all(storage.read(c.body_name).startswith(b"<!doctype html>") for c in demo)
    text = page(client, slug="energy-strike-pause")
    assert "Original gone since 3 May 2026; archived copy of 25 March 2025" in text
    assert "(a demonstration copy made from a file, not fetched from the address)" in text
    assert "демонстраційна копія" in page(client, "uk", slug="energy-strike-pause")
