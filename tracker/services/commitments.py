"""Actions on commitments: creating and saving records, changing a status (and
the clock's expiry of ended windows), and the readings of the terms."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from tracker import clock, public, revisions, translated, words
from tracker.ledger import changes as ledger
from tracker.models import (
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    Party,
    Reading,
    Source,
    StatusChange,
    has_control_characters,
)
from tracker.models.validators import BEFORE_1900, EARLIEST_INSTANT
from tracker.services import base, editing
from tracker.services.base import (
    CLOCK,
    InvalidEvent,
    InvalidRecord,
    InvalidTerms,
    InvalidText,
    NotPermitted,
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
@ledger.recorded
def save_record(obj, *, actor, reason: str):
    """Create or edit a record's ordinary fields.

    Status, verification, publication and the working reading have their own
    services below; this one never changes them. New events go through
    ``record_event``, which also records who reported them. An edit of a
    stored record goes through ``editing.edit_record``: while the record is on
    the public record, it waits for a reviewer.
    """
    model = type(obj)._meta
    action = "change" if obj.pk else "add"
    base.require(
        actor, f"tracker.{action}_{model.model_name}", f"{action} {model.verbose_name_plural}"
    )
    reason = base.require_reason(reason)
    if isinstance(obj, ComplianceEvent) and obj.pk is None:
        raise InvalidEvent("Record a new event with record_event().")
    if obj.pk is not None and revisions.revisable(type(obj)) is not None:
        editing.edit_record(obj, actor=actor, reason=reason)
        return obj
    if editing.is_row_of_public_record(obj):
        raise InvalidRecord(
            f"This {model.verbose_name} is part of a published record: change it on that "
            "record's page, where the change waits for a reviewer.",
            code="part_of_public_record",
        )
    base.keep_service_fields(obj)
    base.save(obj, actor=actor, reason=reason)
    return obj


@in_english
@transaction.atomic
@ledger.recorded
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
@ledger.recorded
def change_status(
    commitment: Commitment,
    to_status: Status | str,
    *,
    actor,
    reason: str,
    effective_at: dt.datetime | None = None,
    precision: str = clock.Precision.MINUTE,
    time_zone: str = "UTC",
    correction: bool = False,
    reason_in: Mapping[str, str] | None = None,
    already_locked: bool = False,
) -> StatusChange:
    """Move a commitment to ``to_status`` and log the transition.

    The row is locked and re-read first, so two people changing the same
    commitment at once queue up and the second is judged against the first's
    result instead of overwriting it. ``effective_at`` is when the change
    happened in the world (the end of a window, the day a party withdrew);
    it defaults to now, and people cannot date a change in the future (the
    clock may: a sweep can be asked about any instant). ``precision`` and
    ``time_zone`` say how exactly that time was given and on which clock
    ("fulfilled on 19 March", Kyiv time, is a day), so every page says the
    change as it was meant. ``reason`` is in English, as every service
    writes; ``reason_in`` may give it in other languages, by column
    (``{"reason_uk": …, "reason_ru": …}``), for the public pages.
    ``already_locked``: the caller read ``commitment`` under its row lock in this
    transaction (the sweep), so it is not read again.
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
    if precision not in clock.Precision.values:
        raise TransitionNotAllowed(f"“{precision}” is not a precision: say day, hour or minute.")
    if not clock.is_known_zone(time_zone):
        raise TransitionNotAllowed(f"“{time_zone}” is not an IANA time zone name.")
    translations = _reason_translations(reason_in)
    if already_locked and transaction.get_connection().in_atomic_block:
        locked = commitment
    else:
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if locked.is_published and not editing.may_publish(actor):
        raise NotPermitted(
            "A published commitment's status changes only by a reviewer: every change "
            "of it alerts the commitment's subscribers.",
            code="not_permitted",
        )
    try:
        check_transition(locked.status, to_status, locked.shape, correction=correction)
    except TransitionRefused as exc:
        raise TransitionNotAllowed(str(exc), code="transition_not_allowed") from exc

    from_status = locked.status
    locked.status = Status(to_status).value
    locked.status_changed_at = effective_at
    locked.status_changed_precision = precision
    locked.status_changed_zone = time_zone
    history_reason = f"{words.CORRECTION}{reason}" if correction else reason
    base.save(locked, actor=actor, reason=history_reason, validate=False)
    change = StatusChange.objects.create(
        commitment=locked,
        from_status=from_status,
        to_status=locked.status,
        effective_at=effective_at,
        precision=precision,
        time_zone=time_zone,
        recorded_at=now,
        reason=reason,
        **translations,
        is_correction=correction,
        actor=role_of(actor),
        user=base.user_of(actor),
    )
    commitment.status = locked.status
    commitment.status_changed_at = locked.status_changed_at
    commitment.status_changed_precision = precision
    commitment.status_changed_zone = time_zone
    status_changed.send(sender=Commitment, change=change)
    return change


