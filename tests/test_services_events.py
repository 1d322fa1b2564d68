"""Recording what each side reports, and verifying it."""

import datetime as dt

import pytest
import time_machine

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    SourceFactory,
)
from tracker import services
from tracker.models import ComplianceEvent, DeliveredQuantity, EventKind, Source
from tracker.services import (
    InvalidEvent,
    InvalidSource,
    NotPermitted,
    PublishingRefused,
    record_event,
    save_record,
    verify_event,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 5, 26, 8, tzinfo=UTC)


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
def pause(db):
    return CommitmentFactory(shape="window", status="in_force")


@pytest.fixture
def exchange(db):
    return CommitmentFactory(shape="deliverable", category="prisoners", status="in_force")


def claim(commitment, claimant, accused, **fields):
    return ComplianceEvent(
        commitment=commitment,
        kind=fields.pop("kind", EventKind.ALLEGED_VIOLATION),
        claimant=claimant,
        accused=accused,
        occurred_at=fields.pop("occurred_at", dt.datetime(2025, 3, 28, tzinfo=UTC)),
        summary=fields.pop("summary", "Rockets hit the Sudzha gas metering station."),
        **fields,
    )


# Recording ----------------------------------------------------------------------------


def test_an_editor_records_a_claim_unverified_and_unpublished(pause, russia, ukraine, editor):
    source = SourceFactory()

    event = record_event(
        claim(pause, russia, ukraine), actor=editor, reason="Defence ministry", sources=[source]
    )

    stored = ComplianceEvent.objects.get(pk=event.pk)
    assert stored.verification == "unverified"
    assert not stored.is_published
    assert stored.recorded_by == editor
    assert stored.recorded_at == NOW
    assert list(stored.sources.all()) == [source]
    assert stored.history.first().history_change_reason == "Defence ministry"
    assert stored.history.first().history_user == editor


def test_an_aggregate_claim_is_one_record_with_a_count(pause, russia, ukraine, editor):
    event = record_event(
        claim(
            pause,
            russia,
            ukraine,
            count=120,
            occurred_until=dt.datetime(2025, 4, 16, tzinfo=UTC),
            summary="More than 120 strikes in 15 regions",
        ),
        actor=editor,
        reason="Aggregate claim",
    )

    assert ComplianceEvent.objects.count() == 1
    assert ComplianceEvent.objects.get(pk=event.pk).count == 120


def test_a_delivery_records_the_quantities_each_side_received(exchange, russia, ukraine, editor):
    tranche = claim(exchange, None, None, kind=EventKind.DELIVERY, summary="First tranche")

    record_event(
        tranche,
        actor=editor,
        reason="First tranche",
        quantities=[(ukraine, 390, "prisoners"), (russia, 390, "prisoners")],
    )

    assert sorted(tranche.quantities.values_list("received_by__name", "quantity")) == [
        ("Russia", 390),
        ("Ukraine", 390),
    ]


def test_a_bad_quantity_leaves_no_event_behind(exchange, russia, ukraine, editor):
    tranche = claim(exchange, None, None, kind=EventKind.DELIVERY, summary="Second tranche")

    with pytest.raises(InvalidEvent) as refused:
        record_event(
            tranche,
            actor=editor,
            reason="Second tranche",
            quantities=[(ukraine, 307, "prisoners"), (russia, -307, "prisoners")],
        )

    assert refused.value.message_dict["quantity"] == ["A quantity cannot be below zero."]
    assert not ComplianceEvent.objects.exists()
    assert not DeliveredQuantity.objects.exists()
    assert tranche.pk is None  # can be corrected and recorded again


def test_a_refused_event_can_be_corrected_and_recorded_again(pause, russia, ukraine, editor):
    event = claim(pause, russia, ukraine, count=-1)
    with pytest.raises(InvalidEvent):
        record_event(event, actor=editor, reason="x")

    event.count = 14
    record_event(event, actor=editor, reason="Fourteen attacks in 24 hours")

    assert ComplianceEvent.objects.get().count == 14


