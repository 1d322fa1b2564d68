"""The staff admin's pages: every list, add and change page opens with data in
it, records save through the services with a reason, the history says what
changed, by whom and why, and bad input is refused with nothing saved."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker import services
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Revision,
    Source,
    StatusChange,
)
from tracker.models.validators import REASON_NEEDED

UTC = dt.UTC
RECORD_MODELS = [
    Party,
    Source,
    Agreement,
    Commitment,
    CommitmentParty,
    Reading,
    ComplianceEvent,
    DeliveredQuantity,
]
ALL_MODELS = [*RECORD_MODELS, StatusChange]


@pytest.fixture
def energy_pause(db):
    """A small record of the March 2025 energy pause, one of everything."""
    russia = PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")
    source = SourceFactory(url="https://kyivindependent.com/trump-putin-call/")
    agreement = AgreementFactory(title="US–Russia phone call", slug="call-18-march")
    agreement.parties.set([russia, ukraine])
    agreement.sources.set([source])
    commitment = CommitmentFactory(
        agreement=agreement, title="Energy strike pause", slug="energy-pause"
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    ReadingFactory(commitment=commitment, label="Kremlin's count", read_by=russia)
    ReadingFactory(
        commitment=commitment,
        label="Ukraine's count",
        read_by=ukraine,
        is_working=False,
        starts_at=dt.datetime(2025, 3, 25, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 24, tzinfo=UTC),
    )
    event = ComplianceEventFactory(commitment=commitment, claimant=ukraine, accused=russia, count=3)
    DeliveredQuantity.objects.create(event=event, received_by=ukraine, quantity=0)
    StatusChange.objects.create(
        commitment=commitment,
        from_status="announced",
        to_status="in_force",
        effective_at=dt.datetime(2025, 3, 18, tzinfo=UTC),
        reason="Kremlin readout",
        actor="import",
    )
    return commitment


def admin_url(model, view, *args):
    return reverse(f"admin:tracker_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_list_page_opens_for_a_reviewer(client, reviewer, energy_pause, model):
    client.force_login(reviewer)
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m.__name__)
def test_every_add_page_opens_and_asks_for_a_reason(client, reviewer, energy_pause, model):
    client.force_login(reviewer)
    response = client.get(admin_url(model, "add"))
    assert response.status_code == 200
    assert "Reason for this change" in response.text


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_change_page_and_history_page_opens(client, reviewer, energy_pause, model):
    client.force_login(reviewer)
    obj = model.objects.first()
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_status_log_cannot_be_added_to_or_edited(client, reviewer, energy_pause):
    client.force_login(reviewer)
    change = StatusChange.objects.get()
    assert client.get(admin_url(StatusChange, "add")).status_code == 403
    response = client.post(admin_url(StatusChange, "change", change.pk), {"reason": "edited"})
    assert response.status_code == 403
    change.refresh_from_db()
    assert change.reason == "Kremlin readout"


def test_commitment_page_shows_roles_readings_and_recent_events(client, reviewer, energy_pause):
    client.force_login(reviewer)
    response = client.get(admin_url(Commitment, "change", energy_pause.pk))
    page = response.text
    assert "Kremlin&#x27;s count" in page and "Ukraine&#x27;s count" in page
    assert 'id="recent-events"' in page
    assert "Ukraine → Russia" in page
    assert "All 1 claim for this commitment" in page
    assert "2025-04-17 00:00 UTC" in page
    all_events = client.get(
        admin_url(ComplianceEvent, "changelist"), {"commitment__id__exact": energy_pause.pk}
    )
    assert all_events.context["cl"].result_count == 1
    assert response.context["inline_admin_formsets"][0].formset.initial_form_count() == 2


def test_commitment_list_shows_status_as_text_and_the_countdown(client, reviewer, energy_pause):
    client.force_login(reviewer)
    with time_machine.travel(dt.datetime(2025, 4, 14, 0, tzinfo=UTC), tick=False):
        response = client.get(admin_url(Commitment, "changelist"))
    assert "in force" in response.text
    assert "17 April 2025 · ends in 3 days" in response.text


def test_commitment_list_counts_down_as_the_public_pages_do(client, reviewer, db):
    exchange = CommitmentFactory(
        title="Exchange of prisoners",
        shape="deliverable",
        status="fulfilled",
        status_changed_at=dt.datetime(2025, 1, 4, tzinfo=UTC),
    )
    ReadingFactory(
        commitment=exchange,
        starts_at=None,
        ends_at=None,
        due_at=dt.datetime(2025, 1, 1, tzinfo=UTC),
    )
    client.force_login(reviewer)

    with time_machine.travel(dt.datetime(2025, 4, 4, tzinfo=UTC), tick=False):
        listing = client.get(admin_url(Commitment, "changelist")).text

    assert "1 January 2025 · fulfilled 4 January 2025" in listing
    assert "was due" not in listing


def test_staff_are_told_when_an_unpublished_working_reading_drives_nothing(
    client, reviewer, energy_pause
):
    client.force_login(reviewer)
    assert (
        'id="working-reading-notice"'
        not in client.get(admin_url(Commitment, "change", energy_pause.pk)).text
    )
    services.unpublish(energy_pause.working_reading(), actor=reviewer, reason="Checking the end")

    with time_machine.travel(dt.datetime(2025, 4, 14, 0, tzinfo=UTC), tick=False):
        page = client.get(admin_url(Commitment, "change", energy_pause.pk)).text
        listing = client.get(admin_url(Commitment, "changelist")).text

    assert 'id="working-reading-notice"' in page
    assert "is not published, so it drives nothing" in page
    assert "the clock will not expire it" in page
    assert "ends in 3 days (unpublished: drives nothing)" in listing


def test_event_list_shows_claimant_and_accused(client, reviewer, energy_pause):
    client.force_login(reviewer)
    response = client.get(admin_url(ComplianceEvent, "changelist"))
    assert '<td class="field-claimant nowrap">Ukraine</td>' in response.text or (
        '<td class="field-claimant">Ukraine</td>' in response.text
    )
    assert '<td class="field-accused">Russia</td>' in response.text or (
        '<td class="field-accused nowrap">Russia</td>' in response.text
    )


def test_commitment_list_filters_by_party(client, reviewer, energy_pause):
    other = CommitmentFactory(title="Black Sea navigation")
    client.force_login(reviewer)
    russia = Party.objects.get(slug="russia")
    response = client.get(admin_url(Commitment, "changelist"), {"parties__id__exact": russia.pk})
    assert list(response.context["cl"].result_list) == [energy_pause]
    assert other.title not in response.text


def test_party_autocomplete_finds_parties_by_name(client, reviewer, energy_pause):
    client.force_login(reviewer)
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "ukr", "app_label": "tracker", "model_name": "agreement", "field_name": "parties"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Ukraine"]


# Saving records ----------------------------------------------------------------------


def test_adding_a_party_records_the_user_and_the_reason(client, editor, db):
    client.force_login(editor)
    response = client.post(
        admin_url(Party, "add"),
        {
            "name_en": "Türkiye",
            "short_name_en": "",
            "slug": "turkiye",
            "kind": "state",
            "time_zone": "Europe/Istanbul",
            "reason": "Host of the Istanbul talks",
        },
    )
    assert response.status_code == 302
    record = Party.objects.get(slug="turkiye").history.get()
    assert record.history_user == editor
    assert record.history_change_reason == "Host of the Istanbul talks"


def test_a_save_without_a_reason_is_refused_and_changes_nothing(client, editor, energy_pause):
    client.force_login(editor)
    party = Party.objects.get(slug="russia")
    response = client.post(
        admin_url(Party, "change", party.pk),
        {"name_en": "Russian Federation", "slug": "russia", "kind": "state", "time_zone": "UTC"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reason"] == [REASON_NEEDED]
    party.refresh_from_db()
    assert party.name == "Russia"


def commitment_form(commitment, **changes):
    data = {
        "agreement": commitment.agreement_id,
        "title_en": commitment.title,
        "slug": commitment.slug,
        "category": commitment.category,
        "shape": commitment.shape,
        "renews": "",
        "terms_en": "No strikes on energy infrastructure.",
        "conditions_en": "",
        "promised_quantity": "",
        "internal_note": "",
        "reason": "Scope per the Kremlin's list of 25 March",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "readings-TOTAL_FORMS": "0",
        "readings-INITIAL_FORMS": "0",
    }
    roles = list(commitment.roles.all())
    data["roles-TOTAL_FORMS"] = data["roles-INITIAL_FORMS"] = str(len(roles))
    for i, role in enumerate(roles):
        data |= {
            f"roles-{i}-id": role.pk,
            f"roles-{i}-commitment": commitment.pk,
            f"roles-{i}-party": role.party_id,
            f"roles-{i}-role": role.role,
        }
    readings = list(commitment.readings.all())
    data["readings-TOTAL_FORMS"] = data["readings-INITIAL_FORMS"] = str(len(readings))
    for i, reading in enumerate(readings):
        data |= {f"readings-{i}-id": reading.pk, f"readings-{i}-commitment": commitment.pk}
    return data | changes


def test_editing_a_commitment_keeps_its_status_and_says_why(client, reviewer, energy_pause):
    client.force_login(reviewer)
    response = client.post(
        admin_url(Commitment, "change", energy_pause.pk),
        commitment_form(energy_pause, status="collapsed", is_published=""),
    )
    assert response.status_code == 302
    energy_pause.refresh_from_db()
    assert energy_pause.terms == "No strikes on energy infrastructure."
    assert energy_pause.status == "in_force"
    assert energy_pause.is_published
    latest = energy_pause.history.latest()
    assert latest.history_user == reviewer
    assert latest.history_change_reason == "Scope per the Kremlin's list of 25 March"


def test_a_role_added_inline_is_saved_with_the_page_reason(client, reviewer, energy_pause):
    usa = PartyFactory(name="United States", slug="usa")
    data = commitment_form(energy_pause)
    data |= {
        "roles-TOTAL_FORMS": "3",
        "roles-2-commitment": energy_pause.pk,
        "roles-2-party": usa.pk,
        "roles-2-role": "mediator",
    }
    client.force_login(reviewer)
    response = client.post(admin_url(Commitment, "change", energy_pause.pk), data)
    assert response.status_code == 302
    role = energy_pause.roles.get(party=usa)
    assert role.history.get().history_change_reason == "Scope per the Kremlin's list of 25 March"


def test_history_page_shows_what_changed_who_changed_it_and_why(client, reviewer, energy_pause):
    services.change_status(
        energy_pause, "suspended", actor=reviewer, reason="Both sides accuse each other"
    )
    client.force_login(reviewer)
    response = client.get(admin_url(Commitment, "history", energy_pause.pk))
    page = response.text
    assert "Both sides accuse each other" in page
    assert "reviewer" in page
    assert "<strong>Status:</strong>\n                    in force" in page
    assert "suspended" in page
    assert "Updated at" not in page


def test_reverting_from_the_history_page_is_refused(client, reviewer, energy_pause):
    party = Party.objects.get(slug="russia")
    services.save_record(party, actor=reviewer, reason="First recorded")
    party.name = "Russian Federation"
    services.save_record(party, actor=reviewer, reason="Official name")
    old = party.history.earliest()
    client.force_login(reviewer)
    url = reverse("admin:tracker_party_simple_history", args=[party.pk, old.history_id])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="Revert"' not in page.text
    response = client.post(
        url,
        {"name_en": "Russia", "slug": "russia", "kind": "state", "time_zone": "UTC", "reason": "x"},
    )
    assert response.status_code == 403
    party.refresh_from_db()
    assert party.name == "Russian Federation"


# Bad input ---------------------------------------------------------------------------


def reading_form(commitment, **changes):
    return {
        "commitment": commitment.pk,
        "label_en": "White House readout",
        "read_by": "",
        "wording": "",
        "scope_en": "",
        "time_zone": "Europe/Moscow",
        "precision": "day",
        "starts_at_0": "2025-03-18",
        "starts_at_1": "00:00",
        "duration_days": "",
        "ends_at_0": "",
        "ends_at_1": "",
        "due_at_0": "",
        "due_at_1": "",
        "reason": "White House readout of the call",
    } | changes


def test_a_reading_is_typed_in_its_own_time_zone_and_stored_in_utc(client, editor, energy_pause):
    client.force_login(editor)
    response = client.post(
        admin_url(Reading, "add"),
        reading_form(energy_pause, duration_days="30", wording="30 days from 18 March"),
    )
    assert response.status_code == 302
    reading = Reading.objects.get(label="White House readout")
    assert reading.starts_at == dt.datetime(2025, 3, 17, 21, tzinfo=UTC)
    assert reading.ends_at == dt.datetime(2025, 4, 16, 21, tzinfo=UTC)
    assert not reading.is_working
    change_page = client.get(admin_url(Reading, "change", reading.pk))
    assert 'value="2025-03-18"' in change_page.text
    assert "2025-04-16 21:00 UTC" in change_page.text


def test_the_first_working_reading_can_be_chosen_when_adding_it(client, editor, db):
    commitment = CommitmentFactory(is_published=False)
    client.force_login(editor)
    response = client.post(
        admin_url(Reading, "add"),
        reading_form(commitment, make_working="on", ends_at_0="2025-04-17", ends_at_1="00:00"),
    )
    assert response.status_code == 302
    assert commitment.working_reading().label == "White House readout"


BAD_READINGS = {
    "end before start": (
        {"ends_at_0": "2025-03-10", "ends_at_1": "00:00"},
        "The end must come after the start.",
    ),
    "unknown time zone": (
        {"time_zone": "Europe/Atlantis"},
        "“Europe/Atlantis” is not an IANA time zone name.",
    ),
    "negative duration": (
        {"duration_days": "-30"},
        "Ensure this value is greater than or equal to 0.",
    ),
    "zero duration": ({"duration_days": "0"}, "A duration must be at least one day."),
    "second working reading": (
        {"make_working": "on"},
        "already has a working reading: “Kremlin&#x27;s count”",
    ),
}


@pytest.mark.parametrize("changes, message", BAD_READINGS.values(), ids=BAD_READINGS.keys())
def test_a_bad_reading_is_refused_with_a_clear_message(
    client, editor, energy_pause, changes, message
):
    client.force_login(editor)
    response = client.post(admin_url(Reading, "add"), reading_form(energy_pause, **changes))
    assert response.status_code == 200
    assert message in response.text
    assert energy_pause.readings.count() == 2
    assert Reading.history.filter(label="White House readout").count() == 0


def test_a_party_with_an_unknown_time_zone_is_refused(client, editor, db):
    client.force_login(editor)
    response = client.post(
        admin_url(Party, "add"),
        {"name_en": "Atlantis", "slug": "atlantis", "kind": "state", "time_zone": "Mars/Olympus"},
    )
    assert "“Mars/Olympus” is not an IANA time zone name." in response.text
    assert not Party.objects.filter(slug="atlantis").exists()


def test_a_source_without_url_is_refused(client, editor, db):
    client.force_login(editor)
    response = client.post(
        admin_url(Source, "add"),
        {
            "url": "",
            "title_en": "Kremlin readout",
            "publisher": "Kremlin",
            "accessed_on": "2025-03-18",
            "reason": "Readout of the call",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == ["This field is required."]
    assert Source.objects.count() == 0
    assert Source.history.count() == 0


def test_a_save_the_services_refuse_is_shown_and_nothing_of_the_page_is_kept(
    client, reviewer, energy_pause, monkeypatch
):
    """The form passed, but the services refused the inline rows (a permission
    withdrawn meanwhile): the commitment's own edit is rolled back with them."""
    usa = PartyFactory(name="United States", slug="usa")

    def refuse_roles(*args, **kwargs):
        raise services.NotPermitted("You are not allowed to add party roles.")

    monkeypatch.setattr("tracker.services.editing._apply_rows", refuse_roles)
    data = commitment_form(energy_pause, title_en="Energy and infrastructure pause")
    data |= {
        "roles-TOTAL_FORMS": "3",
        "roles-2-commitment": energy_pause.pk,
        "roles-2-party": usa.pk,
        "roles-2-role": "mediator",
    }
    client.force_login(reviewer)
    response = client.post(admin_url(Commitment, "change", energy_pause.pk), data)
    assert response.status_code == 200
    assert "You are not allowed to add party roles." in response.text
    assert 'value="Energy and infrastructure pause"' in response.text
    energy_pause.refresh_from_db()
    assert energy_pause.title == "Energy strike pause"
    assert not energy_pause.roles.filter(party=usa).exists()
    assert energy_pause.history.count() == 1
    assert not Revision.objects.exists()


