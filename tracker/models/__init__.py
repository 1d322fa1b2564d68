"""The commitment domain: who promised what, their readings of the terms, and
what each side reports about compliance.

Models hold data, field-level validation and database constraints. Anything
that changes a commitment's status, or records, verifies or publishes an event,
goes through ``tracker.services``.

The models live in modules by what they hold (``records``, ``commitments``,
``claims``), beside the pure rules of compliance (``rules``) and the checks
on text (``validators``); every name is importable from ``tracker.models``.
"""

from tracker.models.claims import (
    ComplianceEvent,
    ComplianceSummary,
    DeliveredQuantity,
)
from tracker.models.commitments import (
    Commitment,
    CommitmentParty,
    Reading,
    StatusChange,
)
from tracker.models.ledger import LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerNode
from tracker.models.records import (
    Agreement,
    Party,
    Source,
)
from tracker.models.review import Revision, SentBack
from tracker.models.rules import (
    ALLEGED,
    VERIFIED,
    VIOLATION_KINDS,
    Category,
    CompliancePicture,
    EventKind,
    Verification,
    violation_standing,
)
from tracker.models.validators import (
    LINE_BREAKS_AND_TABS,
    has_control_characters,
    validate_reported_instant,
    validate_term_instant,
    validate_time_zone,
)

__all__ = [
    "LINE_BREAKS_AND_TABS",
    "has_control_characters",
    "validate_time_zone",
    "validate_reported_instant",
    "validate_term_instant",
    "Party",
    "Source",
    "Agreement",
    "Category",
    "Verification",
    "EventKind",
    "VIOLATION_KINDS",
    "ALLEGED",
    "VERIFIED",
    "violation_standing",
    "CompliancePicture",
    "Commitment",
    "CommitmentParty",
    "Reading",
    "StatusChange",
    "ComplianceEvent",
    "DeliveredQuantity",
    "ComplianceSummary",
    "Revision",
    "SentBack",
    "LedgerEntry",
    "LedgerNode",
    "LedgerHead",
    "LedgerCheckpoint",
]
