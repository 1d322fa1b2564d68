"""The public log: every change to what the public sees, as leaves of a Merkle tree.

Rows here are only ever added, by ``tracker.ledger.log`` inside the
transaction of the change they record. ``LedgerHead`` is the log's one row
of state (its size and the frontier of the tree), locked by every append so
two writers never take one index; ``LedgerNode`` keeps the tree's interior
nodes so roots and proofs read ``O(log n)`` rows; a ``LedgerCheckpoint`` is
a signed statement of the tree's size and root at a moment.
"""

from django.db import models


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement"
        COMMITMENT = "commitment"
        READING = "reading"
        CLAIM = "claim"

    class Change(models.TextChoices):
        PUBLISHED = "published"
        CORRECTED = "corrected"
        STATUS_CHANGED = "status_changed"
        VERIFICATION_CHANGED = "verification_changed"
        READING_ADDED = "reading_added"
        UPDATED = "updated"  # a count or a link changed because another record did
        WITHDRAWN = "withdrawn"  # a tombstone: the record no longer shows

    index = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    record_id = models.BigIntegerField()
    change = models.CharField(max_length=24, choices=Change.choices)
    recorded_at = models.DateTimeField()
    # The leaf exactly as hashed: the entry's canonical JSON (RFC 8785), UTF-8.
    leaf = models.TextField()
    leaf_hash = models.BinaryField(max_length=32)
    # SHA-256 of the record's canonical JSON, or empty for a tombstone: what a
    # new change is compared with, without parsing the leaf.
    record_digest = models.BinaryField(max_length=32)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "record_id", "-index"], name="ledger_latest_of_record"),
        ]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.index}: {self.kind} {self.record_id} {self.change}"


class LedgerNode(models.Model):
    """The hash of a perfect subtree above the leaves: ``2**level`` leaves from
    leaf ``position * 2**level``."""

    level = models.PositiveSmallIntegerField()
    position = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "position"], name="ledger_one_node_a_place"),
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.position}"


class LedgerHead(models.Model):
    """The log's size and the roots of its perfect subtrees (hex, None where the size's bit is
    clear): one row, locked by every append."""

    size = models.BigIntegerField(default=0)
    frontier = models.JSONField(default=list, blank=True)  # an empty log has none

    def __str__(self) -> str:
        return f"log of {self.size} entries"


class LedgerCheckpoint(models.Model):
    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    signed_at = models.DateTimeField()
    # The signed note, exactly as served at /ledger/checkpoint.
    note = models.TextField()

    class Meta:
        ordering = ["-size"]
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint of {self.size} entries"
