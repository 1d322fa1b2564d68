"""Editors record and edit; Reviewers also verify, publish and correct. The
admin hides what a role cannot do, and the services refuse it anyway when a
page is posted directly."""

import pytest
from django.urls import reverse

from tests.factories import AgreementFactory, CommitmentFactory, ComplianceEventFactory
from tracker.models import Agreement, Commitment, ComplianceEvent, StatusChange


@pytest.fixture
def event(db):
    return ComplianceEventFactory(is_published=False)


def verify_url(event):
    return reverse("admin:tracker_complianceevent_verify", args=[event.pk])


def event_page(event):
    return reverse("admin:tracker_complianceevent_change", args=[event.pk])


def test_an_editor_sees_no_verify_or_publish_button(client, editor, event):
    client.force_login(editor)
    page = client.get(event_page(event)).text
    assert verify_url(event) not in page
    assert reverse("admin:tracker_complianceevent_publish", args=[event.pk]) not in page


def test_a_reviewer_sees_the_verify_and_publish_buttons(client, reviewer, event):
    client.force_login(reviewer)
    page = client.get(event_page(event)).text
    assert verify_url(event) in page
    assert reverse("admin:tracker_complianceevent_publish", args=[event.pk]) in page


def test_an_editor_posting_the_verify_form_is_refused_and_nothing_changes(client, editor, event):
    client.force_login(editor)
    response = client.post(verify_url(event), {"verification": "verified", "reason": "Sure"})
    assert response.status_code == 200
    assert "You are not allowed to verify events." in response.text
    event.refresh_from_db()
    assert event.verification == "unverified"
    assert event.verified_by is None
    assert event.history.count() == 1  # only its creation


@pytest.mark.parametrize("model", [Agreement, Commitment, ComplianceEvent])
def test_an_editor_posting_the_publish_form_is_refused(client, editor, model):
    agreement = AgreementFactory(is_published=False)
    records = {
        Agreement: agreement,
        Commitment: CommitmentFactory(agreement=agreement, is_published=False),
        ComplianceEvent: ComplianceEventFactory(is_published=False),
    }
    record = records[model]
    client.force_login(editor)
    url = reverse(f"admin:tracker_{model._meta.model_name}_publish", args=[record.pk])
    response = client.post(url, {"publish": "1", "reason": "Ready"})
    assert "You are not allowed to publish or unpublish records." in response.text
    record.refresh_from_db()
    assert not record.is_published


def test_an_editor_is_not_offered_corrections_and_cannot_post_one(client, editor, db):
    fulfilled = CommitmentFactory(shape="deliverable", status="fulfilled")
    client.force_login(editor)
    url = reverse("admin:tracker_commitment_status", args=[fulfilled.pk])
    assert "This corrects a wrong record" not in client.get(url).text
    response = client.post(url, {"to_status": "in_force", "correction": "on", "reason": "Oops"})
    assert response.status_code == 200
    assert Commitment.objects.get(pk=fulfilled.pk).status == "fulfilled"
    assert not StatusChange.objects.exists()


def test_an_editor_can_change_a_drafts_status(client, editor, db):
    commitment = CommitmentFactory(status="announced", is_published=False)
    client.force_login(editor)
    url = reverse("admin:tracker_commitment_status", args=[commitment.pk])
    response = client.post(url, {"to_status": "in_force", "reason": "Both sides confirmed"})
    assert response.status_code == 302
    assert StatusChange.objects.get().user == editor


def test_an_editor_is_not_offered_a_published_commitments_status_and_cannot_post_one(
    client, editor, db
):
    commitment = CommitmentFactory(status="in_force")
    client.force_login(editor)
    url = reverse("admin:tracker_commitment_status", args=[commitment.pk])
    change_page = client.get(reverse("admin:tracker_commitment_change", args=[commitment.pk]))
    assert url not in change_page.text
    response = client.post(url, {"to_status": "collapsed", "reason": "Repudiated"})
    assert response.status_code == 200
    assert "changes only by a reviewer" in response.text
    assert not StatusChange.objects.exists()
    commitment.refresh_from_db()
    assert commitment.status == "in_force"


def test_staff_in_neither_role_cannot_open_the_records(client, outsider, event):
    client.force_login(outsider)
    assert client.get(reverse("admin:tracker_complianceevent_changelist")).status_code == 403
    assert client.get(event_page(event)).status_code == 403
    assert client.get(verify_url(event)).status_code == 403


def test_nobody_but_superusers_deletes_records(client, reviewer, event):
    client.force_login(reviewer)
    response = client.post(reverse("admin:tracker_complianceevent_delete", args=[event.pk]))
    assert response.status_code == 403
    assert ComplianceEvent.objects.filter(pk=event.pk).exists()
