"""What waits for a reviewer: edits of public records, and records sent back to their editors.

A public record changes only by a reviewer's act. An edit of one (its text,
its dates, the commitment a claim belongs to, a commitment's working reading)
is kept as a ``Revision`` beside the record, which stays as the public sees
it until a reviewer publishes the revision (``tracker.services.review``).
A reviewer who finds a record or a revision not ready sends it back with a
reason; the editors see the reason on the record's page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Revision(models.Model):
    """Changes proposed to a public record, as they were when proposed.

    ``changes`` maps each changed field (or ``sources``, ``quantities``,
    ``roles``, ``working_reading``) to ``{"from": …, "to": …}``: the public
    value when the edit was made and the proposed one, in the plain JSON
    form ``tracker.revisions`` reads and writes. A record has at most one
    pending revision; an edit made while one waits continues it, and the
    revision it replaces is kept, marked as replaced.
    """

    class State(models.TextChoices):
        # Staff words, like the rest of the admin's: not translated.
        PENDING = "pending", "waiting for a reviewer"
        PUBLISHED = "published", "published"
        SENT_BACK = "sent_back", "sent back"
        REPLACED = "replaced", "replaced by a later edit"

    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("record_type", "record_id")
    # The record's version the changes were made against (tracker.models.versions).
    based_on_version = models.PositiveIntegerField()
    changes = models.JSONField()
    reason = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "proposed_at"], name="revision_queue_idx"),
            models.Index(
                fields=["record_type", "record_id", "-proposed_at"], name="revision_record_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "record_id"],
                condition=Q(state="pending"),
                name="one_pending_revision_per_record",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="revision_has_reason"),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "published", "sent_back", "replaced"]),
                name="revision_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.pk} of {self.record_type.model} {self.record_id}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class SentBack(models.Model):
    """A record a reviewer returned to its editors, with why.

    It leaves the review queue while it stays as it was sent back: the next
    save makes a newer version, and the record waits for a reviewer again.
    """

    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("record_type", "record_id")
    version = models.PositiveIntegerField()
    reason = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "record sent back"
        verbose_name_plural = "records sent back"
        indexes = [
            models.Index(
                fields=["record_type", "record_id", "version"], name="sent_back_record_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="sent_back_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type.model} {self.record_id} sent back"