def _reason_translations(given: Mapping[str, str] | None) -> dict[str, str]:
    """A status change's reason in other languages, by column, refused if it is not text."""
    allowed = {f"reason_{language}" for language in translated.TRANSLATIONS}
    given = dict(given or {})
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise InvalidTerms(f"No such translation of a reason: {', '.join(unknown)}.")
    for column, text in given.items():
        if not isinstance(text, str) or has_control_characters(text, multiline=True):
            raise InvalidText({column: [base.CONTROL_CHARACTERS]}, code="control_characters")
    return {column: text.strip() or None for column, text in given.items()}


WINDOW_ENDED = words.WINDOW_ENDED


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
@ledger.recorded
def _expire_if_due(pk: int, now: dt.datetime) -> StatusChange | None:
    commitment = Commitment.objects.select_for_update().get(pk=pk)
    if not Status(commitment.status).is_live:
        return None  # another sweep, or a person, got there first
    working = public.working_reading(commitment)
    if working is None or working.ends_at is None or working.ends_at > now:
        return None  # extended, reopened or withdrawn since the list was read
    return change_status(
        commitment,
        Status.EXPIRED,
        actor=CLOCK,
        reason=WINDOW_ENDED,
        effective_at=working.ends_at,
        precision=working.precision,
        time_zone=working.time_zone,
        already_locked=True,
    )


# Readings ---------------------------------------------------------------------


@in_english
@transaction.atomic
@ledger.recorded
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
    both happen in one transaction. On a published commitment the choice of
    working reading is an edit of the commitment like any other
    (``make_working``).
    """
    base.require(actor, "tracker.add_reading", "add readings")
    reason = base.require_reason(reason)
    reading = Reading(commitment=commitment, **terms)
    base.keep_service_fields(reading)
    base.save(reading, actor=actor, reason=reason)
    base.set_sources(reading, sources)
    if working:
        _choose_working(reading, actor=actor, reason=reason)
    return reading


@in_english
@transaction.atomic
@ledger.recorded
def update_reading(reading: Reading, *, actor, reason: str, **changes) -> Reading:
    """Edit a reading's terms, by the rule for ends and durations in ``Reading.change_terms``.

    Without ``changes``, the reading's fields are taken as they are in memory.
    A published reading's new terms wait for a reviewer (``editing.edit_record``).
    """
    base.require(actor, "tracker.change_reading", "change readings")
    reason = base.require_reason(reason)
    if "is_working" in changes:
        raise WorkingReadingConflict("Use make_working() to choose the working reading.")
    if "is_published" in changes:
        raise PublishingRefused("Publish or unpublish a reading with publish() or unpublish().")
    if changes:
        sources = changes.pop("sources", None)
        if "ends_at" in changes and "duration_days" not in changes:
            changes["duration_days"] = None
        if sources is not None:
            changes["sources"] = list(sources)
        editing.edit_record(reading, changes, actor=actor, reason=reason)
    else:
        editing.edit_record(reading, actor=actor, reason=reason)
    return reading


def _choose_working(reading: Reading, *, actor, reason: str) -> None:
    commitment = Commitment.objects.select_for_update().get(pk=reading.commitment_id)
    if public.is_on_record(commitment):
        editing.edit_record(commitment, {"working_reading": reading.pk}, actor=actor, reason=reason)
    else:
        editing.set_working_reading(commitment, reading.pk, actor=actor, reason=reason)
    reading.refresh_from_db()


@in_english
@transaction.atomic
@ledger.recorded
def make_working(reading: Reading, *, actor, reason: str) -> Reading:
    """Make ``reading`` the one that drives status and alerts.

    On a published commitment this changes what the public sees (its dates,
    its expiry, its alerts), so it waits for a reviewer like any other edit
    of the commitment, and a reviewer publishes the reading first.
    """
    base.require(actor, "tracker.change_reading", "choose the working reading")
    reason = base.require_reason(reason)
    _choose_working(reading, actor=actor, reason=reason)
    return reading


@in_english
@transaction.atomic
@ledger.recorded
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
    original duration, from the end as it will be once changes waiting for a
    reviewer are published. A published reading's new end waits for a reviewer.
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
    ends_at = revisions.python_value(Reading, "ends_at", editing.head(reading)["ends_at"])
    if ends_at is None:
        raise InvalidTerms("An open-ended window has no end to move.")
    if extra_days is not None:
        if extra_days <= 0:
            raise InvalidTerms("An extension must add at least one day.")
        try:
            new_end = clock.add_days(ends_at, extra_days, reading.time_zone)
        except ValueError as exc:
            raise InvalidTerms(str(exc)) from exc
    if timezone.is_naive(new_end):
        raise InvalidTerms("Say in which time zone the new end is.")
    if new_end <= ends_at:
        raise InvalidTerms("An extension must move the end later.")
    editing.edit_record(
        reading,
        {"ends_at": new_end, "duration_days": None},
        actor=actor,
        reason=f"{words.EXTENDED}{reason}",
    )
    return reading


# Compliance events -------------------------------------------------------------
