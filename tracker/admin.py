"""The staff admin: where editors and reviewers keep the record.

Every save goes through ``tracker.services`` with the reason typed on the
form, so each history row says who changed what and why. Status,
verification, publication and the working reading are never form fields:
each has its own page, reached from a button on the change page, that asks
for a reason and calls the service. Buttons a person cannot use are not
shown, and the services refuse anyway if such a page is posted directly.
"""

from __future__ import annotations

import dataclasses

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from tracker import clock, public, services
from tracker.admin_forms import (
    ComplianceEventForm,
    ExtendWindowForm,
    PublishForm,
    ReadingForm,
    ReasonForm,
    ReasonOnlyForm,
    StatusChangeForm,
    VerifyEventForm,
)
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Source,
    StatusChange,
)
from tracker.services import TrackerError
from tracker.status import Shape, Status

RECENT_EVENTS_SHOWN = 10

admin.site.site_header = "Ceasefire Commitment Tracker"
admin.site.site_title = "Ceasefire Commitment Tracker staff"
admin.site.index_title = "Keeping the record"


def format_utc(instant) -> str:
    return f"{instant:%Y-%m-%d %H:%M} UTC" if instant else "—"


NOISE_FIELDS = ["created_at", "updated_at"]


def recorded_value(record, field_name: str):
    try:
        return getattr(record, field_name)
    except ObjectDoesNotExist:
        return None


def service_field_changes(older, newer) -> list[ModelChange]:
    """Changes to the fields no form edits (status, verification, publication…)."""
    changes = []
    for field in newer.tracked_fields:
        if field.editable or field.name in NOISE_FIELDS:
            continue
        old, new = recorded_value(older, field.name), recorded_value(newer, field.name)
        if old != new:
            changes.append(ModelChange(field.name, old, new))
    return changes


class HistoryDiff(HistoricalRecordContextHelper):
    """Shows choices by their labels: "in force", not "in_force"."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not field.many_to_many:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class RecordAdmin(SimpleHistoryAdmin):
    """Base of every record's admin: saves go through the services, with a reason.

    Subclasses list the buttons for their own pages in ``change_page_buttons``.
    """

    form = ReasonForm
    publishable = False

    # Saving ----------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        services.save_record(obj, actor=request.user, reason=form.cleaned_data["reason"])

    def save_formset(self, request, form, formset, change):
        """Inline rows are saved with the reason given for the whole page."""
        reason = form.cleaned_data["reason"]
        for row in formset.save(commit=False):
            services.save_record(row, actor=request.user, reason=reason)
        for row in formset.deleted_objects:
            row._change_reason = reason
            row._history_user = request.user
            row.delete()
        formset.save_m2m()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except TrackerError as refusal:
            # The admin's own transaction has rolled the whole save back. Show
            # the same form again with the refusal on it, so nothing is lost.
            request.service_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.service_refusal = getattr(request, "service_refusal", None)
        return form

    def get_record_fieldsets(self, request, obj=None):
        return super().get_fieldsets(request, obj)

    def get_fieldsets(self, request, obj=None):
        """Put the reason last, and only where the user can save."""
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "reason"]})
            for name, options in self.get_record_fieldsets(request, obj)
        ]
        may_save = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if may_save:
            fieldsets.append(("Why", {"fields": ["reason"]}))
        return fieldsets

    # History ---------------------------------------------------------------

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryDiff(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Diff every field people care about, including those only services change.

        simple_history compares only fields editable on forms, which would hide
        exactly status, verification and publication. Timestamps the database
        keeps by itself are left out as noise.
        """
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=NOISE_FIELDS,
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                changes = [*delta.changes, *service_field_changes(current, previous)]
                delta = dataclasses.replace(delta, changes=changes)
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Old versions can be read, never saved back: the history is an audit trail."""
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied("Reverting to an old version is disabled.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Buttons and their pages ------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["buttons"] = self.change_page_buttons(request, obj) if obj else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_page_buttons(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) of the buttons shown on the change page."""
        buttons = []
        if self.publishable and request.user.has_perm("tracker.publish_records"):
            label = "Unpublish" if obj.is_published else "Publish"
            buttons.append((label, self.action_url("publish", obj)))
        return buttons

    def action_url(self, name: str, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=[obj.pk])

    def change_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def action_path(self, route: str, view, name: str):
        opts = self.model._meta
        return path(
            f"<path:object_id>/{route}/",
            self.admin_site.admin_view(view),
            name=f"{opts.app_label}_{opts.model_name}_{name}",
        )

    def get_urls(self):
        urls = []
        if self.publishable:
            urls.append(self.action_path("publish", self.publish_view, "publish"))
        return urls + super().get_urls()

    def get_action_object(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.model._meta.verbose_name} with this id.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def render_action_page(self, request, obj, form, *, title: str, submit_label: str, intro=""):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "original": obj,
            "form": form,
            "submit_label": submit_label,
            "intro": intro,
            "change_url": self.change_url(obj),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/tracker/action_form.html", context)

    def done(self, request, obj, message: str):
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(obj))

    # Publishing several at once ----------------------------------------------

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


