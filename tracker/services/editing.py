"""Editing a stored record: at once while it is a draft, as a revision once it is public.

Every edit of a record goes through ``edit_record``, whoever asks (the
admin's forms, the staff API, extending a window, choosing the working
reading):

- A **draft**, a record not on the public record, changes at once.
- A record **on the public record** (``public.is_on_record``) stays as the
  public sees it. The edit is kept as a pending revision beside it
  (``tracker.models.Revision``), and only ``review.publish_revision``, a
  reviewer's act, applies it. A reviewer's own edit is published at once, by
  that same act. Staff-only fields (internal notes) are never public and are
  saved at once.
- An edit made while a revision waits continues it: it starts from the
  revision's values, and the revision it replaces is kept, marked replaced.
- An edit **based on an older version** than the record's (``based_on``,
  ``versions.edit_token``) is refused with what changed since
  (``versions.EditConflict``), never applied over it.
- A **claim whose substance changes** (what it asserts, its day, its place,
  its sources…) is no longer verified: its verification goes back to
  unverified, and a reviewer verifies it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker import public, revisions, words
from tracker.ledger import changes as ledger
from tracker.models import (
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    EventKind,
    Reading,
    Revision,
    Source,
    Verification,
)
from tracker.revisions import WORKING_READING
from tracker.services import base, review, versions
from tracker.services.base import (
    InvalidEvent,
    InvalidRecord,
    InvalidSource,
    InvalidTerms,
    PublishingRefused,
    SystemActor,
    TrackerError,
    in_english,
)
from tracker.services.versions import conflict, name_of, record_filter, token

PUBLISH = "tracker.publish_records"


class PendingRevisionConflict(TrackerError):
    """A reviewer's edit would publish someone else's pending revision unseen."""


@dataclass
class Edit:
    """What an edit did: the record as stored now, and the revision it made, if any."""

    record: object
    revision: Revision | None = None
    changed: list[str] = field(default_factory=list)

    @property
    def waits_for_review(self) -> bool:
        return self.revision is not None and self.revision.is_pending


# Editing ----------------------------------------------------------------------------------


def head(record, revision: Revision | None = None) -> dict:
    """The record's values with its pending revision applied: what staff edit next."""
    values = revisions.snapshot(record)
    revision = revision if revision is not None else versions.pending_revision(record)
    if revision is not None:
        values.update({name: change["to"] for name, change in revision.changes.items()})
    return values


def may_publish(actor) -> bool:
    if isinstance(actor, SystemActor):
        return True
    return actor is not None and actor.is_authenticated and actor.has_perm(PUBLISH)


