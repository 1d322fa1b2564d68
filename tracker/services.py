"""Every write that changes what a commitment *is*.

Status transitions, readings, compliance events, verification and
publication all go through here, whoever asks: the admin, the alert sweep,
the demo loader or a test. Each function checks the actor's permission,
validates, writes inside one transaction, and leaves a history row that says
who did it and why. Anything refused raises a subclass of ``TrackerError``,
which is also a ``ValidationError`` so forms can show it as it is.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone, translation
from modeltranslation.fields import TranslationField

from tracker import clock, duplicates, public
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    EventKind,
    Party,
    Reading,
    Source,
    StatusChange,
    Verification,
    has_control_characters,
)
from tracker.status import Shape, Status, TransitionRefused, check_transition

logger = logging.getLogger(__name__)

# Sent inside the transaction that made the change, so a receiver that writes
# (the alert outbox) commits or rolls back together with it.
status_changed = Signal()  # sender=Commitment, change=StatusChange
event_verified = Signal()  # sender=ComplianceEvent, event=..., previous=str


class TrackerError(ValidationError):
    """Base of every refusal the services raise."""


class NotPermitted(TrackerError):
    """The actor lacks the permission this change needs."""


class MissingReason(TrackerError):
    """Every change is recorded with a reason; none was given."""


class TransitionNotAllowed(TrackerError):
    """The lifecycle rules do not allow this status change."""


class InvalidRecord(TrackerError):
    """A record's values are invalid; the message says which and why."""


class InvalidText(InvalidRecord):
    """A text holds a NUL byte or another control character."""


class InvalidTerms(InvalidRecord):
    """A commitment's or reading's terms are invalid (end before start, unknown zone…)."""


class InvalidSource(InvalidRecord):
    """A source cannot be used as given (no URL, not saved yet)."""


class InvalidEvent(InvalidRecord):
    """A compliance event's values are invalid (negative count, self-accusation…)."""


class WorkingReadingConflict(TrackerError):
    """A commitment has one working reading, chosen only through make_working or add_reading."""


class PublishingRefused(TrackerError):
    """The record cannot be published or unpublished this way."""


@dataclass(frozen=True)
class SystemActor:
    """A non-human author of a change: the clock, or a data import."""

    role: str

    def __str__(self) -> str:
        return self.role


CLOCK = SystemActor(StatusChange.Actor.CLOCK)
IMPORT = SystemActor(StatusChange.Actor.IMPORT)


def _user(actor):
    return None if isinstance(actor, SystemActor) else actor


def _require(actor, permission: str, doing: str) -> None:
    """System actors may do anything the rules allow; people need the permission."""
    if isinstance(actor, SystemActor):
        return
    if actor is None or not actor.is_authenticated or not actor.has_perm(permission):
        raise NotPermitted(f"You are not allowed to {doing}.", code="not_permitted")


CONTROL_CHARACTERS = (
    "Remove the control characters (such as NUL bytes or escape codes) from this text."
)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise MissingReason("Say why: every change needs a reason.", code="reason_required")
    if has_control_characters(reason, multiline=True):
        raise InvalidText({"reason": [CONTROL_CHARACTERS]}, code="control_characters")
    return reason


def in_english(service):
    """Run a service in English, whatever language the person calling it reads in.

    A translated text's plain name stands for its English text here:
    ``title="…"`` sets the English title, and the plain ``title`` column, the
    one the history and the open data's English columns read, always holds
    the English text. Translations are given by their own names
    (``title_uk="…"``, ``title_ru="…"``); see ``tracker.translation``.
    """

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            return service(*args, **kwargs)

    return wrapper


def _is_english_column(field) -> bool:
    """The English column of a translated text, checked under the text's plain name instead."""
    return (
        isinstance(field, TranslationField)
        and field.language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    )


def _refuse_control_characters(obj) -> None:
    """Refuse text no field should hold, before anything reaches the database with it.

    Every translation is checked too, under its own name (``summary_uk``).
    """
    errors = {}
    for field in obj._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if _is_english_column(field):
            continue
        value = getattr(obj, field.attname)
        multiline = isinstance(field, models.TextField)
        if isinstance(value, str) and has_control_characters(value, multiline=multiline):
            errors[field.name] = [CONTROL_CHARACTERS]
    if errors:
        raise InvalidText(errors, code="control_characters")


