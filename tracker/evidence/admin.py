"""Staff's view of the evidence: every capture and try, each link, and the files from the field."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from tracker.evidence import capturing, export, sharing, storage
from tracker.evidence.models import Capture, Link
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