@in_english
@transaction.atomic
@ledger.recorded
def edit_record(
    record,
    changes: dict | None = None,
    *,
    actor,
    reason: str,
    based_on: str | None = None,
    over_pending: bool = True,
) -> Edit:
    """Edit a stored record: at once while it is a draft, as a revision once it is public.

    ``changes`` maps fields (a text's plain name is its English text), lists
    (``sources``), rows (``quantities``, ``roles``) and a commitment's
    ``working_reading`` to their new values; without it, every ordinary
    field is taken from ``record`` as it is in memory (an admin form's
    instance). ``based_on`` is the version token the edit started from;
    ``over_pending=False`` refuses a reviewer's edit while someone else's
    revision waits, for a client that has not seen it. Returns an ``Edit``;
    ``record`` is refreshed to the stored, public state.
    """
    spec = revisions.revisable(type(record))
    if record.pk is None or spec is None:
        raise InvalidRecord("Only a stored record of the public kinds is edited here.")
    opts = type(record)._meta
    base.require(actor, f"tracker.change_{opts.model_name}", f"change {opts.verbose_name_plural}")
    reason = base.require_reason(reason)
    if changes is None:
        changes = {
            name: revisions.field_value(record, name) for name in (*spec.fields, *spec.staff_only)
        }
    try:
        changes = revisions.normalise(type(record), changes)
    except KeyError as unknown:
        raise InvalidRecord({str(unknown.args[0]): ["Not a field staff edit."]}) from None

    live = type(record).objects.select_for_update().get(pk=record.pk)
    pending = (
        Revision.objects.select_for_update()
        .filter(**record_filter(live), state=Revision.State.PENDING)
        .first()
    )
    if based_on is not None and based_on != token(live.version, pending):
        raise conflict(live, pending, based_on)
    if (
        pending is not None
        and not over_pending
        and may_publish(actor)
        and pending.proposed_by_id != getattr(actor, "pk", None)
    ):
        raise PendingRevisionConflict(
            f"Changes by {name_of(pending.proposed_by)} wait for review on this "
            f"{opts.verbose_name}; publish them or send them back before editing it.",
            code="pending_revision",
        )

    stored = revisions.snapshot(live)
    proposed = head(live, pending) | changes
    proposed = checked(live, proposed, spec)
    public_changes = revisions.differences(stored, proposed, spec.public_names)
    staff_changes = revisions.differences(stored, proposed, spec.staff_only)

    if not public.is_on_record(live):
        apply(live, proposed, spec, actor=actor, reason=reason)
        if pending is not None:
            close(pending, Revision.State.REPLACED, actor=actor, reason=reason)
        _refresh(record, live)
        return Edit(live, None, [*public_changes, *staff_changes])

    if staff_changes:
        staff_values = stored | {name: proposed[name] for name in staff_changes}
        apply(live, staff_values, spec, actor=actor, reason=reason)
    revision = None
    if pending is not None:
        close(pending, Revision.State.REPLACED, actor=actor, reason=reason)
    if public_changes:
        revision = Revision.objects.create(
            **record_filter(live),
            based_on_version=live.version,
            changes=public_changes,
            reason=reason,
            proposed_by=base.user_of(actor),
        )
        if pending is not None:
            pending.replaced_by = revision
            pending.save(update_fields=["replaced_by"])
        if may_publish(actor):
            review.publish_revision(revision, actor=actor, reason=reason)
            live.refresh_from_db()
    _refresh(record, live)
    return Edit(live, revision, [*public_changes, *staff_changes])


def _refresh(record, stored) -> None:
    """Make the caller's copy show what is stored."""
    if record is stored:
        return
    for model_field in record._meta.concrete_fields:
        setattr(record, model_field.attname, getattr(stored, model_field.attname))
    record._prefetched_objects_cache = {}


def close(revision: Revision, state, *, actor, reason: str) -> None:
    revision.state = state
    revision.decided_by = base.user_of(actor)
    revision.decided_at = timezone.now()
    revision.decision_reason = reason
    revision.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])


def checked(live, values: dict, spec) -> dict:
    """Refuse values the record could not be saved with; give them as the record would store them.

    The record is checked in a copy, so a refusal changes nothing, and read
    back after its own cleaning (a reading's end computed from its duration).
    """
    candidate = type(live).objects.get(pk=live.pk)
    revisions.set_fields(candidate, values)
    base.refuse_control_characters(candidate)
    try:
        candidate.full_clean()
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise base.error_class_for(candidate)(detail) from exc
    checked = revisions.snapshot(
        candidate,
        lists={name: values[name] for name in spec.lists},
        rows={name: values[name] for name in spec.rows},
        working=values.get(WORKING_READING),
    )
    for name in spec.lists:
        target = type(live)._meta.get_field(name).related_model
        found = target.objects.filter(pk__in=checked[name]).count()
        if found != len(checked[name]):
            error = InvalidSource if target is Source else InvalidRecord
            raise error({name: ["One of these no longer exists; choose again."]})
    for name, rows_spec in spec.rows.items():
        _check_rows(candidate, name, rows_spec, checked[name])
    working = checked.get(WORKING_READING)
    if working is not None and not Reading.objects.filter(pk=working, commitment=live).exists():
        raise InvalidTerms({WORKING_READING: ["The working reading must be one of its own."]})
    return checked