def test_the_same_side_twice_in_one_unit_is_refused(exchange, ukraine, editor):
    tranche = claim(exchange, None, None, kind=EventKind.DELIVERY)

    with pytest.raises(InvalidEvent, match="once per unit"):
        record_event(
            tranche,
            actor=editor,
            reason="x",
            quantities=[(ukraine, 1, "prisoners"), (ukraine, 2, "prisoners")],
        )

    assert not ComplianceEvent.objects.exists()


def test_only_a_delivery_hands_over_quantities(pause, russia, ukraine, editor):
    with pytest.raises(InvalidEvent, match="Only a delivery"):
        record_event(
            claim(pause, russia, ukraine), actor=editor, reason="x", quantities=[(russia, 1, "x")]
        )

    assert not ComplianceEvent.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"count": -1}, "count", "A count cannot be below zero."),
        (
            {"occurred_until": dt.datetime(2025, 3, 1, tzinfo=UTC)},
            "occurred_until",
            "The period must end after it starts.",
        ),
        ({"summary": ""}, "summary", "This field cannot be blank."),
        ({"kind": "rumour"}, "kind", "is not a valid choice"),
    ],
)
def test_bad_values_are_refused_by_field_and_nothing_is_saved(
    pause, russia, ukraine, editor, fields, field, message
):
    with pytest.raises(InvalidEvent) as refused:
        record_event(claim(pause, russia, ukraine, **fields), actor=editor, reason="x")

    assert any(message in text for text in refused.value.message_dict[field])
    assert not ComplianceEvent.objects.exists()


def test_a_party_cannot_accuse_itself(pause, russia, editor):
    with pytest.raises(InvalidEvent) as refused:
        record_event(claim(pause, russia, russia), actor=editor, reason="x")

    assert refused.value.message_dict == {"accused": ["A party cannot accuse itself."]}
    assert not ComplianceEvent.objects.exists()


def test_a_source_without_a_url_leaves_no_event_behind(pause, russia, ukraine, editor):
    with pytest.raises(InvalidSource, match="Every source needs a URL."):
        record_event(
            claim(pause, russia, ukraine), actor=editor, reason="x", sources=[Source(url="")]
        )

    assert not ComplianceEvent.objects.exists()


@pytest.mark.parametrize(
    ("preset", "error"),
    [({"verification": "verified"}, InvalidEvent), ({"is_published": True}, PublishingRefused)],
)
def test_a_new_event_cannot_arrive_verified_or_published(
    pause, russia, ukraine, editor, preset, error
):
    with pytest.raises(error):
        record_event(claim(pause, russia, ukraine, **preset), actor=editor, reason="x")

    assert not ComplianceEvent.objects.exists()


def test_an_event_is_recorded_once(pause, editor):
    event = ComplianceEventFactory(commitment=pause)

    with pytest.raises(InvalidEvent, match="already recorded"):
        record_event(event, actor=editor, reason="x")


def test_a_new_event_is_not_saved_as_an_ordinary_record(pause, russia, ukraine, editor):
    with pytest.raises(InvalidEvent, match="record_event"):
        save_record(claim(pause, russia, ukraine), actor=editor, reason="x")


def test_staff_in_no_role_cannot_record_an_event(pause, russia, ukraine, outsider):
    with pytest.raises(NotPermitted, match="not allowed to record events"):
        record_event(claim(pause, russia, ukraine), actor=outsider, reason="x")


# Editing --------------------------------------------------------------------------------


def test_an_edit_changes_the_translation_but_never_sets_the_verification(pause, editor):
    event = ComplianceEventFactory(commitment=pause, verification="disputed", is_published=False)
    event.summary_uk = "Україна заперечила це."
    event.verification = "verified"

    save_record(event, actor=editor, reason="Translate the denial")

    stored = ComplianceEvent.objects.get(pk=event.pk)
    assert stored.summary_uk == "Україна заперечила це."
    assert stored.verification == "disputed"
    assert stored.history.first().verification == "disputed"


