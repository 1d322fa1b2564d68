"""Staff's view of the evidence: every capture and try, each link, and the files from the field."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from tracker.evidence import attachments, capturing, export, sharing, storage
from tracker.evidence.models import Attachment, Capture, Link
from tracker.models import Source
from tracker.services import TrackerError


@admin.register(Capture)
class CaptureAdmin(admin.ModelAdmin):
    list_display = ["url", "state", "captured_at", "http_status", "size", "short_hash", "files"]
    list_filter = ["state", "content_type"]
    search_fields = ["url", "final_url", "sha256"]
    date_hierarchy = "captured_at"
    actions = ["try_again"]
    readonly_fields = [f.name for f in Capture._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="SHA-256")
    def short_hash(self, capture):
        return capture.sha256[:16] + "…" if capture.sha256 else ""

    @admin.display(description="Copy")
    def files(self, capture):
        if capture.state != Capture.State.CAPTURED:
            return capture.failure_reason[:120]
        return format_html(
            '<a href="{}">bytes</a> · <a href="{}">WARC of the source</a>',
            reverse("admin:evidence_capture_copy", args=[capture.pk]),
            reverse("admin:evidence_source_warc", args=[capture.source_id]),
        )

    @admin.action(description="Try the selected failed captures again now")
    def try_again(self, request, queryset):
        count = capturing.retry(queryset)
        self.message_user(request, f"{count} capture(s) will be tried again.", messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/copy/", view(self.copy_view), name="evidence_capture_copy"),
            path("source/<int:pk>/warc/", view(self.warc_view), name="evidence_source_warc"),
            *super().get_urls(),
        ]

    def copy_view(self, request, pk: int):
        """The copy's bytes for staff, as a download (never rendered on the admin's origin)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        capture = get_object_or_404(Capture.objects.kept(), pk=pk)
        response = FileResponse(
            storage.open_stream(capture.body_name),
            as_attachment=True,
            filename=f"capture-{capture.pk}-{capture.sha256[:16]}",
            content_type=capture.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def warc_view(self, request, pk: int):
        """Every capture of one source as one WARC file."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=pk)
        if not Capture.objects.kept().filter(source=source).exclude(warc_name="").exists():
            raise Http404("No capture of this source is kept yet.")
        response = StreamingHttpResponse(
            export.captures_warc(source), content_type="application/warc"
        )
        response["Content-Disposition"] = f'attachment; filename="{export.filename_for(source)}"'
        return response


@admin.register(Link)
class LinkAdmin(SimpleHistoryAdmin):
    list_display = ["source", "status", "status_since", "checked_at", "shareable"]
    list_filter = ["status", "shareable"]
    search_fields = ["source__url"]
    actions = ["share_copies", "stop_sharing_copies"]
    readonly_fields = [f.name for f in Link._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _share(self, request, queryset, shareable: bool):
        reason = "Publisher allows sharing" if shareable else "Publisher does not allow sharing"
        try:
            for link in queryset:
                sharing.set_shareable(link, shareable, actor=request.user, reason=reason)
        except TrackerError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"{queryset.count()} source(s) updated.", messages.SUCCESS)

    @admin.action(description="Make the archived copies public (the publisher allows it)")
    def share_copies(self, request, queryset):
        self._share(request, queryset, True)

    @admin.action(description="Keep the archived copies for staff only")
    def stop_sharing_copies(self, request, queryset):
        self._share(request, queryset, False)


class AttachForm(forms.ModelForm):
    """Staff attach a file to a source or a claim; the service checks and keeps it."""

    file = forms.FileField(help_text="An image (PNG, JPEG, GIF), a PDF or a short video.")
    reason = forms.CharField(help_text="Where the file comes from, and why it is kept.")

    class Meta:
        model = Attachment
        fields = ["source", "claim", "caption", "is_public"]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            attachments.check(uploaded)
        except attachments.InvalidAttachment as exc:
            messages_ = exc.message_dict["file"] if hasattr(exc, "error_dict") else exc.messages
            raise forms.ValidationError(messages_) from exc
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("source")) == bool(cleaned.get("claim")):
            raise forms.ValidationError("Attach the file to a source or to a claim, not both.")
        return cleaned


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    form = AttachForm
    list_display = ["original_filename", "kind", "source", "claim", "is_public", "short_hash"]
    list_filter = ["kind", "is_public"]
    search_fields = ["original_filename", "caption", "sha256", "public_sha256"]
    raw_id_fields = ["source", "claim"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Attachment._meta.fields] if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["file", "source", "claim", "caption", "is_public", "reason"]
        return [f.name for f in Attachment._meta.fields]

    @admin.display(description="SHA-256")
    def short_hash(self, attachment):
        return attachment.sha256[:16] + "…"

    def save_model(self, request, obj, form, change):
        kept = attachments.attach(
            form.cleaned_data["file"],
            source=form.cleaned_data["source"],
            claim=form.cleaned_data["claim"],
            caption=form.cleaned_data["caption"],
            public=form.cleaned_data["is_public"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        obj.pk = kept.pk

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except TrackerError as exc:
            self.message_user(request, f"Nothing was kept: {exc}", messages.ERROR)
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.path)
