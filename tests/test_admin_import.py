"""Importing claims from the admin: upload, a preview of every row, then confirm."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import CommitmentFactory, ComplianceEventFactory, PartyFactory, UserFactory
from tests.intake_support import claim_row, claims_csv
from tracker.models import ComplianceEvent, Party

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
IMPORT_URL = reverse("admin:tracker_complianceevent_import")
CONFIRM_URL = reverse("admin:tracker_complianceevent_process_import")
CHANGELIST_URL = reverse("admin:tracker_complianceevent_changelist")


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pause(db):
    PartyFactory(slug="russia", name="Russia")
    PartyFactory(slug="ukraine", name="Ukraine")
    return CommitmentFactory(slug="energy-pause", title="Energy pause")


def upload(client, data: bytes, name="claims.csv", file_format="0"):
    return client.post(
        IMPORT_URL,
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, data)},
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(CONFIRM_URL, {name: form[name].value() for name in form.fields})


def test_an_editor_previews_every_row_then_confirms_and_the_claims_are_recorded(
    client, editor, pause
):
    earlier = ComplianceEventFactory(
        commitment=pause,
        claimant=Party.objects.get(slug="ukraine"),
        accused=Party.objects.get(slug="russia"),
        occurred_at=dt.datetime(2025, 4, 2, 5, tzinfo=UTC),
        summary="Drone strike on a substation in Kharkiv region",
    )
    client.force_login(editor)
    data = claims_csv(
        claim_row(summary="Drone strike on substation, Kharkiv region"),
        claim_row(
            summary="Shelling cut power in Nikopol",
            source_urls="",
            occurred_at="2025-04-03T08:00:00Z",
        ),
        claim_row(id=str(earlier.pk)),
    )

    preview = upload(client, data)
    page = preview.content.decode()

    assert preview.status_code == 200
    assert ComplianceEvent.objects.count() == 1, "a preview writes nothing"
    assert "3 rows: 2 new (1 possible duplicate), 1 already there, 0 refused" in page
    original_url = f"/admin/tracker/complianceevent/{earlier.pk}/change/"
    assert f'possible duplicate</strong> of <a href="{original_url}">' in page
    assert f'Already there: <a href="/admin/tracker/complianceevent/{earlier.pk}/change/">' in page
    assert "Confirm import" in page

    done = confirm(client, preview)

    assert done.status_code == 302
    imported = ComplianceEvent.objects.exclude(pk=earlier.pk).order_by("pk")
    assert [e.summary for e in imported] == [
        "Drone strike on substation, Kharkiv region",
        "Shelling cut power in Nikopol",
    ]
    assert imported[0].possible_duplicate_of == earlier
    for event in imported:
        assert (event.recorded_by, event.is_published, event.verification) == (
            editor,
            False,
            "unverified",
        )
        assert event.history.first().history_change_reason == "Imported from claims.csv"
    listed = client.get(CHANGELIST_URL + "?possible_duplicate=yes").content.decode()
    assert (
        f'<a href="/admin/tracker/complianceevent/{earlier.pk}/change/">claim {earlier.pk}</a>'
        in listed
    )


def test_a_refused_row_is_named_with_its_line_and_column_and_no_confirm_is_offered(
    client, reviewer, pause
):
    client.force_login(reviewer)
    data = claims_csv(claim_row(), claim_row(count="-3", commitment="no-such-pause"))

    preview = upload(client, data)
    page = preview.content.decode()

    assert "Some rows are refused; nothing was written" in page
    assert "commitment: There is no commitment “no-such-pause”." in page
    assert "count: A count cannot be below zero." in page
    assert "line 3" in page
    assert "Confirm import" not in page
    assert not ComplianceEvent.objects.exists()


def test_a_file_that_cannot_be_read_is_refused_with_the_reason(client, editor, pause):
    client.force_login(editor)

    preview = upload(client, claims_csv(claim_row(summary="Frappe à Kharkiv"), encoding="cp1252"))

    page = preview.content.decode()
    assert "The file cannot be imported" in page
    assert "Line 2 is not UTF-8 text" in page


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, editor, pause, settings):
    client.force_login(editor)
    fifty_megabytes = claims_csv(claim_row()) + b"x" * (50 * 2**20)

    response = upload(client, fifty_megabytes)

    page = response.content.decode()
    assert "This file is 50.0 MB; the admin takes files up to 1.0 MB." in page
    assert "manage.py import_events" in page
    assert not ComplianceEvent.objects.exists()


def test_a_file_changed_since_the_preview_writes_nothing_and_says_why(client, editor, pause):
    client.force_login(editor)
    preview = upload(client, claims_csv(claim_row()))
    pause.slug = "renamed-pause"
    pause.save()

    response = confirm(client, preview)

    assert response.status_code == 200
    assert "There is no commitment “energy-pause”." in response.content.decode()
    assert not ComplianceEvent.objects.exists()


def test_a_user_in_neither_role_cannot_import(client, outsider, pause):
    outsider.user_permissions.add(*Permission.objects.filter(codename="view_complianceevent"))
    client.force_login(outsider)

    assert "import_link" not in client.get(CHANGELIST_URL).content.decode()
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, claims_csv(claim_row())).status_code == 403
    assert client.post(CONFIRM_URL, {}).status_code == 403
    assert not ComplianceEvent.objects.exists()


def test_editors_and_reviewers_find_the_import_button_on_the_events_list(client, pause):
    for role in ("Editors", "Reviewers"):
        client.force_login(UserFactory(username=f"someone-{role}", role=role))
        assert 'class="import_link"' in client.get(CHANGELIST_URL).content.decode()