# Parties, sources, agreements ------------------------------------------------------


@admin.register(Party)
class PartyAdmin(RecordAdmin):
    list_display = ["name", "short_name", "kind", "time_zone"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    list_display = ["__str__", "publisher", "language", "published_on", "accessed_on"]
    list_filter = ["language", "publisher"]
    search_fields = ["url", "title", "publisher"]
    date_hierarchy = "published_on"


@admin.register(Agreement)
class AgreementAdmin(RecordAdmin):
    actions = ["publish_selected", "unpublish_selected"]
    publishable = True
    list_display = ["title", "kind", "held_on", "venue", "is_published"]
    list_filter = ["kind", "is_published", "parties"]
    search_fields = ["title", "venue", "summary"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["parties", "sources"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["is_published", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "held_on", "venue", "parties"]}),
        ("What was agreed", {"fields": ["summary", "sources"]}),
        ("Staff", {"fields": ["is_published", "internal_note", "updated_at"]}),
    ]


# Commitments ------------------------------------------------------------------------


class CommitmentPartyInline(admin.TabularInline):
    model = CommitmentParty
    autocomplete_fields = ["party"]
    extra = 1


class ReadingTimesInUtc:
    """A reading's instants as stored, beside the wall-clock times it was worded in."""

    @admin.display(description="start (UTC)")
    def starts_utc(self, reading):
        return format_utc(reading.starts_at)

    @admin.display(description="end (UTC)")
    def ends_utc(self, reading):
        return format_utc(reading.ends_at)

    @admin.display(description="due (UTC)")
    def due_utc(self, reading):
        return format_utc(reading.due_at)


class ReadingInline(ReadingTimesInUtc, admin.TabularInline):
    """Readings are listed here and edited on their own page, where times are worded."""

    model = Reading
    fields = ["open_link", "read_by", "is_working", "starts_utc", "ends_utc", "due_utc"]
    fields += ["time_zone", "is_published"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="reading")
    def open_link(self, reading):
        url = reverse("admin:tracker_reading_change", args=[reading.pk])
        return format_html('<a href="{}">{}</a>', url, reading.label)


UNPUBLISHED_WORKING_READING_SHORT = "unpublished: drives nothing"


def working_reading_notice(commitment: Commitment) -> str | None:
    """What staff must know when the working reading drives nothing, because it is not public."""
    working = commitment.working_reading()
    if working is None or public.working_reading(commitment) is not None:
        return None
    if working.is_published:
        why = f"The commitment is not public, so its working reading “{working.label}”"
        then = "They apply once the commitment and its agreement are published."
    else:
        why = f"The working reading “{working.label}” is not published, so it"
        then = "Publish the reading once its terms are checked."
    return (
        f"{why} drives nothing: the public sees no dates for this commitment, the clock "
        f"will not expire it and no “ends in” warnings are sent. {then}"
    )


