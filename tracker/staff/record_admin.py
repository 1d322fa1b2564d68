"""The base of every record's admin: saves through the services, with a reason, and full history.

Every save goes through ``tracker.services`` with the reason typed on the
form, so each history row says who changed what and why. Status,
verification, publication and the working reading are never form fields:
each has its own page (``tracker.staff.action_pages``), reached from a
button on the change page, that asks for a reason and calls the service.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline
from modeltranslation.utils import get_translation_fields
from simple_history.admin import SimpleHistoryAdmin

from tracker import clock, services
from tracker.services import EditConflict, TrackerError
from tracker.staff.editing import EditsThroughReview
from tracker.staff.forms import ReasonForm
from tracker.staff.history import HistoryDiff, fields_to_skip, service_field_changes
from tracker.staff.widgets import ForgivingAutocompleteFields


def format_utc(instant) -> str:
    """An instant exactly as stored, for the fields that show staff what the database keeps."""
    return f"{instant:%Y-%m-%d %H:%M} UTC" if instant else "—"


def said(instant, precision: str = "minute", own_zone: str | None = None) -> str:
    """An instant in a list, as the public pages say it, on the UTC clock staff work by.

    A claim or a change given as a day is that day, not the evening before in UTC.
    """
    return clock.instant_text(instant, precision or "minute", "UTC", own_zone=own_zone)


class RecordAdmin(EditsThroughReview, ForgivingAutocompleteFields, SimpleHistoryAdmin):
    """Base of every record's admin: saves go through the services, with a reason.

    An edit of a stored record goes through review (``tracker.staff.editing``):
    once the record is public, it waits for a reviewer. Subclasses list the
    buttons of their action pages in ``change_page_buttons``.
    """

    form = ReasonForm
    # Sources are typed without a scheme as often as with one; https is the safe guess.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # Saving ----------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change and self.edits_through_review(obj):
            return  # saved with its lists and rows, in save_related
        services.save_record(obj, actor=request.user, reason=form.cleaned_data["reason"])

    def save_formset(self, request, form, formset, change):
        """Inline rows are saved with the reason given for the whole page."""
        reason = form.cleaned_data["reason"]
        for row in formset.save(commit=False):
            services.save_record(row, actor=request.user, reason=reason)
        # In English, like the services: the history's plain columns keep the English text.
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
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
            if isinstance(refusal, EditConflict):
                request.edit_conflict = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.service_refusal = getattr(request, "service_refusal", None)
        form.slug_sources = dict(self.prepopulated_fields)
        return form

    def get_prepopulated_fields(self, request, obj=None):
        """Slugs follow their sources by ``tracker.staff.slugs``, not by Django's script."""
        return {}

    def get_record_fieldsets(self, request, obj=None):
        return super().get_fieldsets(request, obj)

    def get_fieldsets(self, request, obj=None):
        """Put the reason last, and only where the user can save."""
        fieldsets = [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in ("reason", "based_on")],
                },
            )
            for name, options in self.get_record_fieldsets(request, obj)
        ]
        may_save = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if may_save:
            fieldsets.append(("Why", {"fields": ["reason", "based_on"]}))
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
        skipped = fields_to_skip(self.model)
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=skipped,
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
        """(label, url) of the buttons shown on the change page; the action pages add theirs."""
        return []

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

    def get_action_object(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.model._meta.verbose_name} with this id.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def render_action_page(
        self, request, obj, form, *, title: str, submit_label: str, intro="", details=""
    ):
        """An action page: what it changes (``intro``, ``details``), its form, and its button.

        Its scripts are the admin's own and the form's: the record admin's
        language tabs have no fields to switch here, and would put an empty
        language list beside the title.
        """
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "original": obj,
            "form": form,
            "submit_label": submit_label,
            "intro": intro,
            "details": details,
            "change_url": self.change_url(obj),
            "media": admin.ModelAdmin.media.fget(self) + form.media,
        }
        return TemplateResponse(request, "admin/tracker/action_form.html", context)

    def done(self, request, obj, message: str):
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(obj))

    def waits(self, request, obj, what: str):
        """Back to the record, saying that the change waits for a reviewer."""
        self.message_user(
            request,
            f"{what} waits for a reviewer; the public still sees the record as it was.",
            messages.WARNING,
        )
        return HttpResponseRedirect(self.change_url(obj))


class TranslatedRecordAdmin(TabbedTranslationAdmin, RecordAdmin):
    """A record admin whose texts are edited in a tab per language, English first.

    English is required; Ukrainian and Russian may be left empty until they
    are translated, and the public pages show the English text, marked, in
    the meantime. Saves go through the services like every record's, so a
    translation edit leaves a history row with its user and reason.
    """

    def get_fieldsets(self, request, obj=None):
        return self._patch_fieldsets(RecordAdmin.get_fieldsets(self, request, obj))


class TranslatedTabularInline(ForgivingAutocompleteFields, TranslationTabularInline):
    """An inline whose texts are edited per language, in tabs within each row."""


def in_every_language(*texts: str) -> list[str]:
    """Each translated text (or a lookup ending in one) once per language, to search them all."""
    return get_translation_fields(*texts)