def role_of(actor) -> str:
    """How the public sees who made a change: a role, never a name."""
    if isinstance(actor, SystemActor):
        return actor.role
    if actor.groups.filter(name="Reviewers").exists():
        return StatusChange.Actor.REVIEWER
    if actor.groups.filter(name="Editors").exists():
        return StatusChange.Actor.EDITOR
    return StatusChange.Actor.STAFF


def _error_class_for(obj) -> type[InvalidRecord]:
    if isinstance(obj, ComplianceEvent | DeliveredQuantity):
        return InvalidEvent
    if isinstance(obj, Source):
        return InvalidSource
    if isinstance(obj, Commitment | CommitmentParty | Reading):
        return InvalidTerms
    return InvalidRecord


def _save(obj, *, actor, reason: str, validate: bool = True) -> None:
    """Validate, then save ``obj`` with the history user and reason set."""
    if validate:
        _refuse_control_characters(obj)
        try:
            obj.full_clean()
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise _error_class_for(obj)(detail) from exc
    obj._change_reason = reason
    obj._history_user = _user(actor)
    obj.save()


def _set_sources(obj, sources: Iterable[Source] | None) -> None:
    if sources is None:
        return
    sources = list(sources)
    for source in sources:
        if not source.url:
            raise InvalidSource({"sources": ["Every source needs a URL."]})
        if source.pk is None:
            raise InvalidSource({"sources": [f"Save the source “{source.url}” first."]})
    obj.sources.set(sources)


# Fields that only their own service changes, each with the refusal given when
# a new record arrives with them already set (None: bookkeeping, simply reset).
SERVICE_FIELDS: dict[type, dict[str, tuple[type[TrackerError], str] | None]] = {
    Agreement: {
        "is_published": (
            PublishingRefused,
            "A new agreement starts unpublished; publish it afterwards.",
        ),
    },
    Commitment: {
        "status": (
            TransitionNotAllowed,
            "A new commitment starts announced; change its status afterwards, with a reason.",
        ),
        "status_changed_at": None,
        "is_published": (
            PublishingRefused,
            "A new commitment starts unpublished; publish it afterwards.",
        ),
    },
    Reading: {
        "is_working": (
            WorkingReadingConflict,
            "Add the reading as the working one, or make it working after it is saved.",
        ),
        "is_published": (
            PublishingRefused,
            "A new reading starts unpublished; publish it afterwards.",
        ),
    },
    ComplianceEvent: {
        "verification": (InvalidEvent, "A new event starts unverified; a reviewer verifies it."),
        "verified_by": None,
        "verified_at": None,
        "recorded_by": None,
        "possible_duplicate_of": None,
        "is_published": (
            PublishingRefused,
            "A new event starts unpublished; publish it afterwards.",
        ),
    },
}


@functools.cache
def _blank(model):
    """A new record of ``model`` as made with no values: read, never changed."""
    return model()


def _keep_service_fields(obj) -> None:
    """Stop an ordinary edit from changing what only a service may change.

    A new record must arrive with those fields at their defaults, or it is
    refused. An existing record takes them from the database, under a row
    lock: an edit made on a copy loaded before a status change or a
    publication must not quietly undo it.
    """
    fields = SERVICE_FIELDS.get(type(obj), {})
    if not fields:
        return
    if obj.pk is None:
        blank = _blank(type(obj))
        for name, refusal in fields.items():
            default = getattr(blank, obj._meta.get_field(name).attname)
            if refusal is None:
                setattr(obj, obj._meta.get_field(name).attname, default)
            elif getattr(obj, name) != default:
                error_class, message = refusal
                raise error_class(message, code="set_by_service")
        return
    stored = type(obj).objects.select_for_update().get(pk=obj.pk)
    for name in fields:
        attname = obj._meta.get_field(name).attname
        setattr(obj, attname, getattr(stored, attname))