@admin.register(Commitment)
class CommitmentAdmin(RecordAdmin):
    actions = ["publish_selected", "unpublish_selected"]
    publishable = True
    change_form_template = "admin/tracker/commitment/change_form.html"
    list_display = ["title", "status", "working_end", "shape", "category", "is_published"]
    list_display += ["agreement"]
    list_filter = ["status", "category", "shape", "parties", "is_published"]
    search_fields = ["title", "slug", "terms", "agreement__title"]
    list_select_related = ["agreement"]
    autocomplete_fields = ["agreement", "renews"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "status_changed_at", "is_published", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["agreement", "title", "slug", "category", "shape", "renews"]}),
        ("Terms", {"fields": ["terms", "conditions", "promised_quantity"]}),
        ("Status", {"fields": ["status", "status_changed_at", "is_published"]}),
        ("Staff", {"fields": ["internal_note", "created_at", "updated_at"]}),
    ]
    inlines = [CommitmentPartyInline, ReadingInline]

    def get_queryset(self, request):
        """Each commitment with its working reading as staff see it, published or not."""
        working = Reading.objects.filter(commitment=OuterRef("pk"), is_working=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                working_starts_at=Subquery(working.values("starts_at")[:1]),
                working_ends_at=Subquery(working.values("ends_at")[:1]),
                working_due_at=Subquery(working.values("due_at")[:1]),
                working_is_published=Subquery(working.values("is_published")[:1]),
            )
        )

    @admin.display(description="working end", ordering="working_ends_at")
    def working_end(self, commitment):
        """The working end and the same countdown the public pages say, the status considered."""
        start, end = commitment.working_starts_at, commitment.working_ends_at
        due = commitment.working_due_at
        if start is None and end is None and due is None:
            return "—"
        countdown = clock.deadline_text(
            commitment.shape,
            start,
            end,
            due,
            timezone.now(),
            status=commitment.status,
            status_changed_at=commitment.status_changed_at,
        )
        shown = due if commitment.shape == Shape.DELIVERABLE else end
        text = f"{format_utc(shown)} · {countdown}" if shown else countdown
        if not commitment.working_is_published:
            text += f" ({UNPUBLISHED_WORKING_READING_SHORT})"
        return text

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            events = obj.events.select_related("claimant", "accused")
            context["recent_events"] = events[:RECENT_EVENTS_SHOWN]
            context["event_count"] = events.count()
            context["working_reading_notice"] = working_reading_notice(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_page_buttons(self, request, obj):
        user = request.user
        buttons = []
        if user.has_perm("tracker.change_commitment_status") or user.has_perm(
            "tracker.correct_commitment_status"
        ):
            buttons.append(("Change status", self.action_url("status", obj)))
        working = obj.working_reading()
        if (
            obj.shape == Shape.WINDOW
            and not Status(obj.status).is_final
            and working is not None
            and working.ends_at is not None
            and user.has_perm("tracker.change_reading")
        ):
            buttons.append(("Extend window", self.action_url("extend", obj)))
        if user.has_perm("tracker.add_reading"):
            url = reverse("admin:tracker_reading_add") + f"?commitment={obj.pk}"
            buttons.append(("Add a reading", url))
        if user.has_perm("tracker.add_complianceevent"):
            url = reverse("admin:tracker_complianceevent_add") + f"?commitment={obj.pk}"
            buttons.append(("Record an event", url))
        return buttons + super().change_page_buttons(request, obj)

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
                    correction=form.cleaned_data.get("correction", False),
                )
            except TrackerError as refusal:
                form.add_error(None, refusal.messages)
            else:
                label = Status(change.to_status).label
                return self.done(request, commitment, f"“{commitment}” is now {label}.")
        since = format_utc(commitment.status_changed_at)
        intro = f"Now: {capfirst(Status(commitment.status).label)}, since {since}."
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
        working = commitment.working_reading()
        if working is None:
            self.message_user(request, "There is no working reading to extend.", messages.ERROR)
            return HttpResponseRedirect(self.change_url(commitment))
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


@admin.register(CommitmentParty)
class CommitmentPartyAdmin(RecordAdmin):
    list_display = ["commitment", "party", "role"]
    list_filter = ["role", "party"]
    search_fields = ["commitment__title", "party__name"]
    autocomplete_fields = ["commitment", "party"]
    list_select_related = ["commitment", "party"]


# Readings ---------------------------------------------------------------------------


