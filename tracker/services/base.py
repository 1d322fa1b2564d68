"""What every action shares: its refusals, who acted and whether they may, the
reason it needs, the checks on what it writes, and saving with history."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils import translation
from modeltranslation.fields import TranslationField

from tracker.ledger import changes as ledger
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    Reading,
    Source,
    StatusChange,
    has_control_characters,
)
from tracker.models.validators import CONTROL_CHARACTERS, REASON_NEEDED
from tracker.services import checks

# Sent inside the transaction that made the change, so a receiver that writes
# (the alert outbox) commits or rolls back together with it.
status_changed = Signal()  # sender=Commitment, change=StatusChange
event_verified = Signal()  # sender=ComplianceEvent, event=..., previous=str
# Every change to the public record made by publishing an edit (a reviewer's act).
revision_published = Signal()  # sender=Revision, revision=..., record=...


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


def user_of(actor):
    return None if isinstance(actor, SystemActor) else actor


def require(actor, permission: str, doing: str) -> None:
    """System actors may do anything the rules allow; people need the permission."""
    if isinstance(actor, SystemActor):
        return
    if actor is None or not actor.is_authenticated or not actor.has_perm(permission):
        raise NotPermitted(f"You are not allowed to {doing}.", code="not_permitted")


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise MissingReason(REASON_NEEDED, code="reason_required")
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


def refuse_control_characters(obj, texts: dict | None = None) -> None:
    """Refuse text no field should hold, before anything reaches the database with it.

    Every translation is checked too, under its own name (``summary_uk``).
    ``texts``: the translated texts as read already (``checks.translated_texts``).
    """
    errors = checks.control_character_errors(obj, _is_english_column, texts)
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


def error_class_for(obj) -> type[InvalidRecord]:
    if isinstance(obj, ComplianceEvent | DeliveredQuantity):
        return InvalidEvent
    if isinstance(obj, Source):
        return InvalidSource
    if isinstance(obj, Commitment | CommitmentParty | Reading):
        return InvalidTerms
    return InvalidRecord


def save(obj, *, actor, reason: str, validate: bool = True) -> None:
    """Validate, then save ``obj`` with the history user and reason set, as a new version."""
    if validate:
        refuse_control_characters(obj)
        try:
            obj.full_clean()
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise error_class_for(obj)(detail) from exc
    obj._change_reason = reason
    obj._history_user = user_of(actor)
    if hasattr(obj, "version"):
        obj.version = next_version(obj)
    obj.save()
    if isinstance(obj, Source):
        # Every cited page is captured (tracker.evidence): queued once the save is kept.
        from tracker.evidence.capturing import queue_on_commit

        queue_on_commit([obj.pk])
    ledger.touch(obj)


def next_version(obj) -> int:
    """The version a save of ``obj`` makes: one more than the stored one, whatever ``obj`` holds."""
    if obj.pk is None:
        return 1
    stored = type(obj).objects.filter(pk=obj.pk).values_list("version", flat=True).first()
    return (stored or 0) + 1


def set_sources(obj, sources: Iterable[Source] | None) -> None:
    if sources is None:
        return
    sources = list(sources)
    for source in sources:
        if not source.url:
            raise InvalidSource({"sources": ["Every source needs a URL."]})
        if source.pk is None:
            raise InvalidSource({"sources": [f"Save the source “{source.url}” first."]})
    obj.sources.set(sources)
    ledger.touch(obj)


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


def keep_service_fields(obj) -> None:
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
            field = obj._meta.get_field(name)
            if refusal is None:
                # Made afresh: a default of the present (when the status began) is
                # the present of this write, not that of the first blank record.
                setattr(obj, field.attname, field.get_default())
            elif getattr(obj, name) != getattr(blank, field.attname):
                error_class, message = refusal
                raise error_class(message, code="set_by_service")
        return
    stored = type(obj).objects.select_for_update().get(pk=obj.pk)
    for name in fields:
        attname = obj._meta.get_field(name).attname
        setattr(obj, attname, getattr(stored, attname))


# Records ----------------------------------------------------------------------
