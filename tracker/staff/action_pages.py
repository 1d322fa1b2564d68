"""The pages that change what a record *is*, one service call each, always with a reason.

Status, extension, the working reading, verification and publication are
never fields on a form. Each has a page of its own, reached from a button on
the record's change page (or, for publishing a selection, from the list),
which asks for the few things its service needs and shows the service's
refusal as it is. A button is shown only to those who may use it, and the
services refuse anyway if such a page is posted directly.

Each mixin below goes before ``RecordAdmin`` in a record admin's bases, and
offers its buttons for the admin's ``change_page_buttons`` to list.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.text import capfirst

from tracker import clock, services
from tracker.services import TrackerError
from tracker.staff.forms import (
    ExtendWindowForm,
    PublishForm,
    ReasonOnlyForm,
    StatusChangeForm,
    VerifyEventForm,
)
from tracker.staff.record_admin import format_utc
from tracker.staff.sources import sources_list
from tracker.status import Shape, Status

Buttons = list[tuple[str, str]]


class PublishPages:
    """Publish or unpublish one record from its page, or a selection from the list."""

    actions = ["publish_selected", "unpublish_selected"]

    def publish_buttons(self, request, obj) -> Buttons:
        if not request.user.has_perm("tracker.publish_records"):
            return []
        label = "Unpublish" if obj.is_published else "Publish"
        return [(label, self.action_url("publish", obj))]

    def get_urls(self):
        return [self.action_path("publish", self.publish_view, "publish"), *super().get_urls()]

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("tracker.publish_records")

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["publish"])
    def publish_selected(self, request, queryset):
        return self.set_published_in_bulk(request, queryset, publish=True)

    @admin.action(description="Unpublish selected %(verbose_name_plural)s", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        return self.set_published_in_bulk(request, queryset, publish=False)

    def set_published_in_bulk(self, request, queryset, *, publish: bool):
        """Ask once for a reason, then publish all or none of the selection."""
        form = ReasonOnlyForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                with transaction.atomic():
                    for obj in queryset:
                        services.set_published(obj, publish, actor=request.user, reason=reason)
            except TrackerError as refusal:
                form.add_error(None, [f"“{obj}”: {message}" for message in refusal.messages])
            else:
                state = "public" if publish else "no longer public"
                count = len(queryset)
                names = model_ngettext(self.opts, count)
                self.message_user(request, f"Now {state}: {count} {names}.", messages.SUCCESS)
                return None
        verb = "Publish" if publish else "Unpublish"
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb} {self.model._meta.verbose_name_plural}",
            "opts": self.model._meta,
            "objects": queryset,
            "form": form,
            "action": request.POST["action"],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "submit_label": verb,
        }
        return TemplateResponse(request, "admin/tracker/bulk_action_form.html", context)

    def publish_view(self, request, object_id):
        obj = self.get_action_object(request, object_id)
        data = request.POST if request.method == "POST" else None
        form = PublishForm(data, initial={"publish": "0" if obj.is_published else "1"})
        if data is not None and form.is_valid():
            publish = form.cleaned_data["publish"]
            try:
                services.set_published(
                    obj, publish, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except TrackerError as refusal:
                form.add_error(None, refusal.messages)
            else:
                state = "public" if publish else "no longer public"
                return self.done(request, obj, f"“{obj}” is {state}.")
        publishing = form["publish"].value() == "1"
        verb = "Publish" if publishing else "Unpublish"
        intro = (
            "Published records appear on the public site, in feeds and in open data."
            if publishing
            else "The record disappears from the public site, feeds and open data."
        )
        return self.render_action_page(
            request, obj, form, title=f"{verb} “{obj}”", submit_label=verb, intro=intro
        )


def why_it_cannot_be_extended(commitment) -> str | None:
    """Why the extend page has nothing to offer for this commitment, or None when it has."""
    if commitment.shape != Shape.WINDOW:
        return "Only a window can be extended."
    if Status(commitment.status).is_final:
        return (
            f"The commitment is {commitment.get_status_display()}; a renewal after it "
            "ended is a new commitment that renews this one."
        )
    working = commitment.working_reading()
    if working is None:
        return "There is no working reading to extend."
    if working.ends_at is None:
        return "An open-ended window has no end to move."
    return None


class CommitmentPages:
    """Change a commitment's status, and extend a window."""

    def lifecycle_buttons(self, request, obj) -> Buttons:
        user = request.user
        buttons = []
        may_change = user.has_perm("tracker.change_commitment_status") or user.has_perm(
            "tracker.correct_commitment_status"
        )
        # A published commitment's status alerts its subscribers: a reviewer's act.
        if may_change and (not obj.is_published or user.has_perm("tracker.publish_records")):
            buttons.append(("Change status", self.action_url("status", obj)))
        if why_it_cannot_be_extended(obj) is None and user.has_perm("tracker.change_reading"):
            buttons.append(("Extend window", self.action_url("extend", obj)))
        return buttons

    def get_urls(self):
        return [
            self.action_path("status", self.change_status_view, "status"),
            self.action_path("extend", self.extend_window_view, "extend"),
            *super().get_urls(),
        ]

    def change_status_view(self, request, object_id):
        commitment = self.get_action_object(request, object_id)
        data = request.POST if request.method == "POST" else None
        may_correct = request.user.has_perm("tracker.correct_commitment_status")
        form = StatusChangeForm(data, commitment=commitment, may_correct=may_correct)
        if data is not None and form.is_valid():
            try:
                change = services.change_status(
                    commitment,
                    form.cleaned_data["to_status"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    effective_at=form.cleaned_data["effective_at"],
                    precision=form.precision,
                    time_zone=form.zone_name,
                    correction=form.cleaned_data.get("correction", False),
                )
            except TrackerError as refusal:
                form.add_error(None, refusal.messages)
            else:
                label = Status(change.to_status).label
                local = clock.utc_to_local(change.effective_at, form.zone_name)
                return self.done(
                    request,
                    commitment,
                    f"“{commitment}” is now {label}, since {local:%Y-%m-%d %H:%M} "
                    f"{form.zone_name} ({format_utc(change.effective_at)}).",
                )
        since = format_utc(commitment.status_changed_at)
        local_since = clock.utc_to_local(commitment.status_changed_at, form.zone_name)
        intro = (
            f"Now: {capfirst(Status(commitment.status).label)}, since {since} "
            f"({local_since:%Y-%m-%d %H:%M} {form.zone_name})."
        )
        return self.render_action_page(
            request,
            commitment,
            form,
            title="Change status",
            submit_label="Change status",
            intro=intro,
        )

    def extend_window_view(self, request, object_id):
        commitment = self.get_action_object(request, object_id)
        refusal = why_it_cannot_be_extended(commitment)
        if refusal is not None:
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(self.change_url(commitment))
        working = commitment.working_reading()
        data = request.POST if request.method == "POST" else None
        form = ExtendWindowForm(data, reading=working)
        if data is not None and form.is_valid():
            try:
                reading = services.extend_window(
                    commitment,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    new_end=form.cleaned_data["new_end"],
                    extra_days=form.cleaned_data["extra_days"],
                )
            except TrackerError as refusal:
                form.add_error(None, refusal.messages)
            else:
                if services.pending_revision(reading) is not None:
                    return self.waits(request, commitment, "The extension")
                return self.done(
                    request, commitment, f"The window now ends {format_utc(reading.ends_at)}."
                )
        local_end = clock.utc_to_local(working.ends_at, working.time_zone)
        intro = (
            f"The working reading “{working.label}” ends {format_utc(working.ends_at)} "
            f"({local_end:%Y-%m-%d %H:%M} {working.time_zone})."
        )
        return self.render_action_page(
            request, commitment, form, title="Extend window", submit_label="Extend", intro=intro
        )


class ReadingPages:
    """Make a reading the working one."""

    def working_reading_buttons(self, request, obj) -> Buttons:
        if obj.is_working or not request.user.has_perm("tracker.change_reading"):
            return []
        return [("Make working", self.action_url("make_working", obj))]

    def get_urls(self):
        return [
            self.action_path("make-working", self.make_working_view, "make_working"),
            *super().get_urls(),
        ]

    def make_working_view(self, request, object_id):
        reading = self.get_action_object(request, object_id)
        data = request.POST if request.method == "POST" else None
        form = ReasonOnlyForm(data)
        if data is not None and form.is_valid():
            try:
                services.make_working(
                    reading, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except TrackerError as refusal:
                form.add_error(None, refusal.messages)
            else:
                if services.pending_revision(reading.commitment) is not None:
                    return self.waits(request, reading, "The new working reading")
                return self.done(request, reading, f"“{reading.label}” is the working reading.")
        current = reading.commitment.working_reading()
        intro = "The working reading drives status and alerts. "
        intro += f"Now: “{current.label}”." if current else "There is none now."
        return self.render_action_page(
            request,
            reading,
            form,
            title="Make this the working reading",
            submit_label="Make working",
            intro=intro,
        )


class EventPages:
    """Set how far a claim has been checked."""

    def verification_buttons(self, request, obj) -> Buttons:
        if not request.user.has_perm("tracker.verify_complianceevent"):
            return []
        return [("Verify", self.action_url("verify", obj))]

    def get_urls(self):
        return [self.action_path("verify", self.verify_view, "verify"), *super().get_urls()]

    def verify_view(self, request, object_id):
        event = self.get_action_object(request, object_id)
        data = request.POST if request.method == "POST" else None
        form = VerifyEventForm(data, event=event)
        if data is not None and form.is_valid():
            try:
                services.verify_event(
                    event,
                    form.cleaned_data["verification"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except TrackerError as refusal:
                form.add_error(None, refusal.messages)
            else:
                label = event.get_verification_display()
                return self.done(request, event, f"The claim is now {label}.")
        intro = f"Now: {event.get_verification_display()}. {event.summary}"
        return self.render_action_page(
            request,
            event,
            form,
            title="Verify claim",
            submit_label="Save verification",
            intro=intro,
            details=format_html("<h2>Sources</h2>{}", sources_list(event)),
        )
