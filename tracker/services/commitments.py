"""Actions on commitments: creating and saving records, changing a status (and
the clock's expiry of ended windows), and the readings of the terms."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from tracker import clock, public
from tracker.models import (
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    Party,
    Reading,
    Source,
    StatusChange,
)
from tracker.models.validators import BEFORE_1900, EARLIEST_INSTANT
from tracker.services import base
from tracker.services.base import (
    CLOCK,
    InvalidEvent,
    InvalidTerms,
    PublishingRefused,
    SystemActor,
    TransitionNotAllowed,
    WorkingReadingConflict,
    in_english,
    role_of,
    status_changed,
)
from tracker.status import Shape, Status, TransitionRefused, check_transition

logger = logging.getLogger(__name__)


@in_english
@transaction.atomic
def save_record(obj, *, actor, reason: str):
    """Create or edit a record's ordinary fields.

    Status, verification, publication and the working reading have their own
    services below; this one never changes them. New events go through
    ``record_event``, which also records who reported them.
    """
    model = type(obj)._meta
    action = "change" if obj.pk else "add"
    base.require(
        actor, f"tracker.{action}_{model.model_name}", f"{action} {model.verbose_name_plural}"
    )
    reason = base.require_reason(reason)
    if isinstance(obj, ComplianceEvent) and obj.pk is None:
        raise InvalidEvent("Record a new event with record_event().")
    base.keep_service_fields(obj)
    base.save(obj, actor=actor, reason=reason)
    return obj


@in_english
@transaction.atomic
def create_commitment(
    *,
    actor,
    reason: str,
    roles: Iterable[tuple[Party, str]] = (),
    **fields,
) -> Commitment:
    """Create a commitment (announced, unpublished) with its party roles."""
    base.require(actor, "tracker.add_commitment", "add commitments")
    reason = base.require_reason(reason)
    commitment = Commitment(**fields)
    base.keep_service_fields(commitment)
    base.save(commitment, actor=actor, reason=reason)
    for party, role in roles:
        role_row = CommitmentParty(commitment=commitment, party=party, role=role)
        base.save(role_row, actor=actor, reason=reason)
    return commitment


# Status -----------------------------------------------------------------------


@in_english
@transaction.atomic
def change_status(
    commitment: Commitment,
    to_status: Status | str,
    *,
    actor,
    reason: str,
    effective_at: dt.datetime | None = None,
    correction: bool = False,
) -> StatusChange:
    """Move a commitment to ``to_status`` and log the transition.

    The row is locked and re-read first, so two people changing the same
    commitment at once queue up and the second is judged against the first's
    result instead of overwriting it. ``effective_at`` is when the change
    happened in the world (the end of a window, the day a party withdrew);
    it defaults to now, and people cannot date a change in the future (the
    clock may: a sweep can be asked about any instant).
    """
    if correction:
        base.require(actor, "tracker.correct_commitment_status", "correct a final status")
    else:
        base.require(actor, "tracker.change_commitment_status", "change a commitment's status")
    reason = base.require_reason(reason)
    now = timezone.now()
    if effective_at is None:
        effective_at = now
    elif timezone.is_naive(effective_at):
        raise TransitionNotAllowed("Say in which time zone the change took effect.")
    elif effective_at > now and not isinstance(actor, SystemActor):
        raise TransitionNotAllowed("A change cannot take effect in the future; record it then.")
    elif effective_at < EARLIEST_INSTANT:
        raise TransitionNotAllowed(BEFORE_1900, code="before_1900")
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    try:
        check_transition(locked.status, to_status, locked.shape, correction=correction)
    except TransitionRefused as exc:
        raise TransitionNotAllowed(str(exc), code="transition_not_allowed") from exc

    from_status = locked.status
    locked.status = Status(to_status).value
    locked.status_changed_at = effective_at
    history_reason = f"Correction: {reason}" if correction else reason
    base.save(locked, actor=actor, reason=history_reason, validate=False)
    change = StatusChange.objects.create(
        commitment=locked,
        from_status=from_status,
        to_status=locked.status,
        effective_at=effective_at,
        recorded_at=now,
        reason=reason,
        is_correction=correction,
        actor=role_of(actor),
        user=base.user_of(actor),
    )
    commitment.status = locked.status
    commitment.status_changed_at = locked.status_changed_at
    status_changed.send(sender=Commitment, change=change)
    return change


WINDOW_ENDED = "window ended"


def expire_due_windows(now: dt.datetime | None = None) -> list[StatusChange]:
    """Expire every live window whose working end has passed. This is where commitments expire.

    The clock follows the published terms only (``tracker.public``): a
    working reading that staff have not published yet, or a commitment that
    is not public, expires nothing. Each expiry is its own transaction, so
    one failure cannot hold back the rest. Whether a commitment is still due
    is decided again under its row lock: a concurrent sweep may have expired
    it, or a reviewer extended it, since the list was read.
    """
    now = now or timezone.now()
    due = (
        public.windows_ended_by(now)
        .order_by("ends_at", "commitment_id")
        .values_list("commitment_id", flat=True)
    )
    changes = []
    for pk in list(due):
        try:
            change = _expire_if_due(pk, now)
        except Exception:
            logger.exception("Could not expire commitment %s", pk)
            continue
        if change is not None:
            changes.append(change)
    return changes


@transaction.atomic
def _expire_if_due(pk: int, now: dt.datetime) -> StatusChange | None:
    commitment = Commitment.objects.select_for_update().get(pk=pk)
    if not Status(commitment.status).is_live:
        return None  # another sweep, or a person, got there first
    working = public.working_reading(commitment)
    if working is None or working.ends_at is None or working.ends_at > now:
        return None  # extended, reopened or withdrawn since the list was read
    return change_status(
        commitment, Status.EXPIRED, actor=CLOCK, reason=WINDOW_ENDED, effective_at=working.ends_at
    )


# Readings ---------------------------------------------------------------------


@in_english
@transaction.atomic
def add_reading(
    commitment: Commitment,
    *,
    actor,
    reason: str,
    working: bool = False,
    sources: Iterable[Source] | None = None,
    **terms,
) -> Reading:
    """Record a reading of the terms; with ``working=True`` it replaces the working one.

    If the new reading is refused, the old working reading stays working:
    both happen in one transaction.
    """
    base.require(actor, "tracker.add_reading", "add readings")
    reason = base.require_reason(reason)
    reading = Reading(commitment=commitment, **terms)
    base.keep_service_fields(reading)
    if working:
        Commitment.objects.select_for_update().get(pk=commitment.pk)
        # A new reading starts unpublished: the public must not read why it was added.
        _unset_working(
            commitment.pk, except_pk=None, actor=actor, reason=reason, new_is_public=False
        )
        reading.is_working = True
    base.save(reading, actor=actor, reason=reason)
    base.set_sources(reading, sources)
    return reading


@in_english
@transaction.atomic
def update_reading(reading: Reading, *, actor, reason: str, **changes) -> Reading:
    """Edit a reading's terms, by the rule for ends and durations in ``Reading.change_terms``."""
    base.require(actor, "tracker.change_reading", "change readings")
    reason = base.require_reason(reason)
    if "is_working" in changes:
        raise WorkingReadingConflict("Use make_working() to choose the working reading.")
    if "is_published" in changes:
        raise PublishingRefused("Publish or unpublish a reading with publish() or unpublish().")
    sources = changes.pop("sources", None)
    reading.change_terms(**changes)
    base.keep_service_fields(reading)
    base.save(reading, actor=actor, reason=reason)
    base.set_sources(reading, sources)
    return reading