# Records ----------------------------------------------------------------------


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
    _require(actor, f"tracker.{action}_{model.model_name}", f"{action} {model.verbose_name_plural}")
    reason = _require_reason(reason)
    if isinstance(obj, ComplianceEvent) and obj.pk is None:
        raise InvalidEvent("Record a new event with record_event().")
    _keep_service_fields(obj)
    _save(obj, actor=actor, reason=reason)
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
    _require(actor, "tracker.add_commitment", "add commitments")
    reason = _require_reason(reason)
    commitment = Commitment(**fields)
    _keep_service_fields(commitment)
    _save(commitment, actor=actor, reason=reason)
    for party, role in roles:
        role_row = CommitmentParty(commitment=commitment, party=party, role=role)
        _save(role_row, actor=actor, reason=reason)
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
        _require(actor, "tracker.correct_commitment_status", "correct a final status")
    else:
        _require(actor, "tracker.change_commitment_status", "change a commitment's status")
    reason = _require_reason(reason)
    now = timezone.now()
    if effective_at is None:
        effective_at = now
    elif timezone.is_naive(effective_at):
        raise TransitionNotAllowed("Say in which time zone the change took effect.")
    elif effective_at > now and not isinstance(actor, SystemActor):
        raise TransitionNotAllowed("A change cannot take effect in the future; record it then.")
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    try:
        check_transition(locked.status, to_status, locked.shape, correction=correction)
    except TransitionRefused as exc:
        raise TransitionNotAllowed(str(exc), code="transition_not_allowed") from exc

    from_status = locked.status
    locked.status = Status(to_status).value
    locked.status_changed_at = effective_at
    history_reason = f"Correction: {reason}" if correction else reason
    _save(locked, actor=actor, reason=history_reason, validate=False)
    change = StatusChange.objects.create(
        commitment=locked,
        from_status=from_status,
        to_status=locked.status,
        effective_at=effective_at,
        recorded_at=now,
        reason=reason,
        is_correction=correction,
        actor=role_of(actor),
        user=_user(actor),
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
    _require(actor, "tracker.add_reading", "add readings")
    reason = _require_reason(reason)
    reading = Reading(commitment=commitment, **terms)
    _keep_service_fields(reading)
    if working:
        Commitment.objects.select_for_update().get(pk=commitment.pk)
        _unset_working(commitment.pk, except_pk=None, actor=actor, reason=reason)
        reading.is_working = True
    _save(reading, actor=actor, reason=reason)
    _set_sources(reading, sources)
    return reading


@in_english
@transaction.atomic
def update_reading(reading: Reading, *, actor, reason: str, **changes) -> Reading:
    """Edit a reading's terms, by the rule for ends and durations in ``Reading.change_terms``."""
    _require(actor, "tracker.change_reading", "change readings")
    reason = _require_reason(reason)
    if "is_working" in changes:
        raise WorkingReadingConflict("Use make_working() to choose the working reading.")
    if "is_published" in changes:
        raise PublishingRefused("Publish or unpublish a reading with publish() or unpublish().")
    sources = changes.pop("sources", None)
    reading.change_terms(**changes)
    _keep_service_fields(reading)
    _save(reading, actor=actor, reason=reason)
    _set_sources(reading, sources)
    return reading


def _unset_working(commitment_pk, *, except_pk, actor, reason) -> None:
    current = (
        Reading.objects.select_for_update()
        .filter(commitment_id=commitment_pk, is_working=True)
        .exclude(pk=except_pk)
    )
    for old in current:
        old.is_working = False
        _save(old, actor=actor, reason=f"No longer the working reading: {reason}", validate=False)


@in_english
@transaction.atomic
def make_working(reading: Reading, *, actor, reason: str) -> Reading:
    """Make ``reading`` the one that drives status and alerts."""
    _require(actor, "tracker.change_reading", "choose the working reading")
    reason = _require_reason(reason)
    Commitment.objects.select_for_update().get(pk=reading.commitment_id)
    locked = Reading.objects.select_for_update().get(pk=reading.pk)
    if not locked.is_working:
        _unset_working(locked.commitment_id, except_pk=locked.pk, actor=actor, reason=reason)
        locked.is_working = True
        _save(locked, actor=actor, reason=reason, validate=False)
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
    _require(actor, "tracker.change_reading", "extend a window")
    reason = _require_reason(reason)
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
    _save(reading, actor=actor, reason=f"Extended: {reason}")
    return reading


# Compliance events -------------------------------------------------------------


@in_english
@transaction.atomic
def record_event(
    event: ComplianceEvent,
    *,
    actor,
    reason: str,
    sources: Iterable[Source] | None = None,
    quantities: Iterable[tuple[Party, int, str | dict[str, str]]] = (),
) -> ComplianceEvent:
    """Record a reported event, unverified and unpublished until a reviewer says so.

    The event, its sources and its quantities are written together or not
    at all; on refusal ``event`` is left unsaved, so it can be corrected and
    recorded again. A claim that probably repeats one already recorded is
    flagged with it (``tracker.duplicates``), whichever door it came in by. A
    quantity's unit is its English name ("people"), or the unit with its
    translations (``{"unit": "people", "unit_uk": "осіб"}``).
    """
    _require(actor, "tracker.add_complianceevent", "record events")
    reason = _require_reason(reason)
    if event.pk is not None:
        raise InvalidEvent("This event is already recorded; edit it instead.")
    quantities = list(quantities)
    if quantities and event.kind != EventKind.DELIVERY:
        raise InvalidEvent({"kind": ["Only a delivery hands over quantities."]})
    _keep_service_fields(event)
    event.recorded_by = _user(actor)
    sources = None if sources is None else list(sources)
    event.possible_duplicate_of_id = duplicates.likely_original(event, sources or ())
    try:
        with transaction.atomic():
            _save(event, actor=actor, reason=reason)
            _set_sources(event, sources)
            for party, quantity, unit in quantities:
                units = unit if isinstance(unit, dict) else {"unit": unit}
                row = DeliveredQuantity(event=event, received_by=party, quantity=quantity, **units)
                _save(row, actor=actor, reason=reason)
    except Exception:
        event.pk = None
        event._state.adding = True
        raise
    return event


@in_english
@transaction.atomic
def edit_event(
    event: ComplianceEvent, *, actor, reason: str, sources: Iterable[Source] | None = None
) -> ComplianceEvent:
    """Save an edit of a recorded event's ordinary fields and, when given, its sources.

    Verification and publication keep their own services; an edit made on a
    copy loaded before one of them does not undo it. The fields and the
    sources are written together or not at all.
    """
    if event.pk is None:
        raise InvalidEvent("Record a new event with record_event().")
    save_record(event, actor=actor, reason=reason)
    _set_sources(event, sources)
    return event


@transaction.atomic
def verify_event(
    event: ComplianceEvent, verification: Verification | str, *, actor, reason: str
) -> ComplianceEvent:
    """Set how far a claim has been checked. Reviewers only."""
    _require(actor, "tracker.verify_complianceevent", "verify events")
    reason = _require_reason(reason)
    if verification not in Verification.values:
        raise InvalidEvent(f"“{verification}” is not a verification state.")
    locked = ComplianceEvent.objects.select_for_update().get(pk=event.pk)
    previous = locked.verification
    if previous == verification:
        raise InvalidEvent(f"The event is already {locked.get_verification_display()}.")
    locked.verification = verification
    locked.verified_by = _user(actor)
    locked.verified_at = timezone.now()
    _save(locked, actor=actor, reason=reason, validate=False)
    event.verification, event.verified_by, event.verified_at = (
        locked.verification,
        locked.verified_by,
        locked.verified_at,
    )
    event_verified.send(sender=ComplianceEvent, event=locked, previous=previous)
    return locked


# Publication ------------------------------------------------------------------

PUBLISHABLE = (Agreement, Commitment, Reading, ComplianceEvent)


def _parent_is_public(obj) -> bool:
    if isinstance(obj, Commitment):
        return public.agreements().filter(pk=obj.agreement_id).exists()
    if isinstance(obj, Reading | ComplianceEvent):
        return public.commitments().filter(pk=obj.commitment_id).exists()
    return True


@in_english
@transaction.atomic
def set_published(obj, published: bool, *, actor, reason: str):
    """Publish or unpublish a record. A child cannot be public while its parent is not."""
    if not isinstance(obj, PUBLISHABLE):
        raise PublishingRefused(f"{type(obj).__name__} records are not published one by one.")
    _require(actor, "tracker.publish_records", "publish or unpublish records")
    reason = _require_reason(reason)
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if locked.is_published == published:
        return locked
    if published and not _parent_is_public(locked):
        parent = "agreement" if isinstance(locked, Commitment) else "commitment"
        raise PublishingRefused(
            f"Publish the {parent} first: a {locked._meta.verbose_name} "
            f"cannot be public while its {parent} is not."
        )
    locked.is_published = published
    _save(locked, actor=actor, reason=reason, validate=False)
    obj.is_published = published
    return locked


def publish(obj, *, actor, reason: str):
    return set_published(obj, True, actor=actor, reason=reason)


def unpublish(obj, *, actor, reason: str):
    return set_published(obj, False, actor=actor, reason=reason)