def _check_rows(candidate, name: str, spec, rows: list[dict]) -> None:
    if name == "quantities" and rows and candidate.kind != EventKind.DELIVERY:
        raise InvalidEvent({"kind": ["Only a delivery hands over quantities."]})
    keys = [revisions.row_key(row, spec) for row in rows]
    if len(set(keys)) != len(keys):
        raise base.error_class_for(candidate)({name: ["The same row is given twice."]})
    for row_values in rows:
        row = spec.model(**{spec.parent: candidate})
        revisions.set_fields(row, row_values, spec.fields)
        base.refuse_control_characters(row)
        try:
            row.full_clean(exclude=[spec.parent], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise base.error_class_for(row)({name: exc.messages}) from exc


def apply(live, values: dict, spec, *, actor, reason: str) -> None:
    """Store ``values`` on the locked ``live`` record: fields, lists, rows, working reading."""
    before = revisions.snapshot(live)
    substance_changed = any(revisions.differs(before[n], values[n]) for n in spec.substance)
    if substance_changed and live.verification != Verification.UNVERIFIED:
        live.verification = Verification.UNVERIFIED
        live.verified_by = None
        live.verified_at = None
    revisions.set_fields(live, values)
    base.save(live, actor=actor, reason=reason)
    for name in spec.lists:
        if revisions.differs(before[name], values[name]):
            getattr(live, name).set(values[name])
    for name, rows_spec in spec.rows.items():
        if revisions.differs(before[name], values[name]):
            _apply_rows(live, rows_spec, values[name], actor=actor, reason=reason)
    if spec.has_working_reading and before[WORKING_READING] != values[WORKING_READING]:
        set_working_reading(live, values[WORKING_READING], actor=actor, reason=reason)


def _apply_rows(record, spec, rows: list[dict], *, actor, reason: str) -> None:
    """Make the record's rows these, keeping each row that stays (by its key) as it was."""
    stored = spec.model.objects.select_for_update().filter(**{spec.parent: record})
    existing = {revisions.row_key(revisions.row_values(row, spec), spec): row for row in stored}
    wanted = {revisions.row_key(values, spec): values for values in rows}
    for key, row in existing.items():
        if key not in wanted:
            row._change_reason = reason
            row._history_user = base.user_of(actor)
            row.delete()
    for key, values in wanted.items():
        row = existing.get(key) or spec.model(**{spec.parent: record})
        if row.pk is not None and revisions.row_values(row, spec) == values:
            continue
        revisions.set_fields(row, values, spec.fields)
        base.save(row, actor=actor, reason=reason)


def set_working_reading(commitment, reading_pk: int | None, *, actor, reason: str) -> None:
    """Make ``reading_pk`` the commitment's working reading (None: no working reading).

    A published commitment whose working reading is public keeps a public one:
    a draft would leave the public with no dates and stop its expiry and
    alerts, so it is published first.
    """
    current = commitment.readings.select_for_update().filter(is_working=True).first()
    if current is not None and current.pk == reading_pk:
        return
    chosen = None
    if reading_pk is not None:
        chosen = Reading.objects.select_for_update().get(pk=reading_pk, commitment=commitment)
    public_dates = commitment.is_published and current is not None and current.is_published
    if public_dates and (chosen is None or not chosen.is_published):
        what = f"the reading “{chosen.label}”" if chosen is not None else "a reading"
        raise PublishingRefused(
            f"Publish {what} first: the public reads this commitment's dates from its "
            f"working reading “{current.label}”, and a reading they cannot see would "
            "leave them none and stop its expiry and alerts.",
            code="working_reading_unpublished",
        )
    if current is not None:
        current.is_working = False
        # The replaced reading's history shows on the changes page and feed once it is
        # public, so the reason for its successor is quoted only if the public may read it.
        quoted = reading_pk is not None and public.readings().filter(pk=reading_pk).exists()
        why = f"{words.NO_LONGER_WORKING}{reason}" if quoted else words.NO_LONGER_WORKING_UNQUOTED
        base.save(current, actor=actor, reason=why, validate=False)
    if chosen is not None:
        chosen.is_working = True
        base.save(chosen, actor=actor, reason=reason, validate=False)


def is_row_of_public_record(row) -> bool:
    """Whether a party role or a delivered quantity belongs to a record on the public record."""
    if isinstance(row, CommitmentParty):
        return Commitment.objects.filter(pk=row.commitment_id, is_published=True).exists()
    if isinstance(row, DeliveredQuantity):
        return ComplianceEvent.objects.filter(pk=row.event_id, is_published=True).exists()
    return False
