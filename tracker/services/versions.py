"""Which version of a record an edit starts from, and what changed since when it is not the last.

A record's version (``tracker.models.versions``) and the revision waiting
beside it, if any, make the token a form or an API client sends back with an
edit (``edit_token``: ``"4.0"``, ``"4.12"``). An edit or an act based on
another token than the stored one is refused with ``EditConflict``, which
says who changed what since, read from the history tables.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType

from tracker import revisions
from tracker.models import Revision
from tracker.services.base import TrackerError


class EditConflict(TrackerError):
    """The edit was based on an older version of the record than the one stored.

    ``changed`` lists what changed since, as (field, before, after) in words;
    ``by`` names who changed it and ``at`` says when, last; ``token`` is the
    record's version now, for a form to be based on once its user has seen them.
    """

    def __init__(self, message, *, changed=(), by=(), at=None, token=""):
        super().__init__(message, code="edit_conflict")
        self.changed = list(changed)
        self.by = list(by)
        self.at = at
        self.token = token


def record_filter(record) -> dict:
    content_type = ContentType.objects.get_for_model(type(record))
    return {"record_type": content_type, "record_id": record.pk}


def pending_revision(record) -> Revision | None:
    """The revision of ``record`` waiting for a reviewer, if there is one."""
    if record.pk is None or revisions.revisable(type(record)) is None:
        return None
    return Revision.objects.filter(**record_filter(record), state=Revision.State.PENDING).first()


def token(version: int, revision: Revision | None) -> str:
    """The version an edit is based on: the record's, and the pending revision's (0 for none)."""
    return f"{version}.{revision.pk if revision else 0}"


def edit_token(record) -> str:
    """What a form or an API client sends back to say which version its edit is based on."""
    stored = type(record).objects.filter(pk=record.pk).values_list("version", flat=True).first()
    return token(stored or record.version, pending_revision(record))


def refuse_if_changed(record, based_on: str | None) -> None:
    """Refuse an act based on an older version of ``record`` than the stored one.

    For acts other than edits (verifying, publishing) whose caller said which
    version they saw; the record's row is locked until the transaction ends.
    """
    if based_on is None:
        return
    live = type(record).objects.select_for_update().get(pk=record.pk)
    pending = Revision.objects.filter(**record_filter(live), state=Revision.State.PENDING).first()
    if based_on != token(live.version, pending):
        raise conflict(live, pending, based_on)


def name_of(user) -> str:
    return user.get_username() if user is not None else "the tracker"


def conflict(live, pending: Revision | None, based_on: str) -> EditConflict:
    """What changed since the version an edit was based on, and who changed it."""
    version, _, revision_pk = (based_on or "").partition(".")
    version = int(version) if version.isdigit() else 0
    model = type(live)
    kind = model._meta.verbose_name
    changed, by, at = [], set(), None
    if version != live.version:
        later = live.history.filter(version__gt=version)
        by |= {name_of(row.history_user) for row in later}
        newest = live.history.first()
        seen = live.history.filter(version=version).first()
        at = newest.history_date if newest else None
        if seen is not None and newest is not None:
            changed += history_changes(model, seen, newest)
    if str(pending.pk if pending else 0) != revision_pk:
        if pending is not None:
            by.add(name_of(pending.proposed_by))
            at = max(filter(None, [at, pending.proposed_at]))
            changed += [
                (
                    f"{revisions.label(model, name)} (waiting for review)",
                    revisions.describe(model, name, change["from"]),
                    revisions.describe(model, name, change["to"]),
                )
                for name, change in pending.changes.items()
            ]
        else:
            changed.append(("changes waiting for review", "waiting", "published or sent back"))
    who = ", ".join(sorted(by)) or "Someone"
    when = f" at {at:%Y-%m-%d %H:%M} UTC" if isinstance(at, dt.datetime) else ""
    return EditConflict(
        f"{who} changed this {kind}{when}, after you opened it. "
        "Nothing of yours was saved: your changes are still in the form. "
        "Look at theirs, then save again to apply yours over them.",
        changed=changed,
        by=sorted(by),
        at=at,
        token=token(live.version, pending),
    )


# What a stale editor is shown beside the fields they edit: what only services change.
SERVICE_STATE = ("status", "is_published", "verification", "is_working")


def history_changes(model, older, newer) -> list[tuple[str, str, str]]:
    """(field, before, after) in words, for each field two history rows of a record differ in."""
    spec = revisions.revisable(model)
    names = [*spec.fields, *spec.staff_only]
    names += [name for name in SERVICE_STATE if hasattr(model, name)]
    changed = []
    for name in names:
        attname = model._meta.get_field(name).attname
        old, new = getattr(older, attname), getattr(newer, attname)
        if old != new:
            changed.append((name, revisions.plain(old), revisions.plain(new)))
    for name in spec.lists:
        target = model._meta.get_field(name).m2m_reverse_name()
        old, new = (
            sorted(getattr(row, name).values_list(target, flat=True)) for row in (older, newer)
        )
        if old != new:
            changed.append((name, old, new))
    return [
        (
            revisions.label(model, name),
            revisions.describe(model, name, old),
            revisions.describe(model, name, new),
        )
        for name, old, new in changed
    ]