NO_LONGER_WORKING = "No longer the working reading"


def _unset_working(commitment_pk, *, except_pk, actor, reason, new_is_public: bool) -> None:
    """Stop the commitment's other readings being working, saying why in their history.

    The reason given for the new working reading is quoted only when that
    reading is public: the old one may well be public, and its history
    reason shows on the changes page and feed, where a draft's must not.
    """
    current = (
        Reading.objects.select_for_update()
        .filter(commitment_id=commitment_pk, is_working=True)
        .exclude(pk=except_pk)
    )
    why = f"{NO_LONGER_WORKING}: {reason}" if new_is_public else f"{NO_LONGER_WORKING}."
    for old in current:
        old.is_working = False
        base.save(old, actor=actor, reason=why, validate=False)


@in_english
@transaction.atomic
def make_working(reading: Reading, *, actor, reason: str) -> Reading:
    """Make ``reading`` the one that drives status and alerts."""
    base.require(actor, "tracker.change_reading", "choose the working reading")
    reason = base.require_reason(reason)
    Commitment.objects.select_for_update().get(pk=reading.commitment_id)
    locked = Reading.objects.select_for_update().get(pk=reading.pk)
    if not locked.is_working:
        new_is_public = public.readings().filter(pk=locked.pk).exists()
        _unset_working(
            locked.commitment_id,
            except_pk=locked.pk,
            actor=actor,
            reason=reason,
            new_is_public=new_is_public,
        )
        locked.is_working = True
        base.save(locked, actor=actor, reason=reason, validate=False)
    reading.is_working = True
    return locked


@in_english
@transaction.atomic
def extend_window(
    commitment: Commitment,
    *,
    actor,
    reason: str,
    new_end: dt.datetime | None = None,
    extra_days: int | None = None,
) -> Reading:
    """Move the end of the working reading later. Renewal after expiry is a new commitment.

    Extra days are counted on the wall clock of the reading's zone, like the
    original duration.
    """
    base.require(actor, "tracker.change_reading", "extend a window")
    reason = base.require_reason(reason)
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if locked.shape != Shape.WINDOW:
        raise InvalidTerms("Only a window can be extended.")
    if Status(locked.status).is_final:
        raise TransitionNotAllowed(
            f"The commitment is {locked.get_status_display()}; "
            "a renewal after it ended is a new commitment that renews this one."
        )
    reading = locked.readings.select_for_update().filter(is_working=True).first()
    if reading is None:
        raise InvalidTerms("The commitment has no working reading to extend.")
    if (new_end is None) == (extra_days is None):
        raise InvalidTerms("Give either a new end or a number of days to add.")
    if reading.ends_at is None:
        raise InvalidTerms("An open-ended window has no end to move.")
    if extra_days is not None:
        if extra_days <= 0:
            raise InvalidTerms("An extension must add at least one day.")
        try:
            new_end = clock.add_days(reading.ends_at, extra_days, reading.time_zone)
        except ValueError as exc:
            raise InvalidTerms(str(exc)) from exc
    if timezone.is_naive(new_end):
        raise InvalidTerms("Say in which time zone the new end is.")
    if new_end <= reading.ends_at:
        raise InvalidTerms("An extension must move the end later.")
    reading.change_terms(ends_at=new_end)
    base.save(reading, actor=actor, reason=f"Extended: {reason}")
    return reading


# Compliance events -------------------------------------------------------------