# Several at once ---------------------------------------------------------------------


def bulk(action, records, **data):
    return {"action": action, "_selected_action": [r.pk for r in records]} | data


def test_a_reviewer_publishes_several_readings_with_one_reason(client, reviewer, energy_pause):
    readings = list(energy_pause.readings.all())
    Reading.objects.update(is_published=False)
    client.force_login(reviewer)
    url = admin_url(Reading, "changelist")
    confirm = client.post(url, bulk("publish_selected", readings))
    assert confirm.status_code == 200
    assert "Reason for this change" in confirm.text
    response = client.post(url, bulk("publish_selected", readings, confirm="yes", reason="Checked"))
    assert response.status_code == 302
    assert Reading.objects.filter(is_published=True).count() == 2
    for reading in readings:
        assert reading.history.order_by("history_id").last().history_change_reason == "Checked"
    assert "Now public: 2 readings." in client.get(url).text


def test_publishing_several_is_all_or_nothing(client, reviewer, energy_pause):
    draft = CommitmentFactory(title="Zaporizhzhia plant safety", is_published=False)
    draft.agreement.is_published = False
    draft.agreement.save()
    Commitment.objects.filter(pk=energy_pause.pk).update(is_published=False)
    client.force_login(reviewer)
    response = client.post(
        admin_url(Commitment, "changelist"),
        bulk("publish_selected", [energy_pause, draft], confirm="yes", reason="Go"),
    )
    assert response.status_code == 200
    assert "“Zaporizhzhia plant safety”: Publish the agreement first" in response.text
    assert not Commitment.objects.filter(is_published=True).exists()


