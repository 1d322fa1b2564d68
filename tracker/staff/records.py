"""The record admins: what staff list, search, add and edit, model by model.

Saving goes through the services (``tracker.staff.record_admin``); the pages
that change status, verification, publication and the working reading are
in ``tracker.staff.action_pages``.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from tracker import clock, public, services
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
from tracker.staff.action_pages import CommitmentPages, EventPages, PublishPages, ReadingPages
from tracker.staff.editing import PendingRowsInline
from tracker.staff.forms import ComplianceEventForm, ReadingForm
from tracker.staff.intake.admin import EventImport, PossibleDuplicateFilter
from tracker.staff.record_admin import (
    RecordAdmin,
    TranslatedRecordAdmin,
    TranslatedTabularInline,
    format_utc,
    in_every_language,
    said,
)
from tracker.staff.regions import RegionFormFields
from tracker.staff.sources import SourceLanguageField
from tracker.staff.widgets import ForgivingAutocompleteFields
from tracker.status import Shape

RECENT_EVENTS_SHOWN = 10
# Characters of a commitment's title the claims list shows (the whole title is one click away).
COMMITMENT_SHOWN = 32


# Parties, sources, agreements ------------------------------------------------------


@admin.register(Party)
class PartyAdmin(TranslatedRecordAdmin):
    list_display = ["name", "short_name", "kind", "time_zone"]
    list_filter = ["kind"]
    search_fields = [*in_every_language("name", "short_name"), "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(SourceLanguageField, TranslatedRecordAdmin):
    list_display = ["__str__", "publisher", "language", "published_on", "accessed_on"]
    list_filter = ["language", "publisher"]
    search_fields = ["url", *in_every_language("title"), "publisher"]
    date_hierarchy = "published_on"


@admin.register(Agreement)
class AgreementAdmin(PublishPages, TranslatedRecordAdmin):
    list_display = ["title", "kind", "held_on", "venue", "is_published"]
    list_filter = ["kind", "is_published", "parties"]
    search_fields = in_every_language("title", "venue", "summary")
    date_hierarchy = "held_on"
    autocomplete_fields = ["parties", "sources"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["is_published", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "held_on", "venue", "parties"]}),
        ("What was agreed", {"fields": ["summary", "sources"]}),
        ("Staff", {"fields": ["is_published", "internal_note", "updated_at"]}),
    ]

    def change_page_buttons(self, request, obj):
        return self.publish_buttons(request, obj)


# Commitments ------------------------------------------------------------------------


class CommitmentPartyInline(PendingRowsInline, ForgivingAutocompleteFields, admin.TabularInline):
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
class CommitmentAdmin(RegionFormFields, CommitmentPages, PublishPages, TranslatedRecordAdmin):
    change_form_template = "admin/tracker/commitment/change_form.html"
    list_display = ["title", "status", "working_end", "shape", "category", "is_published"]
    list_display += ["agreement"]
    list_filter = ["status", "category", "shape", "parties", "is_published"]
    search_fields = ["slug", *in_every_language("title", "terms", "agreement__title")]
    list_select_related = ["agreement"]
    autocomplete_fields = ["agreement", "renews"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "status_changed_at", "is_published", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["agreement", "title", "slug", "category", "shape", "renews"]}),
        (
            "Terms",
            {"fields": ["terms", "conditions", "promised_quantity", "promised_unit", "regions"]},
        ),
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
                working_precision=Subquery(working.values("precision")[:1]),
                working_time_zone=Subquery(working.values("time_zone")[:1]),
            )
        )

    @admin.display(description="working end", ordering="working_ends_at")
    def working_end(self, commitment):
        """The working end and the same countdown the public pages say, the status considered.

        Both in the words the public pages use, on the UTC clock staff work by.
        """
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
            status_precision=commitment.status_changed_precision,
            status_zone=commitment.status_changed_zone,
            precision=commitment.working_precision,
            own_zone=commitment.working_time_zone,
        )
        shown = due if commitment.shape == Shape.DELIVERABLE else end
        when = said(shown, commitment.working_precision, commitment.working_time_zone)
        text = f"{when} · {countdown}" if shown else countdown
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
        buttons = self.lifecycle_buttons(request, obj)
        if request.user.has_perm("tracker.add_reading"):
            url = reverse("admin:tracker_reading_add") + f"?commitment={obj.pk}"
            buttons.append(("Add a reading", url))
        if request.user.has_perm("tracker.add_complianceevent"):
            url = reverse("admin:tracker_complianceevent_add") + f"?commitment={obj.pk}"
            buttons.append(("Record a claim", url))
        return buttons + self.publish_buttons(request, obj)


@admin.register(CommitmentParty)
class CommitmentPartyAdmin(RecordAdmin):
    list_display = ["commitment", "party", "role"]
    list_filter = ["role", "party"]
    search_fields = in_every_language("commitment__title", "party__name")
    autocomplete_fields = ["commitment", "party"]
    list_select_related = ["commitment", "party"]


# Readings ---------------------------------------------------------------------------


@admin.register(Reading)
class ReadingAdmin(ReadingTimesInUtc, ReadingPages, PublishPages, TranslatedRecordAdmin):
    form = ReadingForm
    list_display = ["label", "commitment", "read_by", "is_working", "starts", "ends"]
    list_display += ["time_zone", "is_published"]
    list_filter = ["is_working", "is_published", "commitment__category", "read_by"]
    search_fields = ["wording", *in_every_language("label", "scope", "commitment__title")]
    list_select_related = ["commitment", "read_by"]
    autocomplete_fields = ["commitment", "read_by", "sources"]
    readonly_fields = ["is_working", "is_published", "starts_utc", "ends_utc", "due_utc"]

    @admin.display(description="start", ordering="starts_at")
    def starts(self, reading):
        return said(reading.starts_at, reading.precision, reading.time_zone)

    @admin.display(description="end", ordering="ends_at")
    def ends(self, reading):
        return said(reading.ends_at, reading.precision, reading.time_zone)

    def get_record_fieldsets(self, request, obj=None):
        first = ["commitment", "label", "read_by"] + ([] if obj else ["make_working"])
        terms = ["wording", "wording_language", "scope", "time_zone", "precision", "starts_at"]
        terms += ["duration_days"]
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
        if change:
            return super().save_model(request, obj, form, change)
        reason = form.cleaned_data["reason"]
        services.save_record(obj, actor=request.user, reason=reason)
        if form.cleaned_data.get("make_working"):
            services.make_working(obj, actor=request.user, reason=reason)

    def change_page_buttons(self, request, obj):
        return self.working_reading_buttons(request, obj) + self.publish_buttons(request, obj)


# Claims ---------------------------------------------------------------------------


class DeliveredQuantityInline(PendingRowsInline, TranslatedTabularInline):
    model = DeliveredQuantity
    autocomplete_fields = ["received_by"]
    extra = 0


@admin.register(ComplianceEvent)
class ComplianceEventAdmin(
    RegionFormFields, EventImport, EventPages, PublishPages, TranslatedRecordAdmin
):
    form = ComplianceEventForm
    # What a reviewer scans a list of claims for, narrow enough for 1280 px beside the filters.
    list_display = ["occurred", "short_commitment", "claimant", "accused", "kind"]
    list_display += ["verification", "published", "possible_duplicate"]
    list_filter = ["kind", "verification", "is_published", "claimant", "accused"]
    list_filter += ["commitment__category", PossibleDuplicateFilter]
    search_fields = [*in_every_language("summary", "location", "commitment__title"), "region"]
    list_select_related = ["commitment", "claimant", "accused"]
    date_hierarchy = "occurred_at"
    autocomplete_fields = ["commitment", "claimant", "accused", "in_response_to", "sources"]
    readonly_fields = ["verification", "verified_by", "verified_at", "recorded_by"]
    readonly_fields += ["is_published", "possible_duplicate"]
    fieldsets = [
        (None, {"fields": ["commitment", "kind", "claimant", "accused", "in_response_to"]}),
        (
            "When and where",
            {
                "fields": [
                    *["time_zone", "occurred_at", "occurred_until", "precision"],
                    *["location", "region"],
                ]
            },
        ),
        ("What was reported", {"fields": ["summary", "count", "sources", "recorded_at"]}),
        (
            "Review",
            {
                "fields": [
                    *["verification", "verified_by", "verified_at", "recorded_by"],
                    "possible_duplicate",
                ]
            },
        ),
        ("Staff", {"fields": ["is_published", "internal_note"]}),
    ]
    inlines = [DeliveredQuantityInline]

    @admin.display(description="occurred", ordering="occurred_at")
    def occurred(self, event):
        return said(event.occurred_at, event.precision)

    @admin.display(description="published", boolean=True, ordering="is_published")
    def published(self, event):
        return event.is_published

    def changelist_view(self, request, extra_context=None):
        """The list of claims takes the page's width: the menu of models is a click away."""
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="commitment", ordering="commitment__title")
    def short_commitment(self, event):
        return Truncator(event.commitment.title).chars(COMMITMENT_SHOWN)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        sources = form.cleaned_data.get("sources")
        reason = form.cleaned_data["reason"]
        services.record_event(obj, actor=request.user, reason=reason, sources=sources)

    def change_page_buttons(self, request, obj):
        return self.verification_buttons(request, obj) + self.publish_buttons(request, obj)


@admin.register(DeliveredQuantity)
class DeliveredQuantityAdmin(TranslatedRecordAdmin):
    list_display = ["event", "received_by", "quantity", "unit"]
    list_filter = ["received_by", "unit"]
    search_fields = in_every_language("event__summary", "received_by__name")
    autocomplete_fields = ["event", "received_by"]
    list_select_related = ["event", "received_by"]


# The status log ---------------------------------------------------------------------


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """The log of lifecycle transitions: read only, written by ``change_status`` alone.

    It has no history table of its own, because it is itself a history.
    """

    list_display = ["commitment", "from_status", "to_status", "took_effect", "actor", "user"]
    list_display += ["is_correction"]
    list_filter = ["to_status", "actor", "is_correction"]
    search_fields = [*in_every_language("commitment__title"), "reason"]
    list_select_related = ["commitment", "user"]
    date_hierarchy = "effective_at"

    @admin.display(description="took effect", ordering="effective_at")
    def took_effect(self, change):
        return said(change.effective_at, change.precision, change.time_zone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
