"""What a reviewer reads before publishing an edit: the revision beside the public record.

Each revision has a page: the record it changes, who proposed it, when and
why, and every field it changes side by side, the public value and the
proposed one, with the words taken out and put in marked. From there a
reviewer publishes it (saying how a claim stands, since nothing is assumed)
or sends it back with a reason, each by one service call. Editors read the
same page. Records sent back are listed too, with why.
"""

from __future__ import annotations

import difflib
import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from tracker import public, revisions, services
from tracker.models import ComplianceEvent, Revision, SentBack, Verification
from tracker.revisions import WORKING_READING
from tracker.services import TrackerError
from tracker.staff.forms import reason_field

PUBLISH = "tracker.publish_records"
WORD = re.compile(r"\s+|[^\s]+")


# The diff ------------------------------------------------------------------------------


def marked_words(before: str, after: str) -> tuple[SafeString, SafeString]:
    """Both texts, with the words taken out marked in the first and those put in in the second."""
    old, new = WORD.findall(before), WORD.findall(after)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if op == "equal":
            left.append(format_html("{}", removed))
            right.append(format_html("{}", added))
            continue
        if removed:
            left.append(format_html("<del>{}</del>", removed))
        if added:
            right.append(format_html("<ins>{}</ins>", added))
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 (escaped above)


def is_text(model, name: str) -> bool:
    if name in revisions.rows_of(model) or name == WORKING_READING:
        return False
    model_field = model._meta.get_field(name)
    return (
        isinstance(model_field, models.CharField | models.TextField)
        and not model_field.choices
        and not model_field.many_to_many
    )


def diff_rows(revision: Revision) -> list[dict]:
    """Each changed field: its name, the public value, the proposed one, and whether it moved since.

    "Moved since" means the public record no longer holds the value the edit
    started from: publishing is then refused, and the reviewer sends it back.
    """
    model = revision.record_type.model_class()
    record = model.objects.filter(pk=revision.record_id).first()
    now = revisions.snapshot(record) if record is not None else {}
    rows = []
    for name, change in revision.changes.items():
        before, after = change["from"], change["to"]
        if is_text(model, name):
            old, new = marked_words(before or "", after or "")
        else:
            old = revisions.describe(model, name, before)
            new = revisions.describe(model, name, after)
        rows.append(
            {
                "label": revisions.label(model, name),
                "before": old,
                "after": new,
                "moved": revision.is_pending
                and name in now
                and revisions.differs(now[name], before),
                "now": revisions.describe(model, name, now.get(name)),
            }
        )
    return rows


def admin_url_of(record) -> str | None:
    opts = record._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    except NoReverseMatch:
        return None


def public_url_of(record) -> str | None:
    if hasattr(record, "get_absolute_url") and public.is_on_record(record):
        if isinstance(record, ComplianceEvent):
            return record.commitment.get_absolute_url()
        return record.get_absolute_url()
    return None


# The decision ----------------------------------------------------------------------------

PUBLISH_DECISION, SEND_BACK = "publish", "send_back"


def verification_field(required: bool = True) -> forms.ChoiceField:
    """How a claim stands: chosen by the reviewer every time, never assumed."""
    return forms.ChoiceField(
        label="Verification",
        choices=[("", "— choose how the claim stands —"), *Verification.choices],
        required=required,
        help_text="What you checked the claim against says how it stands; nothing is assumed.",
    )


class RevisionDecisionForm(forms.Form):
    """Publish a revision, or send it back, with a reason; a claim's verification chosen.

    Which of the two is the button pressed (``publish`` or ``send_back``).
    """

    verification = verification_field(required=False)
    reason = reason_field()

    def __init__(self, *args, is_claim: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_claim = is_claim
        if not is_claim:
            del self.fields["verification"]

    def clean(self):
        cleaned_data = super().clean()
        decision = self.data.get("publish") and PUBLISH_DECISION
        decision = decision or (self.data.get("send_back") and SEND_BACK)
        if decision is None:
            raise forms.ValidationError("Publish the changes, or send them back.")
        cleaned_data["decision"] = decision
        if decision == PUBLISH_DECISION and self.is_claim and not cleaned_data.get("verification"):
            self.add_error("verification", "Say how the claim stands once published.")
        return cleaned_data


# The admins ------------------------------------------------------------------------------


class ReadOnly:
    """Written only by the services; staff read them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["record_link", "changed_fields", "proposed_by", "proposed_at", "state"]
    list_filter = ["state", "record_type"]
    list_select_related = ["record_type", "proposed_by"]
    date_hierarchy = "proposed_at"
    search_fields = ["reason", "decision_reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-proposed_at", "-pk")

    @admin.display(description="record")
    def record_link(self, revision):
        return format_html(
            '<a href="{}">{} of {}</a>',
            reverse("admin:tracker_revision_change", args=[revision.pk]),
            f"Changes {revision.pk}",
            f"{revision.record_type.name} {revision.record_id}",
        )

    @admin.display(description="fields")
    def changed_fields(self, revision):
        model = revision.record_type.model_class()
        return ", ".join(revisions.label(model, name) for name in revision.changes)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        is_id = str(object_id).isdigit() and len(str(object_id)) <= 18
        revision = Revision.objects.select_related("record_type", "proposed_by").filter(
            pk=object_id if is_id else None
        )
        revision = revision.first()
        if revision is None:
            raise Http404("No such changes.")
        if not self.has_view_permission(request, revision):
            raise PermissionDenied
        record = revision.record
        is_claim = isinstance(record, ComplianceEvent)
        may_decide = revision.is_pending and request.user.has_perm(PUBLISH)
        data = request.POST if request.method == "POST" else None
        form = RevisionDecisionForm(data, is_claim=is_claim)
        if data is not None:
            if not may_decide:
                raise PermissionDenied
            if form.is_valid():
                done = self.decide(request, revision, form)
                if done is not None:
                    return done
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes to {record}",
            "opts": self.model._meta,
            "revision": revision,
            "record": record,
            "record_kind": revision.record_type.name,
            "record_admin_url": admin_url_of(record) if record else None,
            "record_public_url": public_url_of(record) if record else None,
            "rows": diff_rows(revision),
            "form": form if may_decide else None,
            "is_claim": is_claim,
            "verification_now": record.get_verification_display() if is_claim else "",
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/tracker/revision.html", context)

    def decide(self, request, revision, form):
        reason = form.cleaned_data["reason"]
        try:
            if form.cleaned_data["decision"] == PUBLISH_DECISION:
                services.publish_revision(
                    revision,
                    actor=request.user,
                    reason=reason,
                    verification=form.cleaned_data.get("verification") or None,
                )
                message = f"Published: the public sees the changes to “{revision.record}” now."
            else:
                services.send_back(revision, actor=request.user, reason=reason)
                message = f"Sent back: the changes to “{revision.record}” wait no longer."
        except TrackerError as refusal:
            form.add_error(None, refusal.messages)
            return None
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("review_queue"))


@admin.register(SentBack)
class SentBackAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["record_link", "reason", "sent_by", "sent_at", "still_standing"]
    list_filter = ["record_type"]
    list_select_related = ["record_type", "sent_by"]
    date_hierarchy = "sent_at"

    @admin.display(description="record")
    def record_link(self, sent):
        record = sent.record
        url = admin_url_of(record) if record is not None else None
        name = str(record) if record is not None else f"{sent.record_type.name} {sent.record_id}"
        return format_html('<a href="{}">{}</a>', url, name) if url else name

    @admin.display(description="not changed since", boolean=True)
    def still_standing(self, sent):
        record = sent.record
        return record is not None and record.version == sent.version