def test_editors_are_not_offered_publishing_several(client, editor, energy_pause):
    client.force_login(editor)
    response = client.get(admin_url(Commitment, "changelist"))
    assert "publish_selected" not in response.text


def test_editing_a_reading_keeps_its_instants(client, reviewer, energy_pause):
    """Kyiv: 25 March 00:00 is UTC+2; 25 April is after the switch to UTC+3."""
    reading = energy_pause.readings.get(label="Ukraine's count")
    Reading.objects.filter(pk=reading.pk).update(
        time_zone="Europe/Kyiv",
        starts_at=dt.datetime(2025, 3, 24, 22, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 24, 21, 30, tzinfo=UTC),
    )
    client.force_login(reviewer)
    page = client.get(admin_url(Reading, "change", reading.pk))
    form = page.context["adminform"].form
    data = reading_form(
        energy_pause,
        label_en="Ukraine's count (Zelensky, 25 March)",
        read_by=reading.read_by_id,
        time_zone="Europe/Kyiv",
        starts_at_0=form["starts_at"].value().date().isoformat(),
        starts_at_1=form["starts_at"].value().strftime("%H:%M"),
        ends_at_0=form["ends_at"].value().date().isoformat(),
        ends_at_1=form["ends_at"].value().strftime("%H:%M"),
        reason="Clearer label",
    )
    assert (data["starts_at_0"], data["starts_at_1"]) == ("2025-03-25", "00:00")
    assert (data["ends_at_0"], data["ends_at_1"]) == ("2025-04-25", "00:30")
    response = client.post(admin_url(Reading, "change", reading.pk), data)
    assert response.status_code == 302
    reading.refresh_from_db()
    assert reading.label == "Ukraine's count (Zelensky, 25 March)"
    assert reading.starts_at == dt.datetime(2025, 3, 24, 22, tzinfo=UTC)
    assert reading.ends_at == dt.datetime(2025, 4, 24, 21, 30, tzinfo=UTC)
    assert not reading.is_working


