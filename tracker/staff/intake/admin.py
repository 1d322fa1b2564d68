"""The admin's import page for claims: upload, preview every row's outcome, confirm.

django-import-export gives the page its shape: the upload form, the file
kept between preview and confirmation, the preview, the button on the
events list. Everything else is the intake's, on the one path the
``import_events`` command takes too: the formats below only carry the
uploaded bytes, unread, and the resource's ``import_data`` hands them to
``importer.import_claims``, which reads the file, records each claim as
``services.record_event`` would, a batch at a time (``tracker.recording``:
permission, validation, duplicate flag, history with the reason “Imported
from <file name>”) and rolls back a preview.
django-import-export's own row import, which would save models directly, is
never reached, and its admin log entries are not written: the history rows
are the record of who imported what.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from import_export import fields, resources
from import_export.admin import ImportMixin
from import_export.formats.base_formats import Format
from import_export.forms import ImportForm
from import_export.results import Error, Result, RowResult

from tracker import services
from tracker.models import ComplianceEvent
from tracker.staff.intake import importer, reading
from tracker.staff.intake.importer import ALREADY_THERE, NEW, REFUSED, Outcome

GONE = "The uploaded file is no longer kept here; upload it again."


def upload_limit() -> int:
    """The largest file the admin takes, in bytes; larger ones go to ``import_events``."""
    return getattr(settings, "INTAKE_UPLOAD_MAX_BYTES", 1024 * 1024)


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


# Formats: carriers of the bytes, read by the intake -----------------------------------


class ClaimFile:
    """An uploaded file, as django-import-export hands it on: bytes, not yet read."""

    def __init__(self, data: bytes | None, file_format: str):
        self.data = data
        self.format = file_format

    def __bool__(self) -> bool:
        return True  # read by the intake, which says what is wrong with it

    def stream(self) -> io.BytesIO:
        return io.BytesIO(self.data or b"")


class ClaimFormat(Format):
    name = ""

    def __init__(self, encoding=None):
        self.encoding = None  # bytes pass through; the intake decodes them

    def get_title(self) -> str:
        return self.name

    def get_extension(self) -> str:
        return self.name

    def create_dataset(self, in_stream) -> ClaimFile:
        return ClaimFile(in_stream, self.name)

    def is_binary(self) -> bool:
        return True

    def can_import(self) -> bool:
        return True


class CSVClaims(ClaimFormat):
    name = "csv"


class XLSXClaims(ClaimFormat):
    name = "xlsx"


class JSONClaims(ClaimFormat):
    name = "json"


# The resource: its import is the intake's ---------------------------------------------


class ClaimResource(resources.ModelResource):
    class Meta:
        model = ComplianceEvent
        fields = ()

    @classmethod
    def get_display_name(cls) -> str:
        return "Claims"

    def get_user_visible_fields(self):
        return [fields.Field(column_name=name) for name in reading.COLUMNS]

    def import_data(self, dataset: ClaimFile, dry_run: bool = False, **kwargs) -> Result:
        """Import through ``importer.import_claims``, and show its outcomes as import-export's."""
        result = Result()
        result.outcomes = []
        result.made = []
        result.tally = None
        if dataset.data is None:
            result.append_base_error(Error(ValidationError(GONE)))
            return result
        try:
            result.tally = importer.import_claims(
                dataset.stream(),
                file_format=dataset.format,
                file_name=kwargs.get("file_name") or f"upload.{dataset.format}",
                actor=kwargs.get("user"),
                dry_run=dry_run,
                report=lambda outcome: add_outcome(result, outcome),
            )
        except services.NotPermitted as refusal:
            result.append_base_error(Error(refusal))
            return result
        return result


