"""Publishing: what the public sees, and what cannot be public before its parent is."""

import pytest

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker import public
from tracker.models import Agreement, Commitment, ComplianceEvent, Reading
from tracker.services import (
    NotPermitted,
    PublishingRefused,
    create_commitment,
    publish,
    save_record,
    set_published,
    unpublish,
)

PUBLIC = {ComplianceEvent: public.events, Reading: public.readings}


@pytest.fixture
def draft_agreement(db):
    return AgreementFactory(is_published=False)


def test_a_reviewer_publishes_an_agreement_and_then_its_commitment(draft_agreement, reviewer):
    commitment = CommitmentFactory(agreement=draft_agreement, is_published=False)

    publish(draft_agreement, actor=reviewer, reason="Checked against the readouts")
    publish(commitment, actor=reviewer, reason="Checked")

    assert list(public.commitments()) == [commitment]
    assert commitment.is_published
    assert Commitment.objects.get(pk=commitment.pk).history.first().history_change_reason == (
        "Checked"
    )


def test_a_commitment_cannot_be_public_while_its_agreement_is_not(draft_agreement, reviewer):
    commitment = CommitmentFactory(agreement=draft_agreement, is_published=False)

    with pytest.raises(PublishingRefused, match="Publish the agreement first"):
        publish(commitment, actor=reviewer, reason="x")

    assert not Commitment.objects.get(pk=commitment.pk).is_published


@pytest.mark.parametrize("factory", [ComplianceEventFactory, ReadingFactory])
def test_an_event_or_reading_on_an_unpublished_commitment_cannot_be_made_public(
    db, reviewer, factory
):
    draft = CommitmentFactory(is_published=False)
    record = factory(commitment=draft, is_published=False)

    with pytest.raises(PublishingRefused, match="Publish the commitment first"):
        publish(record, actor=reviewer, reason="x")

    assert not type(record).objects.get(pk=record.pk).is_published


def test_an_event_on_a_commitment_under_an_unpublished_agreement_cannot_be_made_public(
    draft_agreement, reviewer
):
    commitment = CommitmentFactory(agreement=draft_agreement, is_published=True)
    event = ComplianceEventFactory(commitment=commitment, is_published=False)

    with pytest.raises(PublishingRefused):
        publish(event, actor=reviewer, reason="x")


@pytest.mark.parametrize("factory", [ComplianceEventFactory, ReadingFactory])
def test_an_event_or_reading_on_a_public_commitment_can_be_published(db, reviewer, factory):
    record = factory(is_published=False)

    publish(record, actor=reviewer, reason="Sourced")

    assert list(PUBLIC[type(record)]()) == [record]


def test_unpublishing_a_commitment_hides_its_events_and_readings(db, reviewer):
    commitment = CommitmentFactory()
    ComplianceEventFactory(commitment=commitment)
    ReadingFactory(commitment=commitment)

    unpublish(commitment, actor=reviewer, reason="Under review")

    assert not public.commitments().exists()
    assert not public.events().exists()
    assert not public.readings().exists()


def test_unpublishing_an_agreement_hides_everything_under_it(db, reviewer):
    commitment = CommitmentFactory()
    ComplianceEventFactory(commitment=commitment)

    unpublish(commitment.agreement, actor=reviewer, reason="Wrong date")

    assert not public.agreements().exists()
    assert not public.commitments().exists()
    assert not public.events().exists()


@pytest.mark.parametrize("make", [CommitmentFactory, ComplianceEventFactory, ReadingFactory])
def test_an_editor_cannot_publish_or_unpublish(db, editor, make):
    record = make(is_published=False)

    with pytest.raises(NotPermitted, match="not allowed to publish or unpublish"):
        publish(record, actor=editor, reason="x")
    assert not type(record).objects.get(pk=record.pk).is_published

    record = make(is_published=True)
    with pytest.raises(NotPermitted):
        unpublish(record, actor=editor, reason="x")
    assert type(record).objects.get(pk=record.pk).is_published


def test_publishing_what_is_already_public_changes_nothing(db, reviewer):
    commitment = CommitmentFactory()

    set_published(commitment, True, actor=reviewer, reason="again")

    assert Commitment.objects.get(pk=commitment.pk).history.count() == 1


@pytest.mark.parametrize("make", [PartyFactory, SourceFactory])
def test_parties_and_sources_are_public_facts_not_published_one_by_one(db, reviewer, make):
    with pytest.raises(PublishingRefused, match="not published one by one"):
        publish(make(), actor=reviewer, reason="x")


def test_a_new_commitment_starts_unpublished_and_cannot_be_created_public(db, reviewer):
    agreement = AgreementFactory()

    with pytest.raises(PublishingRefused, match="starts unpublished"):
        create_commitment(
            actor=reviewer, reason="x", agreement=agreement, title="Pause", slug="pause",
            category="energy", shape="window", is_published=True,
        )  # fmt: skip

    assert not Commitment.objects.exists()


def test_a_new_agreement_cannot_be_saved_already_public(db, editor):
    agreement = AgreementFactory.build(is_published=True)

    with pytest.raises(PublishingRefused):
        save_record(agreement, actor=editor, reason="x")

    assert not Agreement.objects.exists()


def test_an_edit_on_a_stale_copy_does_not_republish_what_was_unpublished(db, editor, reviewer):
    commitment = CommitmentFactory()
    stale_copy = Commitment.objects.get(pk=commitment.pk)
    unpublish(commitment, actor=reviewer, reason="Source retracted")

    stale_copy.terms = "A 30-day pause on strikes against energy infrastructure."
    save_record(stale_copy, actor=editor, reason="Clearer terms")

    stored = Commitment.objects.get(pk=commitment.pk)
    assert not stored.is_published
    assert stored.terms.startswith("A 30-day pause")
    assert not stored.history.first().is_published