def test_changing_a_reading_duration_moves_its_end_in_its_time_zone(client, editor, energy_pause):
    client.force_login(editor)
    client.post(admin_url(Reading, "add"), reading_form(energy_pause, duration_days="30"))
    reading = Reading.objects.get(label="White House readout")
    data = reading_form(energy_pause, duration_days="45", ends_at_0="2025-04-17", ends_at_1="00:00")
    response = client.post(admin_url(Reading, "change", reading.pk), data)
    assert response.status_code == 302
    reading.refresh_from_db()
    assert reading.ends_at == dt.datetime(2025, 5, 1, 21, tzinfo=UTC)


def test_a_role_removed_inline_leaves_a_history_row_that_says_why(client, reviewer, energy_pause):
    role = energy_pause.roles.get(party__slug="ukraine")
    data = commitment_form(energy_pause, reason="Ukraine only backed the pause")
    index = next(i for i in range(2) if data[f"roles-{i}-id"] == role.pk)
    data[f"roles-{index}-DELETE"] = "on"
    client.force_login(reviewer)
    response = client.post(admin_url(Commitment, "change", energy_pause.pk), data)
    assert response.status_code == 302
    assert not energy_pause.roles.filter(pk=role.pk).exists()
    deletion = CommitmentParty.history.get(id=role.pk, history_type="-")
    assert deletion.history_user == reviewer
    assert deletion.history_change_reason == "Ukraine only backed the pause"
