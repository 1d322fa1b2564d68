"""Recording, verifying and publishing compliance events from the admin."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    SourceFactory,
)
from tracker.models import ComplianceEvent, DeliveredQuantity

UTC = dt.UTC


@pytest.fixture
def exchange(db):
    return CommitmentFactory(
        title="1,000-for-1,000 exchange", shape="deliverable", category="prisoners"
    )


@pytest.fixture
def russia(db):
    return PartyFactory(name="Russia", slug="russia")


@pytest.fixture
def ukraine(db):
    return PartyFactory(name="Ukraine", slug="ukraine")


def event_form(commitment, **changes):
    return {
        "commitment": commitment.pk,
        "kind": "delivery",
        "claimant": "",
        "accused": "",
        "in_response_to": "",
        "occurred_at_0": "2025-05-23",
        "occurred_at_1": "12:00",
        "occurred_until_0": "",
        "occurred_until_1": "",
        "precision": "day",
        "location_en": "Belarus–Ukraine border",
        "region": "",
        "summary_en": "First tranche: 390 for 390.",
        "count": "",
        "recorded_at_0": "2025-05-23",
        "recorded_at_1": "18:00",
        "internal_note": "",
        "reason": "Both defence ministries confirmed the tranche",
        "quantities-TOTAL_FORMS": "0",
        "quantities-INITIAL_FORMS": "0",
    } | changes


def test_an_event_recorded_in_the_admin_starts_unverified_and_unpublished(
    client, editor, exchange, ukraine, russia
):
    source = SourceFactory()
    client.force_login(editor)
    data = event_form(exchange, sources=[source.pk])
    data |= {
        "quantities-TOTAL_FORMS": "2",
        "quantities-0-received_by": ukraine.pk,
        "quantities-0-quantity": "390",
        "quantities-0-unit_en": "people",
        "quantities-1-received_by": russia.pk,
        "quantities-1-quantity": "390",
        "quantities-1-unit_en": "people",
    }
    response = client.post(reverse("admin:tracker_complianceevent_add"), data)
    assert response.status_code == 302
    event = ComplianceEvent.objects.get()
    assert event.verification == "unverified"
    assert not event.is_published
    assert event.recorded_by == editor
    assert list(event.sources.all()) == [source]
    assert sorted(event.quantities.values_list("received_by__name", "quantity")) == [
        ("Russia", 390),
        ("Ukraine", 390),
    ]
    record = event.history.earliest()
    assert record.history_user == editor
    assert record.history_change_reason == "Both defence ministries confirmed the tranche"
    quantity_record = DeliveredQuantity.history.first()
    assert quantity_record.history_change_reason == "Both defence ministries confirmed the tranche"


def test_the_add_page_opened_from_a_commitment_starts_with_that_commitment(
    client, editor, exchange
):
    client.force_login(editor)
    commitment_page = client.get(reverse("admin:tracker_commitment_change", args=[exchange.pk]))
    add_url = reverse("admin:tracker_complianceevent_add") + f"?commitment={exchange.pk}"
    assert add_url in commitment_page.text
    response = client.get(add_url)
    assert response.context["adminform"].form.initial["commitment"] == str(exchange.pk)


def test_verification_and_publication_cannot_be_typed_into_the_event_form(client, editor, exchange):
    event = ComplianceEventFactory(commitment=exchange, is_published=False)
    client.force_login(editor)
    data = event_form(exchange, verification="verified", is_published="on", summary_en="Edited")
    response = client.post(reverse("admin:tracker_complianceevent_change", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.summary == "Edited"
    assert event.verification == "unverified"
    assert not event.is_published


BAD_EVENTS = {
    "negative count": ({"count": "-120"}, "Ensure this value is greater than or equal to 0."),
    "period ending before it starts": (
        {"occurred_until_0": "2025-05-22", "occurred_until_1": "00:00"},
        "The period must end after it starts.",
    ),
}


@pytest.mark.parametrize("changes, message", BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_a_bad_event_is_refused_with_a_clear_message(client, editor, exchange, changes, message):
    client.force_login(editor)
    response = client.post(
        reverse("admin:tracker_complianceevent_add"), event_form(exchange, **changes)
    )
    assert response.status_code == 200
    assert message in response.text
    assert not ComplianceEvent.objects.exists()
    assert not ComplianceEvent.history.exists()


def test_a_party_accusing_itself_is_refused(client, editor, exchange, russia):
    client.force_login(editor)
    data = event_form(exchange, kind="alleged_violation", claimant=russia.pk, accused=russia.pk)
    response = client.post(reverse("admin:tracker_complianceevent_add"), data)
    assert "A party cannot accuse itself." in response.text
    assert not ComplianceEvent.objects.exists()


def test_a_bad_quantity_row_saves_nothing_of_the_event(client, editor, exchange, ukraine):
    client.force_login(editor)
    data = event_form(exchange)
    data |= {
        "quantities-TOTAL_FORMS": "1",
        "quantities-0-received_by": ukraine.pk,
        "quantities-0-quantity": "-5",
        "quantities-0-unit_en": "people",
    }
    response = client.post(reverse("admin:tracker_complianceevent_add"), data)
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in response.text
    assert not ComplianceEvent.objects.exists()
    assert not DeliveredQuantity.objects.exists()


# Verifying --------------------------------------------------------------------------


def test_a_reviewer_verifies_an_event_with_a_reason(client, reviewer, exchange):
    event = ComplianceEventFactory(commitment=exchange)
    client.force_login(reviewer)
    url = reverse("admin:tracker_complianceevent_verify", args=[event.pk])
    form_page = client.get(url)
    offered = dict(form_page.context["form"].fields["verification"].choices)
    assert "unverified" not in offered and "verified" in offered
    response = client.post(url, {"verification": "verified", "reason": "ICRC confirmed it"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.verification == "verified"
    assert event.verified_by == reviewer
    record = event.history.order_by("history_id").last()
    assert record.history_user == reviewer
    assert record.history_change_reason == "ICRC confirmed it"
    history = client.get(reverse("admin:tracker_complianceevent_history", args=[event.pk]))
    assert "ICRC confirmed it" in history.text
    assert "<strong>Verification:</strong>" in history.text


# Publishing -------------------------------------------------------------------------


def publish_url(event):
    return reverse("admin:tracker_complianceevent_publish", args=[event.pk])


def test_a_reviewer_publishes_an_event(client, reviewer, exchange):
    event = ComplianceEventFactory(commitment=exchange, is_published=False)
    client.force_login(reviewer)
    page = client.get(reverse("admin:tracker_complianceevent_change", args=[event.pk]))
    assert publish_url(event) in page.text
    response = client.post(publish_url(event), {"publish": "1", "reason": "Sources checked"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_published
    assert event.history.order_by("history_id").last().history_change_reason == "Sources checked"


def test_an_event_on_an_unpublished_commitment_cannot_be_made_public(client, reviewer, db):
    draft = CommitmentFactory(is_published=False)
    event = ComplianceEventFactory(commitment=draft, is_published=False)
    client.force_login(reviewer)
    response = client.post(publish_url(event), {"publish": "1", "reason": "Sources checked"})
    assert response.status_code == 200
    assert "Publish the commitment first" in response.text
    event.refresh_from_db()
    assert not event.is_published


def test_a_reviewer_unpublishes_an_event(client, reviewer, exchange):
    event = ComplianceEventFactory(commitment=exchange, is_published=True)
    client.force_login(reviewer)
    form_page = client.get(publish_url(event))
    assert 'value="Unpublish"' in form_page.text
    response = client.post(publish_url(event), {"publish": "0", "reason": "Source withdrawn"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert not event.is_published


def test_the_region_is_chosen_from_the_list_named_in_the_staff_users_language(
    client, editor, exchange
):
    client.force_login(editor)

    english = client.get(reverse("admin:tracker_complianceevent_add")).content.decode()
    ukrainian = client.get(
        reverse("admin:tracker_complianceevent_add"), HTTP_ACCEPT_LANGUAGE="uk"
    ).content.decode()

    assert '<select name="region" class="region-select"' in english
    assert '<option value="UA-59">Sumy Oblast (UA-59)</option>' in english
    assert '<option value="UA-59">Сумська область (UA-59)</option>' in ukrainian
    assert "tracker/admin/region-select.js" in english


def test_a_region_chosen_in_the_admin_is_recorded(client, editor, exchange):
    client.force_login(editor)

    response = client.post(
        reverse("admin:tracker_complianceevent_add"), event_form(exchange, region="UA-65")
    )

    assert response.status_code == 302
    assert ComplianceEvent.objects.get().region == "UA-65"


def test_an_unknown_region_code_in_the_admin_is_a_clear_error(client, editor, exchange):
    client.force_login(editor)

    response = client.post(
        reverse("admin:tracker_complianceevent_add"), event_form(exchange, region="XX-99")
    )

    assert response.status_code == 200
    assert "Unknown region code “XX-99”" in response.content.decode()
    assert not ComplianceEvent.objects.exists()


def test_a_commitments_regions_are_chosen_from_the_list(client, reviewer, exchange):
    client.force_login(reviewer)
    url = reverse("admin:tracker_commitment_change", args=[exchange.pk])
    page = client.get(url).content.decode()
    form = client.get(url).context["adminform"].form

    assert '<select name="regions" class="region-select"' in page
    assert "multiple" in page[page.index('<select name="regions"') :][:120]
    assert form.fields["regions"].clean(["UA-59", "RU-KRS"]) == ["UA-59", "RU-KRS"]
    with pytest.raises(ValidationError) as refused:
        form.fields["regions"].clean(["UA-59", "XX-99"])
    assert "Unknown region code “XX-99”" in refused.value.messages[0]


def test_the_admin_refuses_a_claim_that_answers_itself(client, editor, exchange):
    event = ComplianceEventFactory(commitment=exchange, kind="delivery")
    client.force_login(editor)

    response = client.post(
        reverse("admin:tracker_complianceevent_change", args=[event.pk]),
        event_form(exchange, in_response_to=event.pk),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["in_response_to"] == [
        "A claim cannot answer itself."
    ]
    assert ComplianceEvent.objects.get(pk=event.pk).in_response_to is None
