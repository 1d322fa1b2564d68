"""Editing public records in the admin: edits wait for a reviewer, who reads them as a diff.

And no save silently undoes another: a page saved after someone else changed
the record comes back with their change shown beside the user's own.
"""

import datetime as dt

import pytest
from django.urls import reverse

from tests.admin_support import page_values
from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    SourceFactory,
    UserFactory,
)
from tracker import public, services
from tracker.models import ComplianceEvent, DeliveredQuantity, Revision

UTC = dt.UTC
SUMMARY = "Drone strike on the Sudzha gas metering station."


@pytest.fixture
def claim(db):
    pause = CommitmentFactory(title="Energy pause", slug="energy-pause")
    event = ComplianceEventFactory(
        commitment=pause,
        claimant=PartyFactory(name="Ukraine", slug="ukraine"),
        accused=PartyFactory(name="Russia", slug="russia"),
        summary=SUMMARY,
    )
    event.sources.set([SourceFactory(url="https://mod.example.org/daily/19-march")])
    return event


def change_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def open_page(client, user, record):
    client.force_login(user)
    response = client.get(change_url(record))
    assert response.status_code == 200
    return page_values(response)


def save(client, user, record, data, **changes):
    client.force_login(user)
    return client.post(change_url(record), data | changes)


def stored(record):
    return type(record).objects.get(pk=record.pk)


def public_page(client, claim):
    client.logout()
    return client.get(f"/commitments/{claim.commitment.slug}/").content.decode()


# Editors propose ---------------------------------------------------------------------------


def test_an_editors_save_of_a_published_claim_waits_and_the_public_page_does_not_change(
    client, editor, claim
):
    data = open_page(client, editor, claim)

    response = save(
        client, editor, claim, data, summary_en="Shelling of the station.", reason="Fix"
    )

    assert response.status_code == 302
    followed = client.get(response.url)
    assert "wait for a reviewer" in followed.text
    assert stored(claim).summary == SUMMARY
    assert SUMMARY in public_page(client, claim)
    assert "Shelling of the station." not in public_page(client, claim)


def test_the_change_page_shows_the_pending_changes_to_continue_them(client, editor, claim):
    data = open_page(client, editor, claim)
    save(client, editor, claim, data, summary_en="Shelling of the station.", reason="Fix")

    response = client.get(change_url(claim))

    assert response.context["adminform"].form["summary_en"].value() == "Shelling of the station."
    assert "wait for a reviewer" in response.text
    assert reverse("admin:tracker_revision_change", args=[Revision.objects.get().pk]) in (
        response.text
    )


def test_an_editor_is_told_that_a_public_records_changes_wait(client, editor, claim):
    client.force_login(editor)

    response = client.get(change_url(claim))

    assert "waits for a reviewer before the public sees it" in response.text


def test_a_reviewer_reads_the_changes_as_a_diff_and_publishes_them(client, editor, reviewer, claim):
    data = open_page(client, editor, claim)
    save(client, editor, claim, data, summary_en="Shelling of the gas station.", reason="Fix")
    revision = Revision.objects.get()
    client.force_login(reviewer)

    page = client.get(reverse("admin:tracker_revision_change", args=[revision.pk]))

    assert page.status_code == 200
    assert "<del>Drone</del> <del>strike on</del> the <del>Sudzha </del>gas" in page.text
    assert "<ins>Shelling</ins> <ins>of</ins> the gas station." in page.text
    assert "summary (English)" in page.text
    response = client.post(
        reverse("admin:tracker_revision_change", args=[revision.pk]),
        {"verification": "unverified", "reason": "Matches the readout", "publish": "Publish"},
    )
    assert response.status_code == 302
    assert stored(claim).summary == "Shelling of the gas station."
    assert "Shelling of the gas station." in public_page(client, claim)


def test_publishing_a_claims_changes_needs_a_verification_chosen(client, editor, reviewer, claim):
    data = open_page(client, editor, claim)
    save(client, editor, claim, data, summary_en="Shelling.", reason="Fix")
    revision = Revision.objects.get()
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:tracker_revision_change", args=[revision.pk]),
        {"verification": "", "reason": "Looks right", "publish": "Publish"},
    )

    assert response.status_code == 200
    assert "Say how the claim stands once published." in response.text
    assert stored(claim).summary == SUMMARY


def test_changes_sent_back_are_shown_to_the_editor_with_the_reason(client, editor, reviewer, claim):
    data = open_page(client, editor, claim)
    save(client, editor, claim, data, summary_en="Shelling.", reason="Fix")
    revision = Revision.objects.get()
    client.force_login(reviewer)
    client.post(
        reverse("admin:tracker_revision_change", args=[revision.pk]),
        {"reason": "Which readout? Cite it.", "send_back": "Send back"},
    )

    client.force_login(editor)
    response = client.get(change_url(claim))

    assert "Your changes were sent back by reviewer" in response.text
    assert "Which readout? Cite it." in response.text
    assert response.context["adminform"].form["summary_en"].value() == SUMMARY


