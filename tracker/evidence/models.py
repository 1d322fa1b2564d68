"""What the tracker keeps as evidence: captures of cited pages, their links, files from the field.

The bytes live in the evidence storage (``tracker.evidence.storage``: the local disk, or an
S3-compatible store); the database holds only where they are, their size and their SHA-256.
A row says a copy is kept only once the copy is written and its hash read back, so a store
that fails halfway leaves a failed attempt with its reason, never a capture without bytes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tracker.models import ComplianceEvent, Source

SHA256_LENGTH = 64


class CaptureQuerySet(models.QuerySet):
    def kept(self):
        """Captures whose bytes are stored: the copies a reader may be told about."""
        return self.filter(state=Capture.State.CAPTURED)

    def due(self, now):
        """Captures waiting for their (next) try, or left behind by a worker that died."""
        return self.filter(
            Q(state=Capture.State.PENDING, next_attempt_at__lte=now)
            | Q(state=Capture.State.CAPTURING, claimed_until__lt=now)
        )


class Capture(models.Model):
    """One copy of a cited page as it was served, or the attempts at making one."""

    class State(models.TextChoices):
        PENDING = "pending", "waiting"
        CAPTURING = "capturing", "being captured"
        CAPTURED = "captured", "captured"
        FAILED = "failed", "failed"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="captures")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    url = models.URLField(max_length=500, help_text="The address asked for.")
    requested_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=120, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True, help_text="Why the last try made no copy.")

    final_url = models.URLField(max_length=2000, blank=True, help_text="After redirects.")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=SHA256_LENGTH, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    body_name = models.CharField(max_length=300, blank=True, help_text="In the evidence storage.")
    warc_name = models.CharField(max_length=300, blank=True, help_text="In the evidence storage.")
    made_from = models.CharField(
        max_length=300,
        blank=True,
        help_text="Set when the copy was made from a file rather than fetched from its address.",
    )

    objects = CaptureQuerySet.as_manager()

    class Meta:
        ordering = ["-captured_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="capture_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(state__in=["pending", "capturing"]),
                name="one_capture_waiting_per_source",
            ),
            models.CheckConstraint(
                condition=~Q(state="captured")
                | (Q(sha256__regex=r"^[0-9a-f]{64}$") & ~Q(body_name="") & Q(size__isnull=False)),
                name="a_capture_has_its_bytes_and_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.get_state_display()})"


class Link(models.Model):
    """What became of a cited address since it was captured, and what the public may see of it."""

    class Status(models.TextChoices):
        UNCHECKED = "unchecked", "not checked yet"
        LIVE = "live", "live, unchanged"
        CHANGED = "changed", "changed since captured"
        GONE = "gone", "gone"

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="link")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNCHECKED)
    status_since = models.DateTimeField(
        null=True, blank=True, help_text="When a check first found the address so."
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    check_note = models.TextField(blank=True, help_text="What the last check found.")
    shareable = models.BooleanField(
        default=False,
        help_text="The archived copy itself is public. Otherwise readers see its date and "
        "hash only (publishers' rights differ).",
    )
    shareable_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shareable_changed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["checked_at", "next_check_at", "check_note"])

    def __str__(self) -> str:
        return f"{self.source.url}: {self.get_status_display()}"


class Attachment(models.Model):
    """A file from the field (photo, screenshot, PDF, short video) kept for a source or a claim."""

    class Kind(models.TextChoices):
        IMAGE = "image", "image"
        PDF = "pdf", "PDF"
        VIDEO = "video", "video"

    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    claim = models.ForeignKey(
        ComplianceEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    original_filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=SHA256_LENGTH, help_text="Of the original bytes.")
    original_name = models.CharField(max_length=300, help_text="In the evidence storage.")
    public_name = models.CharField(max_length=300, blank=True)
    public_sha256 = models.CharField(
        max_length=SHA256_LENGTH, blank=True, help_text="Of the copy without metadata."
    )
    public_size = models.PositiveBigIntegerField(null=True, blank=True)
    is_public = models.BooleanField(
        default=False, help_text="Shown with its record once that record is public."
    )
    caption = models.CharField(max_length=300, blank=True)
    made_from = models.CharField(
        max_length=300,
        blank=True,
        help_text="Set for the demonstration's file, made from a file in the repository.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,  # none for a file the import or the demo attached
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__isnull=True, claim__isnull=False)
                | Q(source__isnull=False, claim__isnull=True),
                name="an_attachment_belongs_to_a_source_or_a_claim",
            ),
            models.CheckConstraint(
                condition=Q(is_public=False) | ~Q(public_name=""),
                name="a_public_attachment_has_its_public_copy",
            ),
        ]

    def __str__(self) -> str:
        return self.original_filename
