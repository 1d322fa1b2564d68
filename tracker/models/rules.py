"""The words of compliance: commitment categories, claim kinds, verification states,
and the one rule for how a claim counts as a violation.

Pure: no table here, so the presenters, the summaries and the alerts can
apply the rule to plain values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ENERGY = "energy", _("energy-infrastructure strikes")
    MARITIME = "maritime", _("maritime / Black Sea")
    PRISONERS = "prisoners", _("prisoner exchange")
    HUMANITARIAN = "humanitarian", _("humanitarian")
    MONITORING = "monitoring", _("monitoring")
    OTHER = "other", _("other")


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("unverified")
    CORROBORATED = "corroborated", _("corroborated")
    VERIFIED = "verified", _("verified")
    DISPUTED = "disputed", _("disputed")
    REFUTED = "refuted", _("refuted")
    RETRACTED = "retracted", _("retracted")


class EventKind(models.TextChoices):
    ALLEGED_VIOLATION = "alleged_violation", _("alleged violation")
    CONFIRMED_VIOLATION = "confirmed_violation", _("confirmed violation")
    COMPLIANCE_CONFIRMED = "compliance_confirmed", _("compliance confirmed")
    DELIVERY = "delivery", _("delivery")
    STATEMENT = "statement", _("statement")
    RETRACTION = "retraction", _("retraction")
    OTHER = "other", _("other")


VIOLATION_KINDS = (EventKind.ALLEGED_VIOLATION, EventKind.CONFIRMED_VIOLATION)
ALLEGED, VERIFIED = "alleged", "verified"


def violation_standing(kind: str, verification: str) -> str | None:
    """How a claim counts against a commitment: as alleged, as verified, or not at all (None).

    "Verified" is our reviewers' judgement, never the claimant's word: a
    claim counts as verified only when its verification state is verified.
    A claimant calling its report a confirmed violation does not make it
    one, so an unchecked, corroborated or disputed confirmed violation counts
    as alleged, like any other claim still open. Refuted and retracted claims
    do not count, and neither does anything that is not a violation claim.
    """
    if kind not in VIOLATION_KINDS:
        return None
    if verification == Verification.VERIFIED:
        return VERIFIED
    if verification in (Verification.REFUTED, Verification.RETRACTED):
        return None
    return ALLEGED


@dataclass
class CompliancePicture:
    """Counts of published events by kind, verification, claimant and accused.

    Each cell is (kind, verification, claimant id, count, accused id); a cell
    kept before the accused was counted has no fifth value, and counts as
    naming no accused party.
    """

    cells: list[tuple] = field(default_factory=list)
    last_event_at: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(n for _kind, _verification, _claimant, n, *_accused in self.cells)

    def count(self, *, kind=None, verification=None, claimant_id=None, kinds=None) -> int:
        return sum(
            n
            for k, v, c, n, *_accused in self.cells
            if (kind is None or k == kind)
            and (kinds is None or k in kinds)
            and (verification is None or v == verification)
            and (claimant_id is None or c == claimant_id)
        )

    def violations_by_claimant(self) -> dict[int | None, dict[str, int]]:
        """{claimant id: {"alleged": n, "verified": n}} for violation claims.

        Each claim counts by ``violation_standing``.
        """
        return {
            claimant: counts
            for (claimant, _accused), counts in self._violations_by(lambda c, a: (c, None)).items()
        }

    def violations_by_side(self) -> dict[tuple[int | None, int | None], dict[str, int]]:
        """{(claimant id, accused id): {"alleged": n, "verified": n}} for violation claims.

        Who claims and against whom: a summary that says "6 alleged" must say
        by whom and against whom, or it reads as six violations by the claimant.
        """
        return self._violations_by(lambda claimant, accused: (claimant, accused))

    def _violations_by(self, side) -> dict[tuple, dict[str, int]]:
        result: dict[tuple, dict[str, int]] = {}
        for kind, verification, claimant, n, *rest in self.cells:
            if kind not in VIOLATION_KINDS:
                continue
            bucket = result.setdefault(
                side(claimant, rest[0] if rest else None), {ALLEGED: 0, VERIFIED: 0}
            )
            standing = violation_standing(kind, verification)
            if standing is not None:
                bucket[standing] += n
        return result
