"""The audit trail: every change says who made it and why."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
    UserFactory,
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
    Source,
    StatusChange,
)
from tracker.services import CLOCK, IMPORT, InvalidTerms

UTC = dt.UTC


def latest(record):
    return type(record).objects.get(pk=record.pk).history.first()


def test_a_new_commitment_and_its_party_roles_are_recorded_with_author_and_reason(db, editor):
    russia = PartyFactory(name="Russia")

    commitment = services.create_commitment(
        actor=editor,
        reason="Kremlin readout of the call",
        roles=[(russia, CommitmentParty.Role.OBLIGOR)],
        agreement=AgreementFactory(),
        title="Pause on energy strikes",
        slug="energy-pause",
        category="energy",
        shape="window",
    )

    created = latest(commitment)
    assert created.history_type == "+"
    assert created.history_user == editor
    assert created.history_change_reason == "Kremlin readout of the call"
    role = commitment.roles.get().history.get()
    assert (role.history_user, role.history_change_reason) == (
        editor,
        "Kremlin readout of the call",
    )


def test_an_edit_records_what_changed_who_changed_it_and_why(db, editor):
    commitment = CommitmentFactory(conditions="", is_published=False)
    commitment.conditions = "Only after sanctions on Rosselkhozbank are lifted."

    services.save_record(commitment, actor=editor, reason="Kremlin statement of 25 March")

    new, old = Commitment.objects.get(pk=commitment.pk).history.all()[:2]
    assert new.history_type == "~"
    assert new.history_user == editor
    assert new.history_change_reason == "Kremlin statement of 25 March"
    # The plain column and the English one: both hold the English text.
    assert [change.field for change in new.diff_against(old).changes] == [
        "conditions",
        "conditions_en",
    ]


def test_a_status_change_is_recorded_with_the_reviewer_and_the_reason(db, reviewer):
    commitment = CommitmentFactory(status="in_force")

    services.change_status(commitment, "collapsed", actor=reviewer, reason="Repudiated")

    row = latest(commitment)
    assert (row.status, row.history_user, row.history_change_reason) == (
        "collapsed",
        reviewer,
        "Repudiated",
    )


@time_machine.travel(dt.datetime(2025, 4, 18, tzinfo=UTC), tick=False)
def test_the_clock_is_recorded_without_a_user(db):
    commitment = CommitmentFactory(status="in_force")
    ReadingFactory(commitment=commitment, ends_at=dt.datetime(2025, 4, 17, tzinfo=UTC))

    services.expire_due_windows()

    row = latest(commitment)
    assert row.history_user is None
    assert row.history_change_reason == "window ended"
    assert commitment.status_changes.get().actor == StatusChange.Actor.CLOCK


def test_a_data_import_is_recorded_without_a_user(db):
    party = Party(name="Türkiye", slug="turkiye", time_zone="Europe/Istanbul")

    services.save_record(party, actor=IMPORT, reason="Demo data")

    row = latest(party)
    assert (row.history_user, row.history_change_reason) == (None, "Demo data")


@pytest.mark.parametrize(
    ("make_actor", "role"),
    [
        (lambda: UserFactory(username="e", role="Editors"), "editor"),
        (lambda: UserFactory(username="r", role="Reviewers"), "reviewer"),
        (lambda: UserFactory(username="root", is_superuser=True), "staff"),
        (lambda: CLOCK, "clock"),
        (lambda: IMPORT, "import"),
    ],
)
def test_the_public_log_names_a_role_never_a_person(db, make_actor, role):
    change = services.change_status(
        CommitmentFactory(status="announced", is_published=False),
        "in_force",
        actor=make_actor(),
        reason="In force",
    )

    assert change.actor == role
    assert change.get_actor_display() in {
        "an editor",
        "a reviewer",
        "staff",
        "the clock",
        "data import",
    }


def test_changing_sources_is_recorded_with_the_same_reason(db, editor):
    reading = ReadingFactory(is_published=False)
    source = SourceFactory()

    services.update_reading(reading, actor=editor, reason="Add the readout", sources=[source])

    row = latest(reading)
    assert row.history_change_reason == "Add the readout"
    assert [s.source_id for s in row.sources.all()] == [source.pk]


def test_a_refused_change_leaves_no_history(db, editor):
    reading = ReadingFactory()
    before = reading.history.count()

    with pytest.raises(InvalidTerms):
        services.update_reading(reading, actor=editor, reason="x", time_zone="Kyiv")

    assert reading.history.count() == before


@pytest.mark.parametrize(
    "model",
    [
        Party,
        Source,
        Agreement,
        Commitment,
        CommitmentParty,
        Reading,
        ComplianceEvent,
        DeliveredQuantity,
    ],
)
def test_every_record_the_staff_edit_keeps_its_history(model):
    assert hasattr(model, "history")


def test_the_status_log_is_itself_the_history_of_transitions():
    assert not hasattr(StatusChange, "history")


def test_the_audit_trail_cannot_be_rolled_back_from_the_history_page():
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True
