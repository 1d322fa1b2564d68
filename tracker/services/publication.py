"""Publishing and unpublishing a record, never before what it belongs to is public."""

from __future__ import annotations

from django.db import transaction

from tracker import public
from tracker.ledger import changes as ledger
from tracker.models import (
    Agreement,
    Commitment,
    ComplianceEvent,
    Reading,
)
from tracker.services import base
from tracker.services.base import PublishingRefused, in_english

PUBLISHABLE = (Agreement, Commitment, Reading, ComplianceEvent)


def _parent_is_public(obj) -> bool:
    if isinstance(obj, Commitment):
        return public.agreements().filter(pk=obj.agreement_id).exists()
    if isinstance(obj, Reading | ComplianceEvent):
        return public.commitments().filter(pk=obj.commitment_id).exists()
    return True


@in_english
@transaction.atomic
@ledger.recorded
def set_published(obj, published: bool, *, actor, reason: str):
    """Publish or unpublish a record. A child cannot be public while its parent is not."""
    if not isinstance(obj, PUBLISHABLE):
        raise PublishingRefused(f"{type(obj).__name__} records are not published one by one.")
    base.require(actor, "tracker.publish_records", "publish or unpublish records")
    reason = base.require_reason(reason)
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
    base.save(locked, actor=actor, reason=reason, validate=False)
    obj.is_published = published
    return locked


def publish(obj, *, actor, reason: str):
    return set_published(obj, True, actor=actor, reason=reason)


def unpublish(obj, *, actor, reason: str):
    return set_published(obj, False, actor=actor, reason=reason)
