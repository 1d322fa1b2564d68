"""Changing a commitment's lifecycle status, by people and by the clock."""

import datetime as dt

import pytest
import time_machine

from tests.factories import AgreementFactory, CommitmentFactory, ReadingFactory
from tracker import services
from tracker.models import Commitment, StatusChange
from tracker.services import (
    CLOCK,
    IMPORT,
    MissingReason,
    NotPermitted,
    TransitionNotAllowed,
    change_status,
    expire_due_windows,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 20, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def reload(commitment):
    return Commitment.objects.get(pk=commitment.pk)


# People ------------------------------------------------------------------------


def test_a_reviewer_suspends_a_window_and_the_change_is_logged_with_reason_and_role(db, reviewer):
    commitment = CommitmentFactory(status="in_force")

    change = change_status(commitment, "suspended", actor=reviewer, reason="Both sides paused")

    assert reload(commitment).status == "suspended"
    assert commitment.status == "suspended"
    assert (change.from_status, change.to_status) == ("in_force", "suspended")
    assert change.reason == "Both sides paused"
    assert change.actor == StatusChange.Actor.REVIEWER
    assert change.user == reviewer
    assert change.effective_at == NOW
    assert change.recorded_at == NOW
    assert not change.is_correction


def test_an_editor_may_make_an_ordinary_transition_of_a_draft(db, editor):
    commitment = CommitmentFactory(status="announced", is_published=False)

    change = change_status(commitment, "in_force", actor=editor, reason="Announced by both")

    assert reload(commitment).status == "in_force"
    assert change.actor == StatusChange.Actor.EDITOR


@pytest.mark.parametrize("to_status", ["in_force", "collapsed", "fulfilled", "superseded"])
def test_a_published_commitments_status_is_a_reviewers_act_for_it_alerts_subscribers(
    db, editor, reviewer, to_status
):
    commitment = CommitmentFactory(status="announced", shape="deliverable")

    with pytest.raises(NotPermitted, match="alerts the commitment's subscribers"):
        change_status(commitment, to_status, actor=editor, reason="Announced by both")

    assert reload(commitment).status == "announced"
    assert not StatusChange.objects.filter(commitment=commitment).exists()
    change_status(commitment, to_status, actor=reviewer, reason="Announced by both")
    assert reload(commitment).status == to_status


def test_an_editor_cannot_suspend_a_published_commitment(db, editor):
    commitment = CommitmentFactory(status="in_force")

    with pytest.raises(NotPermitted):
        change_status(commitment, "suspended", actor=editor, reason="Paused")

    assert reload(commitment).status == "in_force"


def test_when_it_took_effect_can_be_given_and_becomes_the_status_date(db, reviewer):
    commitment = CommitmentFactory(status="in_force")
    withdrew_on = dt.datetime(2025, 4, 18, 9, tzinfo=UTC)

    change = change_status(
        commitment, "collapsed", actor=reviewer, reason="Withdrawn", effective_at=withdrew_on
    )

    assert change.effective_at == withdrew_on
    assert reload(commitment).status_changed_at == withdrew_on


def test_a_change_cannot_take_effect_before_1900(db, reviewer):
    commitment = CommitmentFactory(status="announced")

    with pytest.raises(TransitionNotAllowed, match="A date before 1900 cannot be meant here"):
        change_status(
            commitment,
            "in_force",
            actor=reviewer,
            reason="Started",
            effective_at=dt.datetime(25, 3, 18, tzinfo=dt.UTC),
        )

    assert reload(commitment).status == "announced"


def test_a_change_cannot_take_effect_in_the_future(db, reviewer):
    commitment = CommitmentFactory(status="announced")

    with pytest.raises(TransitionNotAllowed, match="cannot take effect in the future"):
        change_status(
            commitment,
            "in_force",
            actor=reviewer,
            reason="Will start",
            effective_at=NOW + dt.timedelta(days=1),
        )

    assert reload(commitment).status == "announced"
    assert not StatusChange.objects.exists()


def test_a_change_with_a_naive_effective_time_is_refused(db, reviewer):
    commitment = CommitmentFactory(status="announced")

    with pytest.raises(TransitionNotAllowed, match="time zone"):
        change_status(
            commitment, "in_force", actor=reviewer, reason="x", effective_at=dt.datetime(2025, 4, 1)
        )


def test_fulfilled_to_in_force_without_a_correction_is_refused_and_nothing_changes(db, reviewer):
    commitment = CommitmentFactory(shape="deliverable", status="fulfilled")

    with pytest.raises(TransitionNotAllowed, match="use a correction") as refused:
        change_status(commitment, "in_force", actor=reviewer, reason="Not done after all")

    assert refused.value.code == "transition_not_allowed"
    assert reload(commitment).status == "fulfilled"
    assert not StatusChange.objects.exists()
    assert reload(commitment).history.count() == 1  # only the factory's creation


def test_a_reviewer_corrects_a_final_status_and_the_log_marks_it_a_correction(db, reviewer):
    commitment = CommitmentFactory(shape="deliverable", status="fulfilled")

    change = change_status(
        commitment, "in_force", actor=reviewer, reason="Only one tranche arrived", correction=True
    )

    assert reload(commitment).status == "in_force"
    assert change.is_correction
    assert reload(commitment).history.first().history_change_reason == (
        "Correction: Only one tranche arrived"
    )


def test_an_editor_cannot_correct_a_final_status(db, editor):
    commitment = CommitmentFactory(shape="deliverable", status="fulfilled")

    with pytest.raises(NotPermitted):
        change_status(commitment, "in_force", actor=editor, reason="x", correction=True)

    assert reload(commitment).status == "fulfilled"


def test_staff_in_no_role_cannot_change_a_status(db, outsider):
    commitment = CommitmentFactory(status="in_force")

    with pytest.raises(NotPermitted, match="not allowed to change a commitment's status"):
        change_status(commitment, "suspended", actor=outsider, reason="x")

    assert reload(commitment).status == "in_force"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_change_without_a_reason_is_refused(db, reviewer, reason):
    commitment = CommitmentFactory(status="in_force")

    with pytest.raises(MissingReason, match="every change needs a reason"):
        change_status(commitment, "suspended", actor=reviewer, reason=reason)

    assert reload(commitment).status == "in_force"


def test_an_unknown_target_status_is_refused_by_name(db, reviewer):
    commitment = CommitmentFactory(status="in_force")

    with pytest.raises(TransitionNotAllowed, match="“paused” is not a lifecycle status"):
        change_status(commitment, "paused", actor=reviewer, reason="x")


def test_a_stale_copy_is_judged_against_the_stored_status(db, reviewer):
    commitment = CommitmentFactory(status="in_force")
    stale = reload(commitment)
    change_status(commitment, "collapsed", actor=reviewer, reason="Repudiated")

    with pytest.raises(TransitionNotAllowed, match="Collapsed is final"):
        change_status(stale, "suspended", actor=reviewer, reason="Paused")

    assert reload(commitment).status == "collapsed"
    assert StatusChange.objects.count() == 1


def test_the_signal_is_sent_once_with_the_logged_change(db, reviewer):
    commitment = CommitmentFactory(status="in_force")
    heard = []

    def listener(sender, change, **kwargs):
        heard.append(change)

    services.status_changed.connect(listener)
    try:
        change = change_status(commitment, "suspended", actor=reviewer, reason="Paused")
    finally:
        services.status_changed.disconnect(listener)

    assert heard == [change]


def test_a_listener_that_fails_undoes_the_whole_change(db, reviewer):
    commitment = CommitmentFactory(status="in_force")

    def broken_listener(sender, change, **kwargs):
        raise RuntimeError("outbox unavailable")

    services.status_changed.connect(broken_listener)
    try:
        with pytest.raises(RuntimeError):
            change_status(commitment, "suspended", actor=reviewer, reason="Paused")
    finally:
        services.status_changed.disconnect(broken_listener)

    assert reload(commitment).status == "in_force"
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize(("actor", "role"), [(CLOCK, "clock"), (IMPORT, "import")])
def test_system_actors_may_change_a_status_and_are_logged_without_a_user(db, actor, role):
    commitment = CommitmentFactory(status="announced")

    change = change_status(commitment, "in_force", actor=actor, reason="Loaded from sources")

    assert change.actor == role
    assert change.user is None


# The clock -----------------------------------------------------------------------

ENDED = dt.datetime(2025, 4, 16, 21, tzinfo=UTC)


def window(status="in_force", ends_at=ENDED, **kwargs):
    commitment = CommitmentFactory(shape="window", status=status, **kwargs)
    ReadingFactory(commitment=commitment, ends_at=ends_at)
    return commitment


@pytest.mark.parametrize("status", ["in_force", "suspended"])
def test_the_clock_expires_a_live_window_whose_working_end_has_passed(db, status):
    commitment = window(status=status)

    [change] = expire_due_windows()

    assert reload(commitment).status == "expired"
    assert (change.from_status, change.to_status) == (status, "expired")
    assert change.reason == "window ended"
    assert change.actor == StatusChange.Actor.CLOCK
    assert change.user is None
    assert change.effective_at == ENDED
    assert change.recorded_at == NOW
    assert reload(commitment).status_changed_at == ENDED


def test_a_window_expires_at_its_end_not_a_moment_later(db):
    commitment = window(ends_at=NOW)
    running = window(ends_at=NOW + dt.timedelta(microseconds=1))

    expire_due_windows()

    assert reload(commitment).status == "expired"
    assert reload(running).status == "in_force"


def test_the_clock_leaves_alone_what_it_does_not_end(db):
    future = window(ends_at=NOW + dt.timedelta(days=1))
    open_ended = CommitmentFactory(shape="window")
    ReadingFactory(commitment=open_ended, ends_at=None, is_open_ended=True)
    announced = window(status="announced")
    collapsed = window(status="collapsed")
    deliverable = CommitmentFactory(shape="deliverable")
    ReadingFactory(commitment=deliverable, ends_at=ENDED)
    process = CommitmentFactory(shape="process")
    ReadingFactory(commitment=process, ends_at=ENDED)
    only_another_reading_ended = window(ends_at=NOW + dt.timedelta(days=7))
    ReadingFactory(commitment=only_another_reading_ended, is_working=False, ends_at=ENDED)

    assert expire_due_windows() == []

    statuses = Commitment.objects.in_bulk(
        [
            c.pk
            for c in (
                future,
                open_ended,
                announced,
                collapsed,
                deliverable,
                process,
                only_another_reading_ended,
            )
        ]
    )
    assert [statuses[c.pk].status for c in (future, open_ended, announced, collapsed)] == [
        "in_force",
        "in_force",
        "announced",
        "collapsed",
    ]
    assert statuses[deliverable.pk].status == "in_force"
    assert statuses[process.pk].status == "in_force"
    assert statuses[only_another_reading_ended.pk].status == "in_force"


def test_a_second_sweep_changes_nothing(db):
    window()
    window()

    first = expire_due_windows()
    second = expire_due_windows()

    assert len(first) == 2
    assert second == []
    assert StatusChange.objects.count() == 2


def test_the_sweep_can_be_asked_about_another_instant(db):
    commitment = window(ends_at=NOW + dt.timedelta(days=3))

    assert expire_due_windows(now=NOW + dt.timedelta(days=2)) == []
    assert len(expire_due_windows(now=NOW + dt.timedelta(days=3))) == 1
    assert reload(commitment).status == "expired"


def test_the_history_of_an_expiry_names_the_clock_and_no_user(db):
    commitment = window()

    expire_due_windows()

    latest = reload(commitment).history.first()
    assert latest.status == "expired"
    assert latest.history_change_reason == "window ended"
    assert latest.history_user is None


def test_one_window_that_cannot_expire_does_not_hold_back_the_others(db, caplog):
    first = window(ends_at=ENDED - dt.timedelta(days=1))
    second = window(ends_at=ENDED)

    def refuse_the_first(sender, change, **kwargs):
        if change.commitment_id == first.pk:
            raise RuntimeError("outbox unavailable")

    services.status_changed.connect(refuse_the_first)
    try:
        changes = expire_due_windows()
    finally:
        services.status_changed.disconnect(refuse_the_first)

    assert [c.commitment_id for c in changes] == [second.pk]
    assert reload(first).status == "in_force"
    assert reload(second).status == "expired"
    assert f"Could not expire commitment {first.pk}" in caplog.text


def test_an_edit_cannot_give_a_commitment_a_shape_its_status_does_not_fit(db, editor):
    commitment = CommitmentFactory(shape="window", status="expired")
    commitment.shape = "deliverable"

    with pytest.raises(services.InvalidTerms) as refused:
        services.save_record(commitment, actor=editor, reason="It was an exchange")

    assert refused.value.message_dict["shape"] == [
        "A deliverable commitment cannot be expired; correct the status first."
    ]
    assert reload(commitment).shape == "window"


# A new commitment's status ------------------------------------------------------------


def test_a_new_commitments_status_dates_from_its_own_creation_not_an_earlier_ones(db, editor):
    def create(slug: str):
        return services.create_commitment(
            actor=editor,
            reason="Kremlin readout of the call",
            agreement=AgreementFactory(),
            title=slug,
            slug=slug,
            category="energy",
            shape="window",
        )

    first = create("first")
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        second = create("second")

    assert reload(first).status_changed_at == NOW
    assert reload(second).status_changed_at == NOW + dt.timedelta(days=3)
