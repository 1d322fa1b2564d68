"""Actions on claims: recording one, editing it, and verifying it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from tracker import duplicates, revisions
from tracker.ledger import changes as ledger
from tracker.models import (
    ComplianceEvent,
    DeliveredQuantity,
    EventKind,
    Party,
    Source,
    Verification,
)
from tracker.services import base, editing
from tracker.services.base import InvalidEvent, event_verified, in_english


@in_english
@transaction.atomic
@ledger.recorded
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
    base.require(actor, "tracker.add_complianceevent", "record events")
    reason = base.require_reason(reason)
    if event.pk is not None:
        raise InvalidEvent("This event is already recorded; edit it instead.")
    quantities = list(quantities)
    if quantities and event.kind != EventKind.DELIVERY:
        raise InvalidEvent({"kind": ["Only a delivery hands over quantities."]})
    base.keep_service_fields(event)
    event.recorded_by = base.user_of(actor)
    sources = None if sources is None else list(sources)
    event.possible_duplicate_of_id = duplicates.likely_original(event, sources or ())
    try:
        with transaction.atomic():
            base.save(event, actor=actor, reason=reason)
            base.set_sources(event, sources)
            for party, quantity, unit in quantities:
                units = unit if isinstance(unit, dict) else {"unit": unit}
                row = DeliveredQuantity(event=event, received_by=party, quantity=quantity, **units)
                base.save(row, actor=actor, reason=reason)
    except Exception:
        event.pk = None
        event._state.adding = True
        raise
    return event


@in_english
@transaction.atomic
@ledger.recorded
def edit_event(
    event: ComplianceEvent,
    *,
    actor,
    reason: str,
    sources: Iterable[Source] | None = None,
    changes: dict | None = None,
    based_on: str | None = None,
) -> ComplianceEvent:
    """Save an edit of a recorded event's ordinary fields and, when given, its sources.

    Verification and publication keep their own services; an edit made on a
    copy loaded before one of them does not undo it. The fields and the
    sources are written together or not at all. ``changes`` gives only the
    fields to change, applied to the event as stored now; without it every
    field is taken from ``event`` as it is in memory. A published event's
    edit waits for a reviewer (``editing.edit_record``).
    """
    if event.pk is None:
        raise InvalidEvent("Record a new event with record_event().")
    if changes is None:
        changes = {
            name: revisions.field_value(event, name)
            for name in (*revisions.revisable(ComplianceEvent).fields, "internal_note")
        }
    changes = dict(changes)
    if sources is not None:
        changes["sources"] = list(sources)
    editing.edit_record(event, changes, actor=actor, reason=reason, based_on=based_on)
    return event


@transaction.atomic
@ledger.recorded
def verify_event(
    event: ComplianceEvent, verification: Verification | str, *, actor, reason: str
) -> ComplianceEvent:
    """Set how far a claim has been checked. Reviewers only."""
    base.require(actor, "tracker.verify_complianceevent", "verify events")
    reason = base.require_reason(reason)
    if verification not in Verification.values:
        raise InvalidEvent(f"“{verification}” is not a verification state.")
    locked = ComplianceEvent.objects.select_for_update().get(pk=event.pk)
    previous = locked.verification
    if previous == verification:
        raise InvalidEvent(f"The event is already {locked.get_verification_display()}.")
    locked.verification = verification
    locked.verified_by = base.user_of(actor)
    locked.verified_at = timezone.now()
    base.save(locked, actor=actor, reason=reason, validate=False)
    event.verification, event.verified_by, event.verified_at = (
        locked.verification,
        locked.verified_by,
        locked.verified_at,
    )
    event_verified.send(sender=ComplianceEvent, event=locked, previous=previous)
    return locked


# Publication ------------------------------------------------------------------
