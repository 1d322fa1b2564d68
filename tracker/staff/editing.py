"""How a record's admin page edits a stored record: through review, and never over a newer version.

A change page shows the record as it will be once its pending revision is
published (so an editor continues their own changes, and a reviewer sees what
they would publish), says what waits and what was sent back, and saves
everything on the page (fields, lists, inline rows) in one call of
``services.edit_record``, with the version the page was opened on. A save
based on an older version comes back with the other person's change shown
beside the user's own, still in the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse

from tracker import public, revisions, services
from tracker.models import Revision
from tracker.services import head, last_sent_back, may_publish, pending_revision


def show_pending(record) -> None:
    """Put the record's pending revision on it, in memory, for its change form to start from.

    Lists and rows are kept beside it (``pending_lists``, ``pending_rows``)
    for the form and the inline formsets. Done once per record.
    """
    if getattr(record, "shows_pending", False):
        return
    record.shows_pending = True
    record.pending_revision = pending_revision(record)
    record.edit_token = services.edit_token(record)
    record.pending_lists, record.pending_rows = {}, {}
    if record.pending_revision is None:
        return
    values = head(record, record.pending_revision)
    changes = record.pending_revision.changes
    spec = revisions.revisable(type(record))
    revisions.set_fields(record, {name: values[name] for name in changes})
    record.pending_lists = {name: values[name] for name in spec.lists if name in changes}
    record.pending_rows = {name: values[name] for name in spec.rows if name in changes}


def pending_rows_of(record, model) -> list[dict] | None:
    """The rows of ``model`` the pending revision proposes for ``record``, or None."""
    if record is None:
        return None
    for name, rows in getattr(record, "pending_rows", {}).items():
        if revisions.rows_of(type(record))[name].model is model:
            return rows
    return None


def rows_in(formset, spec: revisions.Rows) -> list[dict]:
    """Every row an inline formset holds once saved: kept, changed, added; not deleted."""
    deleted = formset.deleted_forms if formset.can_delete else []
    rows = []
    for form in formset.forms:
        if form in deleted:
            continue
        if form.instance.pk is not None or form.has_changed():
            values = form.cleaned_data
        else:
            values = form.initial  # a row proposed by the pending revision, left as it was
        if not values:
            continue
        rows.append({name: values.get(name) for name in spec.fields})
    return rows


class PendingRowsInline:
    """For an inline of rows a revision can change: one form for each row it proposes.

    The rows are shown as new forms filled in with the proposed values
    (``EditsThroughReview.get_formset_kwargs``); one more is left empty, to add a row.
    """

    def get_extra(self, request, obj=None, **kwargs):
        rows = pending_rows_of(obj, self.model)
        if rows is None:
            return super().get_extra(request, obj, **kwargs)
        return len(rows) + 1


class EditsThroughReview:
    """For a record admin: change pages edit through ``services.edit_record``."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and revisions.revisable(type(obj)) is not None:
            show_pending(obj)
        form = super().get_form(request, obj, change=change, **kwargs)
        form.edit_conflict = getattr(request, "edit_conflict", None)
        return form

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """Inline rows a pending revision changes are shown as it proposes them."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        rows = pending_rows_of(obj, inline.model)
        if rows is not None:
            kwargs["queryset"] = inline.model.objects.none()
            kwargs["initial"] = rows
        return kwargs

    def edits_through_review(self, obj) -> bool:
        return obj.pk is not None and revisions.revisable(type(obj)) is not None

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        if not (change and self.edits_through_review(obj)):
            return super().save_related(request, form, formsets, change)
        spec = revisions.revisable(type(obj))
        changes = {
            name: revisions.field_value(obj, name) for name in (*spec.fields, *spec.staff_only)
        }
        for name in spec.lists:
            if name in form.cleaned_data:
                changes[name] = list(form.cleaned_data[name])
        for formset in formsets:
            formset.save(commit=False)  # writes nothing; lists the rows for the change message
            for name, rows_spec in spec.rows.items():
                if formset.model is rows_spec.model:
                    changes[name] = rows_in(formset, rows_spec)
        request.edit_outcome = services.edit_record(
            obj,
            changes,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            based_on=form.cleaned_data.get("based_on") or None,
        )

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        """Say where a saved edit went: to the public now, or to a reviewer first."""
        edit = getattr(request, "edit_outcome", None)
        if edit is not None and level == messages.SUCCESS:
            name = f"“{edit.record}”"
            if edit.waits_for_review:
                message = (
                    f"Your changes to {name} wait for a reviewer; the public still sees it as "
                    "it was. A reviewer publishes them or sends them back with a reason."
                )
                level = messages.WARNING
            elif edit.revision is not None:
                message = f"Your changes to {name} are published."
        return super().message_user(request, message, level, *args, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.edits_through_review(obj):
            context.update(self.review_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_context(self, request, obj) -> dict:
        show_pending(obj)
        revision = obj.pending_revision
        model = type(obj)
        waiting = None
        if revision is not None:
            waiting = {
                "revision": revision,
                "by": revision.proposed_by.get_username() if revision.proposed_by else "—",
                "fields": ", ".join(revisions.label(model, name) for name in revision.changes),
                "url": reverse("admin:tracker_revision_change", args=[revision.pk]),
            }
        sent_back = last_sent_back(obj)
        return {
            "waiting_revision": waiting,
            "sent_back": _sent_back(sent_back),
            "on_public_record": public.is_on_record(obj),
            "publishes_at_once": may_publish(request.user),
        }


def _sent_back(sent_back) -> dict | None:
    """Who sent the record (or its changes) back, when and why, whichever it was."""
    if sent_back is None:
        return None
    if isinstance(sent_back, Revision):
        by, at, why = sent_back.decided_by, sent_back.decided_at, sent_back.decision_reason
        what = "Your changes were sent back"
    else:
        by, at, why = sent_back.sent_by, sent_back.sent_at, sent_back.reason
        what = "Sent back"
    return {"what": what, "by": by.get_username() if by else "a reviewer", "at": at, "why": why}