def test_an_edit_cannot_make_a_party_accuse_itself(pause, editor):
    event = ComplianceEventFactory(commitment=pause)
    event.accused = event.claimant

    with pytest.raises(InvalidEvent, match="cannot accuse itself"):
        save_record(event, actor=editor, reason="x")

    assert ComplianceEvent.objects.get(pk=event.pk).accused_id != event.claimant_id


def test_a_claim_cannot_answer_itself(pause, editor):
    event = ComplianceEventFactory(commitment=pause)
    event.in_response_to = event

    with pytest.raises(InvalidEvent) as refusal:
        save_record(event, actor=editor, reason="Answers itself")

    assert refusal.value.message_dict == {"in_response_to": ["A claim cannot answer itself."]}
    assert ComplianceEvent.objects.get(pk=event.pk).in_response_to is None


@pytest.mark.parametrize("length", [2, 3, 12])
def test_a_claim_cannot_answer_its_own_answer_however_far_back(pause, editor, length):
    first = ComplianceEventFactory(commitment=pause)
    answers = [first]
    for _ in range(length - 1):
        answers.append(ComplianceEventFactory(commitment=pause, in_response_to=answers[-1]))
    first.in_response_to = answers[-1]

    with pytest.raises(InvalidEvent) as refusal:
        save_record(first, actor=editor, reason="Round and round")

    assert refusal.value.message_dict == {
        "in_response_to": [
            f"Claim {answers[-1].pk} answers this one, directly or by way of others: "
            "a claim cannot answer its own answer."
        ]
    }
    assert ComplianceEvent.objects.get(pk=first.pk).in_response_to is None


def test_a_claim_may_answer_a_claim_in_a_loop_it_is_not_part_of(pause, editor):
    """A loop stored before the rule is not this claim's to answer for."""
    looped = ComplianceEventFactory(commitment=pause)
    other = ComplianceEventFactory(commitment=pause, in_response_to=looped)
    ComplianceEvent.objects.filter(pk=looped.pk).update(in_response_to=other)
    answer = ComplianceEventFactory(commitment=pause, is_published=False)
    answer.in_response_to = looped

    save_record(answer, actor=editor, reason="Denial")

    assert ComplianceEvent.objects.get(pk=answer.pk).in_response_to == looped


def test_an_edit_replaces_the_sources_with_the_fields_or_not_at_all(pause, editor):
    event = ComplianceEventFactory(commitment=pause, is_published=False)
    event.sources.set([SourceFactory()])
    readout = SourceFactory(url="https://www.kremlin.ru/events/president/news/76719")
    event.summary = "Shelling near Kupiansk"

    services.edit_event(event, actor=editor, reason="The Kremlin's readout", sources=[readout])

    stored = ComplianceEvent.objects.get(pk=event.pk)
    assert stored.summary == "Shelling near Kupiansk"
    assert list(stored.sources.all()) == [readout]
    assert stored.history.first().history_change_reason == "The Kremlin's readout"

    event.summary = "Shelling"
    with pytest.raises(InvalidSource):
        services.edit_event(event, actor=editor, reason="x", sources=[Source(url="")])
    stored = ComplianceEvent.objects.get(pk=event.pk)
    assert (stored.summary, list(stored.sources.all())) == ("Shelling near Kupiansk", [readout])


def test_an_edit_of_a_new_event_is_sent_to_record_event(pause, editor):
    with pytest.raises(InvalidEvent, match="record_event"):
        services.edit_event(ComplianceEvent(commitment=pause), actor=editor, reason="x")


# Verifying ----------------------------------------------------------------------------------


