"""Lifecycle rules for commitments, with no database.

A commitment is announced, enters into force, and ends in exactly one way:
fulfilled, expired (its window ran out), collapsed (repudiated, withdrawn, or
freed by the other side's violation) or superseded. While in force it may be
suspended and resumed. Ending states are final; getting out of one is a
correction of the record, not a transition, and needs its own permission.

``Status`` and ``Shape`` are also the choices of the models' fields, so the
values and their translated labels are written once, here.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class Status(TextChoices):
    ANNOUNCED = "announced", _("announced")
    IN_FORCE = "in_force", _("in force")
    SUSPENDED = "suspended", _("suspended")
    FULFILLED = "fulfilled", _("fulfilled")
    EXPIRED = "expired", _("expired")
    COLLAPSED = "collapsed", _("collapsed")
    SUPERSEDED = "superseded", _("superseded")

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES

    @property
    def is_live(self) -> bool:
        """Whether the clock can still end it: the states a sweep looks at."""
        return self in (Status.IN_FORCE, Status.SUSPENDED)


class Shape(TextChoices):
    WINDOW = "window", _("window")
    DELIVERABLE = "deliverable", _("deliverable")
    PROCESS = "process", _("process")

    @property
    def in_words(self) -> str:
        """The shape as readers would put it; "window" and "deliverable" are the tracker's words."""
        return str(SHAPE_IN_WORDS[self])


SHAPE_IN_WORDS = {
    Shape.WINDOW: _("in force for a set period"),
    Shape.DELIVERABLE: _("a one-off act, such as an exchange"),
    Shape.PROCESS: _("talks or measures still to be worked out"),
}


FINAL_STATUSES = frozenset({Status.FULFILLED, Status.EXPIRED, Status.COLLAPSED, Status.SUPERSEDED})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.ANNOUNCED: frozenset(
        {Status.IN_FORCE, Status.FULFILLED, Status.COLLAPSED, Status.SUPERSEDED}
    ),
    Status.IN_FORCE: frozenset(
        {Status.SUSPENDED, Status.FULFILLED, Status.EXPIRED, Status.COLLAPSED, Status.SUPERSEDED}
    ),
    Status.SUSPENDED: frozenset(
        {Status.IN_FORCE, Status.EXPIRED, Status.COLLAPSED, Status.SUPERSEDED}
    ),
    Status.FULFILLED: frozenset(),
    Status.EXPIRED: frozenset(),
    Status.COLLAPSED: frozenset(),
    Status.SUPERSEDED: frozenset(),
}

# The instants of a working reading that are a commitment's deadlines, by its shape:
# a window ends, a deliverable falls due, and a process may have both, a due date
# for its next milestone and an end. Subscribers are warned before each and told
# when it passes (a window by its expiry; the others stay as they are, overdue).
DEADLINE_FIELDS: dict[Shape, tuple[str, ...]] = {
    Shape.WINDOW: ("ends_at",),
    Shape.DELIVERABLE: ("due_at",),
    Shape.PROCESS: ("due_at", "ends_at"),
}


def shapes_with_deadline(field: str) -> list[Shape]:
    """The shapes for which a reading's ``field`` ("ends_at", "due_at") is a deadline."""
    return [shape for shape, fields in DEADLINE_FIELDS.items() if field in fields]


# Only windows run out by the clock; only acts and processes get done.
STATUSES_FOR_SHAPE: dict[Shape, frozenset[Status]] = {
    Shape.WINDOW: frozenset(Status) - {Status.FULFILLED},
    Shape.DELIVERABLE: frozenset(Status) - {Status.EXPIRED},
    Shape.PROCESS: frozenset(Status) - {Status.EXPIRED},
}


class TransitionRefused(ValueError):
    """A lifecycle move that the rules do not allow, with the reason in words."""


def check_transition(
    current: Status | str, target: Status | str, shape: Shape | str, *, correction: bool = False
) -> None:
    """Raise ``TransitionRefused`` unless ``current → target`` is allowed.

    A correction may move between any two states the shape allows, because
    its purpose is to fix a record that was wrong; it still cannot be a no-op.
    """
    current, target, shape = _status(current), _status(target), _shape(shape)
    if current == target:
        raise TransitionRefused(f"The commitment is already {target.label}.")
    if target not in STATUSES_FOR_SHAPE[shape]:
        raise TransitionRefused(f"A {shape.value} commitment cannot become {target.label}.")
    if correction:
        return
    if target not in TRANSITIONS[current]:
        if current.is_final:
            raise TransitionRefused(
                f"{capfirst(current.label)} is final; use a correction to change it to "
                f"{target.label}."
            )
        raise TransitionRefused(f"A commitment cannot go from {current.label} to {target.label}.")


def _status(value: Status | str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise TransitionRefused(f"“{value}” is not a lifecycle status.") from None


def _shape(value: Shape | str) -> Shape:
    try:
        return Shape(value)
    except ValueError:
        raise TransitionRefused(f"“{value}” is not a commitment shape.") from None


def allowed_targets(current: Status | str, shape: Shape | str) -> list[Status]:
    """The states an ordinary transition can reach, in lifecycle order."""
    current, shape = _status(current), _shape(shape)
    return [s for s in Status if s in TRANSITIONS[current] and s in STATUSES_FOR_SHAPE[shape]]


def correction_targets(current: Status | str, shape: Shape | str) -> list[Status]:
    """The states a correction can reach: any other state the shape allows."""
    current, shape = _status(current), _shape(shape)
    return [s for s in Status if s != current and s in STATUSES_FOR_SHAPE[shape]]