def test_an_editor_cannot_publish_or_send_back_changes(client, editor, claim):
    data = open_page(client, editor, claim)
    save(client, editor, claim, data, summary_en="Shelling.", reason="Fix")
    url = reverse("admin:tracker_revision_change", args=[Revision.objects.get().pk])

    page = client.get(url)
    response = client.post(url, {"reason": "Mine", "verification": "verified", "publish": "1"})

    assert page.status_code == 200 and 'name="publish"' not in page.text
    assert response.status_code == 403
    assert stored(claim).summary == SUMMARY


def test_a_reviewers_save_of_a_published_claim_is_published_at_once(client, reviewer, claim):
    services.verify_event(claim, "verified", actor=reviewer, reason="Images")
    data = open_page(client, reviewer, claim)

    response = save(client, reviewer, claim, data, summary_en="Two drones.", reason="Correction")

    assert response.status_code == 302
    assert stored(claim).summary == "Two drones."
    assert stored(claim).verification == "unverified"  # its substance changed
    assert "Two drones." in public_page(client, claim)


def test_quantities_edited_on_a_published_delivery_wait_and_show_as_proposed(client, editor, db):
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    delivery = ComplianceEventFactory(kind="delivery", accused=None)
    DeliveredQuantity.objects.create(event=delivery, received_by=ukraine, quantity=390)
    data = open_page(client, editor, delivery)

    save(client, editor, delivery, data, **{"quantities-0-quantity": "392", "reason": "Final"})

    assert list(public.quantities().values_list("quantity", flat=True)) == [390]
    again = client.get(change_url(delivery))
    formset = again.context["inline_admin_formsets"][0].formset
    assert [form["quantity"].value() for form in formset.forms if form.initial] == [392]
    resaved = save(client, editor, delivery, page_values(again), reason="Same, with a note")
    assert resaved.status_code == 302
    assert Revision.objects.get(state="pending").changes["quantities"]["to"][0]["quantity"] == 392


# No silent revert ------------------------------------------------------------------------


def test_two_staff_saving_one_claim_cannot_revert_each_other(client, db):
    first = UserFactory(username="olena", role="Editors")
    second = UserFactory(username="taras", role="Editors")
    draft = ComplianceEventFactory(is_published=False, summary=SUMMARY, count=None)
    olena_sees = open_page(client, first, draft)
    taras_sees = open_page(client, second, draft)

    save(client, second, draft, taras_sees, summary_en="Shelling, not drones.", reason="Readout")
    refused = save(client, first, draft, olena_sees, count="3", reason="Three strikes")

    assert refused.status_code == 200
    assert "Changed by taras since you opened this page" in refused.text
    assert "Shelling, not drones." in refused.text
    assert refused.context["adminform"].form["count"].value() == "3"
    now = stored(draft)
    assert (now.summary, now.count) == ("Shelling, not drones.", None)

    # Having seen Taras's change, Olena saves again: hers is applied over it, knowingly.
    again = page_values(refused)
    resaved = save(client, first, draft, again, summary_en="Shelling, not drones.", reason="Three")
    assert resaved.status_code == 302
    assert (stored(draft).summary, stored(draft).count) == ("Shelling, not drones.", 3)


def test_a_page_opened_before_a_verification_is_refused_and_shows_it(
    client, editor, reviewer, claim
):
    draft = ComplianceEventFactory(commitment=claim.commitment, is_published=False)
    data = open_page(client, editor, draft)
    services.verify_event(draft, "disputed", actor=reviewer, reason="Denied by Kyiv")

    refused = save(client, editor, draft, data, summary_en="Reworded.", reason="x")

    assert refused.status_code == 200
    assert "Changed by reviewer" in refused.text
    assert "disputed" in refused.text
    assert stored(draft).verification == "disputed"


def test_a_page_opened_before_someone_elses_pending_changes_is_refused(client, editor, claim):
    other = UserFactory(username="taras", role="Editors")
    data = open_page(client, editor, claim)
    theirs = open_page(client, other, claim)
    save(client, other, claim, theirs, summary_en="Shelling.", reason="Readout")

    refused = save(client, editor, claim, data, count="2", reason="Two")

    assert refused.status_code == 200
    assert "Changed by taras" in refused.text
    assert "(waiting for review)" in refused.text
    assert Revision.objects.get(state="pending").changes.keys() == {"summary_en"}


# The verify page -------------------------------------------------------------------------


def test_the_verify_page_chooses_nothing_for_the_reviewer_and_shows_the_sources(
    client, reviewer, claim
):
    client.force_login(reviewer)
    url = reverse("admin:tracker_complianceevent_verify", args=[claim.pk])

    page = client.get(url)
    posted = client.post(url, {"verification": "", "reason": "Looked"})

    field = page.context["form"].fields["verification"]
    assert field.choices[0][0] == ""
    assert page.context["form"]["verification"].value() in (None, "")
    assert "https://mod.example.org/daily/19-march" in page.text
    assert "tabbed_translation_fields" not in page.text  # no empty language list by the title
    assert posted.status_code == 200
    assert ComplianceEvent.objects.get(pk=claim.pk).verification == "unverified"
