"""The reviewer's acts on the public record: publishing an edit, sending back, the queue's one step.

``publish_revision`` is the one act by which an edit of a public record
reaches the public; it sends ``revision_published`` inside its transaction,
for whatever keeps a log of the public record. A reviewer may instead send a
record or a revision back with a reason (``send_back``), and
``review_and_publish`` is the review queue's one step: verify a claim and
publish it, or its pending revision, together.
"""

from __future__ import annotations

from django.db import transaction

from tracker import revisions
from tracker.ledger import changes as ledger
from tracker.models import ComplianceEvent, Revision, SentBack
from tracker.services import base, editing
from tracker.services.base import InvalidRecord, PublishingRefused, in_english, revision_published
from tracker.services.versions import pending_revision, record_filter

PUBLISH = "tracker.publish_records"


def last_sent_back(record) -> SentBack | Revision | None:
    """The latest sending back of the record, or of a revision of it, still standing.

    A record sent back stands so until it is saved again; a revision sent
    back, until a newer revision is made.
    """
    if record.pk is None or revisions.revisable(type(record)) is None:
        return None
    where = record_filter(record)
    revision = Revision.objects.filter(**where).first()
    sent = SentBack.objects.filter(**where, version=record.version).first()
    revision_stands = revision is not None and revision.state == Revision.State.SENT_BACK
    if revision_stands and (sent is None or revision.decided_at >= sent.sent_at):
        return revision
    return sent


@in_english
@transaction.atomic
@ledger.recorded
def publish_revision(
    revision: Revision, *, actor, reason: str, verification: str | None = None
) -> Revision:
    """Apply a pending revision to its record: the act that changes the public record.

    Refused when the record changed since in a field the revision changes
    (the reviewer sends it back instead). A claim whose substance it changes
    is no longer verified, unless ``verification`` says how it stands now.
    """
    base.require(actor, PUBLISH, "publish changes to the public record")
    reason = base.require_reason(reason)
    locked = Revision.objects.select_for_update().get(pk=revision.pk)
    if not locked.is_pending:
        raise PublishingRefused(
            f"These changes no longer wait for review: they were {locked.get_state_display()}.",
            code="revision_closed",
        )
    model = locked.record_type.model_class()
    spec = revisions.revisable(model)
    live = model.objects.select_for_update().get(pk=locked.record_id)
    stored = revisions.snapshot(live)
    moved = [
        name
        for name, change in locked.changes.items()
        if revisions.differs(stored.get(name), change["from"])
    ]
    if moved:
        names = ", ".join(revisions.label(model, name) for name in moved)
        raise PublishingRefused(
            f"The record changed since these changes were made ({names}); "
            "send them back so they can be made again on the record as it is.",
            code="revision_outdated",
        )
    values = stored | {name: change["to"] for name, change in locked.changes.items()}
    values = editing.checked(live, values, spec)
    editing.apply(live, values, spec, actor=actor, reason=locked.reason)
    editing.close(locked, Revision.State.PUBLISHED, actor=actor, reason=reason)
    revision.state, revision.decided_by, revision.decided_at = (
        locked.state,
        locked.decided_by,
        locked.decided_at,
    )
    revision_published.send(sender=Revision, revision=locked, record=live)
    if verification is not None:
        _verify(live, verification, actor=actor, reason=reason)
    return locked


@transaction.atomic
def send_back(record_or_revision, *, actor, reason: str):
    """Return a record, or its pending revision, to its editors with a reason. Reviewers only.

    A revision sent back is closed and the record stays as the public sees
    it; a record sent back leaves the review queue until it is saved again.
    """
    base.require(actor, PUBLISH, "send records back")
    reason = base.require_reason(reason)
    if isinstance(record_or_revision, Revision):
        revision = Revision.objects.select_for_update().get(pk=record_or_revision.pk)
    else:
        revision = (
            Revision.objects.select_for_update()
            .filter(**record_filter(record_or_revision), state=Revision.State.PENDING)
            .first()
        )
    if revision is not None:
        if not revision.is_pending:
            raise PublishingRefused(
                f"These changes no longer wait for review: they were "
                f"{revision.get_state_display()}.",
                code="revision_closed",
            )
        editing.close(revision, Revision.State.SENT_BACK, actor=actor, reason=reason)
        return revision
    record = type(record_or_revision).objects.get(pk=record_or_revision.pk)
    return SentBack.objects.create(
        **record_filter(record),
        version=record.version,
        reason=reason,
        sent_by=base.user_of(actor),
    )


@in_english
@transaction.atomic
@ledger.recorded
def review_and_publish(record, *, actor, reason: str, verification: str | None = None):
    """The review queue's one step: how a claim stands, and the record or its revision published.

    ``verification`` (claims only, and never assumed) is set first; then the
    pending revision is published, or the record itself if it is a draft.
    Each is its own act, with its own history row, in one transaction.
    """
    base.require(actor, PUBLISH, "publish records")
    reason = base.require_reason(reason)
    if verification is not None and not isinstance(record, ComplianceEvent):
        raise InvalidRecord("Only a claim has a verification.")
    revision = pending_revision(record)
    if revision is not None:
        return publish_revision(revision, actor=actor, reason=reason, verification=verification)
    if verification is not None:
        _verify(record, verification, actor=actor, reason=reason)
    from tracker.services.publication import set_published

    return set_published(record, True, actor=actor, reason=reason)


def _verify(event, verification: str, *, actor, reason: str) -> None:
    from tracker.services.claims import verify_event

    stored = ComplianceEvent.objects.get(pk=event.pk).verification
    if stored != verification:
        verify_event(event, verification, actor=actor, reason=reason)