@admin.register(Reading)
class ReadingAdmin(ReadingTimesInUtc, RecordAdmin):
    actions = ["publish_selected", "unpublish_selected"]
    form = ReadingForm
    publishable = True
    list_display = ["label", "commitment", "read_by", "is_working", "starts_at", "ends_at"]
    list_display += ["time_zone", "is_published"]
    list_filter = ["is_working", "is_published", "commitment__category", "read_by"]
    search_fields = ["label", "wording", "scope", "commitment__title"]
    list_select_related = ["commitment", "read_by"]
    autocomplete_fields = ["commitment", "read_by", "sources"]
    readonly_fields = ["is_working", "is_published", "starts_utc", "ends_utc", "due_utc"]

    def get_record_fieldsets(self, request, obj=None):
        first = ["commitment", "label", "read_by"] + ([] if obj else ["make_working"])
        terms = ["wording", "scope", "time_zone", "precision", "starts_at", "duration_days"]
        terms += ["ends_at", "is_open_ended", "due_at"]
        fieldsets = [
            (None, {"fields": first}),
            ("Terms as worded", {"fields": terms}),
            ("Sources", {"fields": ["sources"]}),
            ("State", {"fields": ["is_working", "is_published"]}),
        ]
        if obj:
            stored = ["starts_utc", "ends_utc", "due_utc"]
            fieldsets.insert(2, ("Stored in UTC", {"fields": stored}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data["reason"]
        if change:
            services.update_reading(obj, actor=request.user, reason=reason)
            return
        services.save_record(obj, actor=request.user, reason=reason)
        if form.cleaned_data.get("make_working"):
            services.make_working(obj, actor=request.user, reason=reason)

    def change_page_buttons(self, request, obj):
        buttons = []
        if not obj.is_working and request.user.has_perm("tracker.change_reading"):
            buttons.append(("Make working", self.action_url("make_working", obj)))
        return buttons + super().change_page_buttons(request, obj)

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


# Compliance events ------------------------------------------------------------------


class DeliveredQuantityInline(admin.TabularInline):
    model = DeliveredQuantity
    autocomplete_fields = ["received_by"]
    extra = 0


@admin.register(ComplianceEvent)
class ComplianceEventAdmin(RecordAdmin):
    actions = ["publish_selected", "unpublish_selected"]
    form = ComplianceEventForm
    publishable = True
    list_display = ["occurred_at", "kind", "claim", "count", "verification", "is_published"]
    list_display += ["short_commitment"]
    list_filter = ["kind", "verification", "is_published", "claimant", "accused"]
    list_filter += ["commitment__category"]
    search_fields = ["summary", "location", "region", "commitment__title"]
    list_select_related = ["commitment", "claimant", "accused"]
    date_hierarchy = "occurred_at"
    autocomplete_fields = ["commitment", "claimant", "accused", "in_response_to", "sources"]
    readonly_fields = ["verification", "verified_by", "verified_at", "recorded_by"]
    readonly_fields += ["is_published"]
    fieldsets = [
        (None, {"fields": ["commitment", "kind", "claimant", "accused", "in_response_to"]}),
        (
            "When and where",
            {"fields": ["occurred_at", "occurred_until", "precision", "location", "region"]},
        ),
        ("What was reported", {"fields": ["summary", "count", "sources", "recorded_at"]}),
        (
            "Review",
            {"fields": ["verification", "verified_by", "verified_at", "recorded_by"]},
        ),
        ("Staff", {"fields": ["is_published", "internal_note"]}),
    ]
    inlines = [DeliveredQuantityInline]

    @admin.display(description="claimant → accused")
    def claim(self, event):
        return f"{event.claimant or '—'} → {event.accused or '—'}"

    @admin.display(description="commitment", ordering="commitment__title")
    def short_commitment(self, event):
        return Truncator(event.commitment.title).chars(40)

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data["reason"]
        if change:
            services.save_record(obj, actor=request.user, reason=reason)
        else:
            sources = form.cleaned_data.get("sources")
            services.record_event(obj, actor=request.user, reason=reason, sources=sources)

    def change_page_buttons(self, request, obj):
        buttons = []
        if request.user.has_perm("tracker.verify_complianceevent"):
            buttons.append(("Verify", self.action_url("verify", obj)))
        return buttons + super().change_page_buttons(request, obj)

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
                return self.done(request, event, f"The event is now {label}.")
        intro = f"Now: {event.get_verification_display()}. {event.summary}"
        return self.render_action_page(
            request,
            event,
            form,
            title="Verify event",
            submit_label="Save verification",
            intro=intro,
        )


@admin.register(DeliveredQuantity)
class DeliveredQuantityAdmin(RecordAdmin):
    list_display = ["event", "received_by", "quantity", "unit"]
    list_filter = ["received_by", "unit"]
    search_fields = ["event__summary", "received_by__name"]
    autocomplete_fields = ["event", "received_by"]
    list_select_related = ["event", "received_by"]


# The status log ---------------------------------------------------------------------


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """The log of lifecycle transitions: read only, written by ``change_status`` alone.

    It has no history table of its own, because it is itself a history.
    """

    list_display = ["commitment", "from_status", "to_status", "effective_at", "actor", "user"]
    list_display += ["is_correction"]
    list_filter = ["to_status", "actor", "is_correction"]
    search_fields = ["commitment__title", "reason"]
    list_select_related = ["commitment", "user"]
    date_hierarchy = "effective_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