def add_outcome(result: Result, outcome: Outcome) -> None:
    """Count the row's outcome as import-export's; keep it only while the page lists rows.

    The page lists the first ``PREVIEW_ROWS`` rows and counts them all, and the
    message after an import links the first ``LINKED_CLAIMS`` claims made: only
    those are kept, so a long file's report costs no more memory than a short one's.
    """
    if outcome.whole_file:
        result.outcomes.append(outcome)
        result.append_base_error(Error(ValidationError(outcome.messages())))
        return
    listed = len(result.outcomes) < PREVIEW_ROWS
    if listed:
        result.outcomes.append(outcome)
    if outcome.status == NEW and outcome.event_id and len(result.made) < LINKED_CLAIMS:
        result.made.append(outcome.event_id)
    row = RowResult()
    row.object_id = outcome.event_id
    if outcome.status == REFUSED:
        row.import_type = RowResult.IMPORT_TYPE_INVALID
        error = ValidationError(outcome.messages())
        row.validation_error = error
        if listed or not result.invalid_rows:
            result.append_invalid_row(outcome.line, {}, error)
    else:
        row.import_type = {
            NEW: RowResult.IMPORT_TYPE_NEW,
            ALREADY_THERE: RowResult.IMPORT_TYPE_SKIP,
        }[outcome.status]
    if listed:
        result.append_row_result(row)
    result.increment_row_result_total(row)


# The admin ------------------------------------------------------------------------------


class ClaimImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = upload_limit()
        if upload.size > limit:
            raise ValidationError(
                f"This file is {megabytes(upload.size)}; the admin takes files up to "
                f"{megabytes(limit)}. Split it, or have it imported with "
                "“manage.py import_events”, which takes files of any size.",
                code="too_large",
            )
        return upload


class PossibleDuplicateFilter(admin.SimpleListFilter):
    title = "possible duplicate"
    parameter_name = "possible_duplicate"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(possible_duplicate_of__isnull=False)
        if self.value() == "no":
            return queryset.filter(possible_duplicate_of__isnull=True)
        return queryset


class EventImport(ImportMixin):
    """The import page on the events list, and the duplicate flag in the list."""

    resource_classes = [ClaimResource]
    import_form_class = ClaimImportForm
    import_template_name = "admin/tracker/complianceevent/import.html"
    tmp_storage_class = "import_export.tmp_storages.CacheStorage"
    skip_admin_log = True

    @property
    def import_formats(self):
        return [CSVClaims, XLSXClaims, JSONClaims]

    def has_import_permission(self, request) -> bool:
        return importer.may_import(request.user)

    def get_import_context_data(self, **kwargs):
        return {
            "upload_limit": megabytes(upload_limit()),
            "columns": reading.COLUMNS,
            "preview_rows": PREVIEW_ROWS,
        }

    def process_result(self, result, request):
        """After confirming: say what was recorded, or show why nothing was."""
        if result.has_errors() or result.has_validation_errors() or result.tally is None:
            # Something changed since the preview: nothing was written; say why,
            # under a fresh upload form.
            upload_form = self.get_import_form_class(request)(
                self.get_import_formats(), self.get_import_resource_classes(request)
            )
            context = {
                **self.admin_site.each_context(request),
                **self.get_import_context_data(),
                "title": "Import",
                "opts": self.model._meta,
                "result": result,
                "form": upload_form,
                "media": self.media + upload_form.media,
                "import_error_display": self.import_error_display,
                "fields_list": [],
            }
            return TemplateResponse(request, [self.import_template_name], context)
        self.message_user(request, finished(result.tally, result.made), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:tracker_complianceevent_changelist"))

    @admin.display(description="possible duplicate of")
    def possible_duplicate(self, event):
        if event.possible_duplicate_of_id is None:
            return "—"
        url = reverse("admin:tracker_complianceevent_change", args=[event.possible_duplicate_of_id])
        return format_html('<a href="{}">claim {}</a>', url, event.possible_duplicate_of_id)


def finished(tally, made: list[int]) -> str:
    """What an import did, with a link to the claims it made (the list, filtered to their ids).

    ``made``: the ids of the first claims made (``LINKED_CLAIMS`` at most); the tally counts all.
    """
    if not made:
        return f"Import finished: {tally}."
    url = (
        reverse("admin:tracker_complianceevent_changelist")
        + "?id__in="
        + ",".join(str(pk) for pk in made[:LINKED_CLAIMS])
    )
    count = max(tally.new, len(made))
    shown = "the claim it made" if count == 1 else f"the {count} claims it made"
    if count > LINKED_CLAIMS:
        shown = f"the first {LINKED_CLAIMS} of the {count} claims it made"
    return format_html('Import finished: {}. <a href="{}">Show {}</a>.', str(tally), url, shown)


# The link after an import names each claim it made, up to this many.
LINKED_CLAIMS = 500
# The preview lists this many rows; the counts cover them all.
PREVIEW_ROWS = 1000
