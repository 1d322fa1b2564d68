"""Four eyes on the public record: an edit of a public record waits until a reviewer publishes it.

Whatever an editor changes in a published claim, reading or commitment (its
text, its commitment, its dates, its working reading, its sources, its
quantities), the public keeps seeing the record as it was, until a reviewer
publishes the revision. A reviewer's own edit is published by that same act.
"""

import datetime as dt

import pytest
import time_machine

from tests.factories import (
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker import public, services
from tracker.models import (
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Revision,
    SentBack,
    StatusChange,
)
from tracker.services import (
    EditConflict,
    InvalidEvent,
    NotPermitted,
    PublishingRefused,
    edit_record,
    edit_token,
    pending_revision,
    publish_revision,
    send_back,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def russia(db):
    return PartyFactory(name="Russia", slug="russia")


@pytest.fixture
def ukraine(db):
    return PartyFactory(name="Ukraine", slug="ukraine")


@pytest.fixture
def pause(db, russia, ukraine):
    commitment = CommitmentFactory(title="Energy pause", slug="energy-pause", status="in_force")
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    return commitment


@pytest.fixture
def claim(pause, russia, ukraine):
    return ComplianceEventFactory(
        commitment=pause,
        claimant=ukraine,
        accused=russia,
        summary="Drone strike on the Sudzha gas metering station.",
    )


def page(client, commitment) -> str:
    return client.get(f"/commitments/{commitment.slug}/").content.decode()


def stored(record):
    return type(record).objects.get(pk=record.pk)


# Claims ------------------------------------------------------------------------------------


def test_an_editors_rewording_of_a_published_claim_waits_for_a_reviewer(client, claim, editor):
    edit = edit_record(
        claim, {"summary": "Shelling of the Sudzha station."}, actor=editor, reason="Readout"
    )

    assert edit.waits_for_review
    assert stored(claim).summary == "Drone strike on the Sudzha gas metering station."
    assert "Drone strike on the Sudzha" in page(client, claim.commitment)
    assert "Shelling of the Sudzha" not in page(client, claim.commitment)
    revision = pending_revision(claim)
    assert revision.proposed_by == editor
    assert revision.reason == "Readout"
    assert revision.changes == {
        "summary_en": {
            "from": "Drone strike on the Sudzha gas metering station.",
            "to": "Shelling of the Sudzha station.",
        }
    }


def test_a_reviewer_publishes_the_revision_and_the_public_sees_it(client, claim, editor, reviewer):
    edit_record(claim, {"summary": "Shelling of the Sudzha station."}, actor=editor, reason="Fix")

    publish_revision(pending_revision(claim), actor=reviewer, reason="Checked against the readout")

    assert stored(claim).summary == "Shelling of the Sudzha station."
    assert "Shelling of the Sudzha" in page(client, claim.commitment)
    row = stored(claim).history.first()
    assert (row.history_user, row.history_change_reason) == (reviewer, "Fix")
    revision = Revision.objects.get()
    assert (revision.state, revision.decided_by, revision.decision_reason) == (
        "published",
        reviewer,
        "Checked against the readout",
    )


def test_moving_a_published_claim_into_a_public_commitment_does_not_bring_it_back(
    client, claim, editor, russia, ukraine
):
    withdrawn = CommitmentFactory(is_published=False)
    hidden = ComplianceEventFactory(commitment=withdrawn, claimant=russia, accused=ukraine)

    edit_record(hidden, {"commitment": claim.commitment}, actor=editor, reason="Wrong pause")

    assert stored(hidden).commitment == withdrawn
    assert not public.events().filter(pk=hidden.pk).exists()


def test_moving_a_published_claim_away_does_not_hide_it(client, claim, editor):
    draft = CommitmentFactory(is_published=False)

    edit_record(claim, {"commitment": draft}, actor=editor, reason="Belongs to the draft")

    assert public.events().filter(pk=claim.pk).exists()
    assert "Drone strike on the Sudzha" in page(client, claim.commitment)


def test_a_verified_claim_reworded_is_no_longer_verified(claim, editor, reviewer):
    services.verify_event(claim, "verified", actor=reviewer, reason="Satellite images")
    edit_record(claim, {"summary": "Two drones, not one."}, actor=editor, reason="Correction")

    assert stored(claim).verification == "verified"  # the public record has not changed yet
    publish_revision(pending_revision(claim), actor=reviewer, reason="Right")

    now = stored(claim)
    assert (now.verification, now.verified_by, now.verified_at) == ("unverified", None, None)
    assert now.history.first().history_change_reason == "Correction"


@pytest.mark.parametrize(
    "change",
    [
        {"occurred_at": dt.datetime(2025, 3, 20, 2, tzinfo=UTC)},
        {"kind": "confirmed_violation"},
        {"region": "RU-KRS"},
        {"count": 3},
        {"location": "Sudzha"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_any_change_to_what_a_claim_asserts_clears_its_verification(claim, reviewer, change):
    services.verify_event(claim, "corroborated", actor=reviewer, reason="Two sources")

    edit_record(claim, change, actor=reviewer, reason="Correction")

    assert stored(claim).verification == "unverified"


def test_new_sources_clear_the_verification_too(claim, reviewer):
    services.verify_event(claim, "verified", actor=reviewer, reason="Two sources")

    edit_record(claim, {"sources": [SourceFactory()]}, actor=reviewer, reason="Better source")

    assert stored(claim).verification == "unverified"


def test_a_translation_or_a_note_leaves_the_verification_as_it_was(claim, reviewer):
    services.verify_event(claim, "verified", actor=reviewer, reason="Satellite images")

    edit_record(
        claim,
        {"summary_uk": "Удар дрона по ГВС «Суджа».", "internal_note": "Ask the desk"},
        actor=reviewer,
        reason="Translation",
    )

    now = stored(claim)
    assert (now.verification, now.summary_uk, now.internal_note) == (
        "verified",
        "Удар дрона по ГВС «Суджа».",
        "Ask the desk",
    )


def test_a_reviewer_publishes_and_says_how_the_claim_stands_in_one_act(claim, editor, reviewer):
    services.verify_event(claim, "verified", actor=reviewer, reason="Satellite images")
    edit_record(claim, {"summary": "Two drones."}, actor=editor, reason="Correction")

    publish_revision(
        pending_revision(claim), actor=reviewer, reason="Same images", verification="verified"
    )

    assert stored(claim).verification == "verified"
    assert [row.verification for row in stored(claim).history.all()[:2]] == [
        "verified",
        "unverified",
    ]


def test_a_draft_claim_is_edited_at_once(pause, editor, russia, ukraine):
    draft = ComplianceEventFactory(commitment=pause, is_published=False)

    edit = edit_record(draft, {"summary": "Shelling."}, actor=editor, reason="Fix")

    assert not edit.waits_for_review
    assert stored(draft).summary == "Shelling."
    assert not Revision.objects.exists()


def test_an_internal_note_is_saved_at_once_and_the_rest_waits(claim, editor):
    edit_record(
        claim,
        {"summary": "Shelling.", "internal_note": "Call the ministry"},
        actor=editor,
        reason="Notes",
    )

    now = stored(claim)
    assert (now.summary, now.internal_note) == (
        "Drone strike on the Sudzha gas metering station.",
        "Call the ministry",
    )
    assert list(pending_revision(claim).changes) == ["summary_en"]


def test_quantities_of_a_published_delivery_wait_for_a_reviewer(db, editor, reviewer, ukraine):
    exchange = CommitmentFactory(shape="deliverable", category="prisoners")
    delivery = ComplianceEventFactory(commitment=exchange, kind="delivery", accused=None)
    DeliveredQuantity.objects.create(event=delivery, received_by=ukraine, quantity=390)

    rows = [{"received_by": ukraine, "quantity": 392, "unit": "people"}]
    edit_record(delivery, {"quantities": rows}, actor=editor, reason="Ministry's final count")

    assert list(public.quantities().values_list("quantity", flat=True)) == [390]
    publish_revision(pending_revision(delivery), actor=reviewer, reason="Both ministries agree")
    assert list(public.quantities().values_list("quantity", flat=True)) == [392]
    assert DeliveredQuantity.objects.get().history.first().history_change_reason == (
        "Ministry's final count"
    )


def test_quantities_are_refused_for_a_claim_that_is_not_a_delivery(claim, editor, ukraine):
    rows = [{"received_by": ukraine, "quantity": 1, "unit": "people"}]

    with pytest.raises(InvalidEvent, match="Only a delivery"):
        edit_record(claim, {"quantities": rows}, actor=editor, reason="x")

    assert not Revision.objects.exists()


def test_a_row_of_a_published_record_is_changed_only_on_that_records_page(pause, editor):
    role = pause.roles.first()
    role.role = CommitmentParty.Role.MEDIATOR

    with pytest.raises(services.InvalidRecord, match="change it on that record's page"):
        services.save_record(role, actor=editor, reason="x")


def test_a_refused_edit_leaves_no_revision_and_no_history(claim, editor):
    before = claim.history.count()

    with pytest.raises(InvalidEvent, match="cannot accuse itself"):
        edit_record(claim, {"accused": claim.claimant}, actor=editor, reason="x")

    assert not Revision.objects.exists()
    assert claim.history.count() == before


# Commitments and readings -------------------------------------------------------------------


@pytest.fixture
def window(pause):
    """The pause by the Kremlin's count, published and working, and Ukraine's, a draft."""
    kremlin = ReadingFactory(
        commitment=pause,
        label="Kremlin's count",
        starts_at=dt.datetime(2025, 3, 18, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 17, tzinfo=UTC),
    )
    ukraine = ReadingFactory(
        commitment=pause,
        label="Ukraine's count",
        is_working=False,
        is_published=False,
        starts_at=dt.datetime(2025, 3, 25, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 24, tzinfo=UTC),
    )
    return kremlin, ukraine


def test_making_a_draft_reading_working_keeps_the_public_dates_expiry_and_alerts(
    pause, window, editor
):
    kremlin, ukraine = window

    services.make_working(ukraine, actor=editor, reason="Kyiv's count")

    assert public.working_reading(pause) == kremlin
    assert list(public.windows_ended_by(dt.datetime(2025, 4, 18, tzinfo=UTC))) == [kremlin]
    assert pending_revision(pause).changes == {
        "working_reading": {"from": kremlin.pk, "to": ukraine.pk}
    }


def test_a_draft_reading_is_published_before_it_becomes_the_public_working_one(
    pause, window, editor, reviewer
):
    kremlin, ukraine = window
    services.make_working(ukraine, actor=editor, reason="Kyiv's count")
    revision = pending_revision(pause)

    with pytest.raises(PublishingRefused, match="Publish the reading “Ukraine's count” first"):
        publish_revision(revision, actor=reviewer, reason="Agreed")
    assert public.working_reading(pause) == kremlin

    services.publish(ukraine, actor=reviewer, reason="Checked")
    publish_revision(revision, actor=reviewer, reason="Agreed")
    assert public.working_reading(pause) == ukraine
    assert not Reading.objects.get(pk=kremlin.pk).is_working


def test_a_reviewer_cannot_make_a_draft_the_working_reading_of_a_public_commitment(
    pause, window, reviewer
):
    kremlin, ukraine = window

    with pytest.raises(PublishingRefused, match="first"):
        services.make_working(ukraine, actor=reviewer, reason="Kyiv's count")

    assert public.working_reading(pause) == kremlin


def test_an_editors_extension_waits_and_the_clock_still_ends_the_window_by_the_public_end(
    pause, window, editor, reviewer
):
    kremlin, _ = window

    services.extend_window(pause, actor=editor, reason="Extended", extra_days=30)

    assert public.working_reading(pause).ends_at == dt.datetime(2025, 4, 17, tzinfo=UTC)
    publish_revision(pending_revision(kremlin), actor=reviewer, reason="Both confirmed")
    assert public.working_reading(pause).ends_at == dt.datetime(2025, 5, 17, tzinfo=UTC)


def test_new_dates_of_a_published_reading_wait_for_a_reviewer(pause, window, editor):
    kremlin, _ = window

    services.update_reading(
        kremlin,
        actor=editor,
        reason="Moscow time",
        starts_at=dt.datetime(2025, 3, 17, 21, tzinfo=UTC),
    )

    assert stored(kremlin).starts_at == dt.datetime(2025, 3, 18, tzinfo=UTC)
    assert set(pending_revision(kremlin).changes) == {"starts_at"}


def test_a_commitments_terms_wait_and_its_roles_too(pause, editor, reviewer, russia):
    us = PartyFactory(name="United States", slug="us")
    roles = [
        {"party": russia, "role": "obligor"},
        {"party": Party.objects.get(slug="ukraine"), "role": "obligor"},
        {"party": us, "role": "mediator"},
    ]

    edit_record(
        pause,
        {"terms": "No strikes on energy infrastructure.", "roles": roles},
        actor=editor,
        reason="White House readout",
    )

    assert not public.roles().filter(party=us).exists()
    publish_revision(pending_revision(pause), actor=reviewer, reason="Checked")
    assert public.roles().filter(party=us, role="mediator").exists()
    assert stored(pause).terms == "No strikes on energy infrastructure."


def test_a_public_partys_name_waits_too(claim, editor, russia):
    edit_record(russia, {"name": "Russian Federation"}, actor=editor, reason="Full name")

    assert stored(russia).name == "Russia"
    assert pending_revision(russia) is not None


# Continuing, replacing, sending back --------------------------------------------------------


def test_an_edit_while_a_revision_waits_continues_it(claim, editor):
    second_editor = type(editor).objects.create(username="second", is_staff=True)
    second_editor.groups.set(editor.groups.all())
    edit_record(claim, {"summary": "Shelling."}, actor=editor, reason="Readout")

    edit_record(claim, {"count": 3}, actor=second_editor, reason="Three strikes")

    first, second = Revision.objects.order_by("pk")
    assert (first.state, first.replaced_by) == ("replaced", second)
    assert second.is_pending
    assert set(second.changes) == {"summary_en", "count"}


def test_editing_back_to_the_public_version_withdraws_the_revision(claim, editor):
    edit_record(claim, {"summary": "Shelling."}, actor=editor, reason="Readout")

    edit_record(claim, {"summary": claim.summary}, actor=editor, reason="Never mind")

    assert pending_revision(claim) is None
    assert Revision.objects.get().state == "replaced"


def test_a_revision_sent_back_is_closed_and_the_record_stays(claim, editor, reviewer):
    edit_record(claim, {"summary": "Shelling."}, actor=editor, reason="Readout")

    send_back(claim, actor=reviewer, reason="Which readout? Add the source.")

    revision = Revision.objects.get()
    assert (revision.state, revision.decision_reason) == (
        "sent_back",
        "Which readout? Add the source.",
    )
    assert stored(claim).summary.startswith("Drone strike")
    with pytest.raises(PublishingRefused, match="no longer wait"):
        publish_revision(revision, actor=reviewer, reason="x")


def test_a_draft_sent_back_is_remembered_at_its_version(pause, reviewer):
    draft = ComplianceEventFactory(commitment=pause, is_published=False)

    send_back(draft, actor=reviewer, reason="Duplicate of the ministry's list")

    assert SentBack.objects.get().version == draft.version


@pytest.mark.parametrize("act", ["publish", "send back"])
def test_only_reviewers_publish_or_send_back_a_revision(claim, editor, act):
    edit_record(claim, {"summary": "Shelling."}, actor=editor, reason="Readout")
    revision = pending_revision(claim)

    with pytest.raises(NotPermitted):
        if act == "publish":
            publish_revision(revision, actor=editor, reason="Mine is right")
        else:
            send_back(revision, actor=editor, reason="x")

    assert stored(revision).is_pending


def test_a_reviewers_own_edit_is_published_by_the_same_act(claim, reviewer):
    heard = []

    def listener(sender, revision, record, **kwargs):
        heard.append((revision.state, record.summary))

    services.revision_published.connect(listener)
    try:
        edit = edit_record(claim, {"summary": "Shelling."}, actor=reviewer, reason="Fix")
    finally:
        services.revision_published.disconnect(listener)

    assert heard == [("published", "Shelling.")]
    assert stored(claim).summary == "Shelling."
    assert edit.revision.state == "published" and not edit.waits_for_review


def test_no_status_change_is_logged_when_an_editor_is_refused(pause, editor):
    with pytest.raises(NotPermitted):
        services.change_status(pause, "collapsed", actor=editor, reason="Repudiated")

    assert not StatusChange.objects.exists()


# A save based on an older version -------------------------------------------------------


def test_a_save_based_on_an_older_version_is_refused_with_the_other_change(claim, reviewer):
    token = edit_token(claim)
    services.verify_event(claim, "disputed", actor=reviewer, reason="Denied")

    with pytest.raises(EditConflict) as refused:
        edit_record(claim, {"summary": "Mine"}, actor=reviewer, reason="x", based_on=token)

    assert stored(claim).summary.startswith("Drone strike")
    assert refused.value.by == ["reviewer"]
    assert ("verification", "unverified", "disputed") in refused.value.changed
    assert refused.value.token == edit_token(claim)


def test_a_save_based_on_a_replaced_revision_is_refused(claim, editor):
    token = edit_token(claim)
    edit_record(claim, {"summary": "Shelling."}, actor=editor, reason="Readout")

    with pytest.raises(EditConflict) as refused:
        edit_record(claim, {"count": 2}, actor=editor, reason="x", based_on=token)

    assert tuple(change[0] for change in refused.value.changed) == (
        "summary (English) (waiting for review)",
    )
    assert pending_revision(claim).changes.keys() == {"summary_en"}


def test_a_save_based_on_the_current_version_goes_through(claim, editor):
    edit_record(claim, {"count": 2}, actor=editor, reason="x", based_on=edit_token(claim))

    assert pending_revision(claim).changes == {"count": {"from": None, "to": 2}}


def test_every_save_makes_a_new_version(claim, reviewer):
    before = stored(claim).version

    services.verify_event(claim, "verified", actor=reviewer, reason="Images")
    edit_record(claim, {"count": 2}, actor=reviewer, reason="Two")

    # Verified, then edited (which unverified it in the same save).
    assert stored(claim).version == before + 2


def test_a_claim_edited_in_memory_keeps_what_another_service_changed(claim, editor, reviewer):
    copy = ComplianceEvent.objects.get(pk=claim.pk)
    services.unpublish(claim, actor=reviewer, reason="Withdrawn")
    copy.summary = "Shelling."

    services.save_record(copy, actor=editor, reason="Fix")

    assert not stored(claim).is_published
    assert stored(claim).summary == "Shelling."  # a draft now: the edit applies at once