def test_a_reviewer_verifies_a_claim_and_is_named_as_verifier(pause, reviewer):
    event = ComplianceEventFactory(commitment=pause)

    verify_event(event, "disputed", actor=reviewer, reason="Ukraine denied it")

    stored = ComplianceEvent.objects.get(pk=event.pk)
    assert stored.verification == "disputed"
    assert stored.verified_by == reviewer
    assert stored.verified_at == NOW
    assert event.verification == "disputed"
    assert stored.history.first().history_change_reason == "Ukraine denied it"
    assert stored.history.first().history_user == reviewer


def test_an_editor_cannot_verify_and_nothing_changes(pause, editor):
    event = ComplianceEventFactory(commitment=pause)

    with pytest.raises(NotPermitted, match="not allowed to verify events"):
        verify_event(event, "verified", actor=editor, reason="Looks right")

    stored = ComplianceEvent.objects.get(pk=event.pk)
    assert stored.verification == "unverified"
    assert stored.verified_by is None


def test_verifying_to_the_current_state_is_refused(pause, reviewer):
    event = ComplianceEventFactory(commitment=pause)

    with pytest.raises(InvalidEvent, match="already unverified"):
        verify_event(event, "unverified", actor=reviewer, reason="x")


def test_an_unknown_verification_state_is_refused_by_name(pause, reviewer):
    event = ComplianceEventFactory(commitment=pause)

    with pytest.raises(InvalidEvent, match="“probable” is not a verification state"):
        verify_event(event, "probable", actor=reviewer, reason="x")


def test_verifying_sends_the_signal_with_the_previous_state(pause, reviewer):
    event = ComplianceEventFactory(commitment=pause, verification="corroborated")
    heard = []

    def listener(sender, event, previous, **kwargs):
        heard.append((event.pk, event.verification, previous))

    services.event_verified.connect(listener)
    try:
        verify_event(event, "verified", actor=reviewer, reason="Satellite images")
    finally:
        services.event_verified.disconnect(listener)

    assert heard == [(event.pk, "verified", "corroborated")]


# Recording many at once ----------------------------------------------------------------


def test_claims_recorded_together_are_recorded_as_one_by_one_and_flagged_against_each_other(
    pause, exchange, russia, ukraine, editor
):
    from tracker.recording import NewClaim, record_events

    url = "https://mod.example.org/daily/2025-03-28"
    first, again, delivery = record_events(
        [
            NewClaim(claim(pause, ukraine, russia), source_urls=[url]),
            NewClaim(
                claim(pause, ukraine, russia, summary="Rockets hit the Sudzha gas metering station")
            ),
            NewClaim(
                claim(exchange, ukraine, None, kind=EventKind.DELIVERY, summary="175 for 175"),
                quantities=[(ukraine, 175, "people")],
            ),
        ],
        actor=editor,
        reason="Daily list",
    )

    assert (first.recorded_by, first.verification, first.is_published) == (
        editor,
        "unverified",
        False,
    )
    assert again.possible_duplicate_of == first
    assert [s.url for s in first.sources.all()] == [url]
    assert Source.objects.get(url=url).history.get().history_change_reason == "Daily list"
    assert [(q.received_by, q.quantity) for q in delivery.quantities.all()] == [(ukraine, 175)]
    assert {(h.history_user, h.history_change_reason) for h in first.history.all()} == {
        (editor, "Daily list")
    }


def test_one_refused_claim_among_many_records_none(pause, russia, ukraine, editor):
    from tracker.recording import NewClaim, record_events

    with pytest.raises(InvalidEvent, match="cannot accuse itself"):
        record_events(
            [NewClaim(claim(pause, ukraine, russia)), NewClaim(claim(pause, russia, russia))],
            actor=editor,
            reason="Daily list",
        )

    assert not ComplianceEvent.objects.exists()


def test_only_those_who_may_record_claims_record_many(pause, russia, ukraine, outsider):
    from tracker.recording import NewClaim, record_events

    with pytest.raises(NotPermitted):
        record_events([NewClaim(claim(pause, ukraine, russia))], actor=outsider, reason="x")
