"""sources.csv: each public source's link status and the copies kept of it, row by row."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    ReadingFactory,
    SourceFactory,
)
from tests.opendata_support import FIRST_COPY, NEWER_COPY, keep_copies
from tracker.evidence.models import Capture

UTC = dt.UTC


def rows(client, query: str = "") -> list[dict]:
    response = client.get(reverse("sources_csv") + query)
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def claim(db):
    commitment = CommitmentFactory(slug="energy-pause")
    return ComplianceEventFactory(commitment=commitment, summary="Strike on a substation")


def test_a_changed_source_gives_its_newest_copy_and_the_first(client, claim):
    source = SourceFactory(
        url="https://mod.example.org/statement",
        title="Statement",
        title_uk="Заява",
        publisher="Ministry of Defence",
        language="uk",
        published_on=dt.date(2025, 3, 18),
    )
    claim.sources.add(source)
    keep_copies(source)

    [row] = rows(client)

    assert row == {
        "id": str(source.pk),
        "url": "https://mod.example.org/statement",
        "title": "Statement",
        "publisher": "Ministry of Defence",
        "language": "uk",
        "published_on": "2025-03-18",
        "link_status": "changed",
        "link_status_since": "2025-04-02T06:00:00Z",
        "captures": "2",
        "captured_at": "2025-04-02T06:00:00Z",
        "sha256": NEWER_COPY,
        "http_status": "200",
        "content_type": "text/html; charset=utf-8",
        "made_from_file": "false",
        "first_captured_at": "2025-03-19T10:00:00Z",
        "first_sha256": FIRST_COPY,
        "title_uk": "Заява",
        "title_ru": "",
    }


def test_a_source_with_no_copy_yet_is_unchecked_and_its_copy_cells_are_empty(client, claim):
    source = SourceFactory(url="https://mod.example.org/new")
    claim.sources.add(source)
    # A failed try is no copy, and its reason is for staff only.
    Capture.objects.create(source=source, url=source.url, state="failed", failure_reason="SECRET")

    response = client.get(reverse("sources_csv"))
    text = b"".join(response.streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(text)))

    assert "SECRET" not in text
    assert (row["link_status"], row["captures"], row["link_status_since"]) == ("unchecked", "0", "")
    assert [row[c] for c in ("captured_at", "sha256", "http_status", "made_from_file")] == [""] * 4


def test_only_sources_a_public_record_cites_are_in_the_file(client, claim):
    cited = SourceFactory(url="https://example.org/cited")
    claim.sources.add(cited)
    draft = ComplianceEventFactory(commitment=claim.commitment, is_published=False)
    draft.sources.add(SourceFactory(url="https://example.org/cited-by-a-draft"))
    hidden = CommitmentFactory(slug="hidden", is_published=False)
    ReadingFactory(commitment=hidden).sources.add(SourceFactory(url="https://example.org/hidden"))
    SourceFactory(url="https://example.org/cited-by-nothing")

    assert [row["url"] for row in rows(client)] == ["https://example.org/cited"]


def test_the_file_is_filtered_by_link_status(client, claim):
    changed, fresh = SourceFactory(), SourceFactory()
    claim.sources.add(changed, fresh)
    keep_copies(changed)

    assert [r["id"] for r in rows(client, "?link_status=changed")] == [str(changed.pk)]
    assert [r["id"] for r in rows(client, "?link_status=unchecked")] == [str(fresh.pk)]
    assert rows(client, "?link_status=gone") == []


def test_a_link_status_that_is_not_one_says_so(client, claim):
    response = client.get(reverse("sources_csv") + "?link_status=dead")

    assert response.status_code == 400
    assert "link_status" in response.json()


def test_the_file_reads_in_the_same_queries_whatever_the_number_of_sources(
    client, claim, django_assert_num_queries
):
    for _ in range(3):
        source = SourceFactory()
        claim.sources.add(source)
        keep_copies(source)

    with django_assert_num_queries(2):
        assert len(rows(client)) == 3


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["sources.csv", "Link status", "SHA-256 of the newest copy"]),
        ("uk", ["sources.csv", "Стан посилання", "SHA-256 найновішої копії"]),
        ("ru", ["sources.csv", "Состояние ссылки", "SHA-256 новейшей копии"]),
    ],
)
def test_the_data_page_documents_the_file_in_the_readers_language(client, db, language, words):
    response = client.get(reverse("open_data"), HTTP_ACCEPT_LANGUAGE=language)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))

    for word in words:
        assert word in text, word
