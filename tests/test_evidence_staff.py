"""Staff and the evidence: who may share a copy, the copies and one WARC file per source."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from warcio.archiveiterator import ArchiveIterator

from tests.evidence_support import PAGE, Site
from tests.factories import SourceFactory
from tracker import services
from tracker.evidence import capturing, sharing
from tracker.evidence.models import Link

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
    settings.SOURCES_CAPTURE_TIMEOUT = 2


@pytest.fixture
def captured_twice(db):
    """A source captured, then captured again after its page changed."""
    with Site() as site:
        source = SourceFactory(url=site.url("/statement"), title="Readout")
        capturing.queue_captures([source.pk], NOW)
        first = capturing.capture(capturing.claim_next("w", NOW), NOW)
        site.pages["/statement"] = (200, PAGE + b"<p>Amended.</p>")
        from tracker.evidence import watching

        watching.check(Link.objects.get(source=source), NOW + dt.timedelta(days=7))
    return source, first


def test_only_a_reviewer_makes_a_sources_copy_public(editor, reviewer):
    source = SourceFactory()
    link = Link.objects.create(source=source)

    with pytest.raises(services.NotPermitted):
        sharing.set_shareable(link, True, actor=editor, reason="Publisher allows it")
    link = sharing.set_shareable(link, True, actor=reviewer, reason="Publisher allows it")

    assert link.shareable and link.shareable_changed_by == reviewer
    assert link.history.first().history_change_reason == "Publisher allows it"


def test_sharing_needs_a_reason(reviewer):
    link = Link.objects.create(source=SourceFactory())

    with pytest.raises(services.MissingReason):
        sharing.set_shareable(link, True, actor=reviewer, reason=" ")


def test_staff_download_a_sources_captures_as_one_warc_file(client, editor, captured_twice):
    source, _ = captured_twice
    client.force_login(editor)

    response = client.get(reverse("admin:evidence_source_warc", args=[source.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.warc.gz"')
    records = [
        (record.rec_type, record.content_stream().read())
        for record in ArchiveIterator(io.BytesIO(b"".join(response.streaming_content)))
    ]
    assert [kind for kind, _ in records] == [
        "warcinfo",
        "response",
        "request",
        "response",
        "request",
    ]
    assert [body for kind, body in records if kind == "response"] == [
        PAGE,
        PAGE + b"<p>Amended.</p>",
    ]


def test_staff_always_see_the_copy_shareable_or_not(client, editor, captured_twice):
    _, first = captured_twice
    client.force_login(editor)

    response = client.get(reverse("admin:evidence_capture_copy", args=[first.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PAGE
    assert response["Content-Disposition"].startswith("attachment")


def test_staff_in_no_role_see_no_copy(client, outsider, captured_twice):
    _, first = captured_twice
    client.force_login(outsider)

    assert client.get(reverse("admin:evidence_capture_copy", args=[first.pk])).status_code == 403


def test_the_admin_lists_captures_with_their_reasons(client, reviewer, captured_twice):
    source, _ = captured_twice
    client.force_login(reviewer)

    page = client.get(reverse("admin:evidence_capture_changelist")).content.decode()

    assert source.url in page and "WARC of the source" in page
