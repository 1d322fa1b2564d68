"""Making a source's archived copy public, or private again: a reviewer's act, with a reason.

Publishers' rights differ, so readers see a copy's date and hash by default and
the copy itself only once a reviewer marks the source shareable.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tracker.evidence.models import Link
from tracker.services import base

PUBLISH = "tracker.publish_records"


@transaction.atomic
def set_shareable(link: Link, shareable: bool, *, actor, reason: str) -> Link:
    """Share (or stop sharing) the source's archived copies with readers."""
    base.require(actor, PUBLISH, "make archived copies public")
    reason = base.require_reason(reason)
    link = Link.objects.select_for_update().get(pk=link.pk)
    if link.shareable == shareable:
        return link
    link.shareable = shareable
    link.shareable_changed_by = base.user_of(actor)
    link.shareable_changed_at = timezone.now()
    link._change_reason = reason
    link._history_user = base.user_of(actor)
    link.save()  # a new version of the public record (tracker.http)
    from tracker.evidence.watching import tell_the_public_log

    tell_the_public_log(link.source_id)
    return link
