"""Lifecycle rules: which status changes a commitment may make, for every shape."""

import itertools

import pytest
from django.utils import translation

from tracker.status import (
    Shape,
    Status,
    TransitionRefused,
    allowed_targets,
    check_transition,
    correction_targets,
)

# The specification, written out by hand rather than read from the module.
ORDINARY_TRANSITIONS = {
    ("announced", "in_force"),
    ("announced", "fulfilled"),
    ("announced", "collapsed"),
    ("announced", "superseded"),
    ("in_force", "suspended"),
    ("in_force", "fulfilled"),
    ("in_force", "expired"),
    ("in_force", "collapsed"),
    ("in_force", "superseded"),
    ("suspended", "in_force"),
    ("suspended", "expired"),
    ("suspended", "collapsed"),
    ("suspended", "superseded"),
}
NEVER_FOR_SHAPE = {
    "window": {"fulfilled"},  # a window runs out; it is not "done"
    "deliverable": {"expired"},  # an act is done or not; no clock ends it
    "process": {"expired"},
}
FINAL = ["fulfilled", "expired", "collapsed", "superseded"]
EVERY_TRIPLE = list(itertools.product(Status, Status, Shape))


def _label(triple):
    current, target, shape = triple
    return f"{shape.value}:{current.value}->{target.value}"


@pytest.mark.parametrize("triple", EVERY_TRIPLE, ids=_label)
def test_every_ordinary_transition_is_allowed_exactly_when_the_lifecycle_says_so(triple):
    current, target, shape = triple
    allowed = (current.value, target.value) in ORDINARY_TRANSITIONS and target.value not in (
        NEVER_FOR_SHAPE[shape.value]
    )

    if allowed:
        check_transition(current, target, shape)
    else:
        with pytest.raises(TransitionRefused):
            check_transition(current, target, shape)


@pytest.mark.parametrize("triple", EVERY_TRIPLE, ids=_label)
def test_a_correction_may_reach_any_other_state_the_shape_allows(triple):
    current, target, shape = triple
    allowed = current != target and target.value not in NEVER_FOR_SHAPE[shape.value]

    if allowed:
        check_transition(current, target, shape, correction=True)
    else:
        with pytest.raises(TransitionRefused):
            check_transition(current, target, shape, correction=True)


def test_fulfilled_to_in_force_is_refused_and_points_to_the_correction_path():
    with pytest.raises(TransitionRefused, match="Fulfilled is final; use a correction"):
        check_transition("fulfilled", "in_force", "deliverable")

    check_transition("fulfilled", "in_force", "deliverable", correction=True)


def test_a_window_cannot_be_fulfilled_and_says_so():
    with pytest.raises(TransitionRefused, match="A window commitment cannot become fulfilled."):
        check_transition("in_force", "fulfilled", "window")


def test_a_deliverable_cannot_expire_even_by_correction():
    with pytest.raises(TransitionRefused, match="A deliverable commitment cannot become expired."):
        check_transition("fulfilled", "expired", "deliverable", correction=True)


def test_a_change_to_the_same_status_is_refused():
    with pytest.raises(TransitionRefused, match="already in force"):
        check_transition("in_force", "in_force", "window")
    with pytest.raises(TransitionRefused, match="already expired"):
        check_transition("expired", "expired", "window", correction=True)


def test_announced_cannot_skip_to_suspended():
    with pytest.raises(
        TransitionRefused, match="A commitment cannot go from announced to suspended."
    ):
        check_transition("announced", "suspended", "window")


@pytest.mark.parametrize(
    ("current", "target", "shape"),
    [("in_force", "paused", "window"), ("open", "expired", "window"), ("in_force", "expired", "x")],
)
def test_an_unknown_status_or_shape_is_refused_with_its_name(current, target, shape):
    with pytest.raises(TransitionRefused, match="is not a"):
        check_transition(current, target, shape)


@pytest.mark.parametrize("status", FINAL)
def test_final_states_are_final_and_not_watched_by_the_clock(status):
    assert Status(status).is_final
    assert not Status(status).is_live
    assert allowed_targets(status, "window") == []


def test_only_in_force_and_suspended_are_watched_by_the_clock():
    assert [s.value for s in Status if s.is_live] == ["in_force", "suspended"]


def test_allowed_targets_lists_the_ordinary_moves_in_lifecycle_order():
    assert allowed_targets("in_force", "window") == [
        Status.SUSPENDED,
        Status.EXPIRED,
        Status.COLLAPSED,
        Status.SUPERSEDED,
    ]
    assert allowed_targets("announced", "deliverable") == [
        Status.IN_FORCE,
        Status.FULFILLED,
        Status.COLLAPSED,
        Status.SUPERSEDED,
    ]


def test_correction_targets_are_every_other_state_the_shape_allows():
    assert correction_targets("expired", "window") == [
        Status.ANNOUNCED,
        Status.IN_FORCE,
        Status.SUSPENDED,
        Status.COLLAPSED,
        Status.SUPERSEDED,
    ]


def test_every_status_has_a_label_in_the_readers_language():
    assert [str(s.label) for s in Status] == [
        "announced",
        "in force",
        "suspended",
        "fulfilled",
        "expired",
        "collapsed",
        "superseded",
    ]
    with translation.override("uk"):
        assert str(Status.IN_FORCE.label) == "діє"
