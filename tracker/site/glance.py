"""The board's headline: what is in force, what ends or falls due soon, what was verified lately.

Counted by ``tracker.public.at_a_glance`` over the public record in one
query, and said the same way on the board, in its share image and wherever
else the tracker sums itself up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import ngettext, npgettext

from tracker import public


@dataclass(frozen=True)
class Figure:
    """One number of the headline and the words that go with it ("2", "in force")."""

    name: str
    count: int
    label: str

    @property
    def text(self) -> str:
        return f"{self.count} {self.label}"


@dataclass(frozen=True)
class Headline:
    total: int
    in_force: int
    soon: int
    overdue: int
    verified: int

    @property
    def figures(self) -> list[Figure]:
        """The headline's numbers, each with words that agree with it, in the reader's language.

        ("headline" is their context for translators: "in force" here agrees
        with a count of commitments, where the status alone does not.)
        """
        return [
            Figure(
                "in_force",
                self.in_force,
                npgettext("headline", "in force", "in force", self.in_force),
            ),
            Figure(
                "soon",
                self.soon,
                npgettext(
                    "headline",
                    "ends or falls due within 7 days",
                    "end or fall due within 7 days",
                    self.soon,
                ),
            ),
            Figure(
                "overdue", self.overdue, npgettext("headline", "overdue", "overdue", self.overdue)
            ),
            Figure(
                "verified",
                self.verified,
                npgettext(
                    "headline",
                    "verified violation in the last 30 days",
                    "verified violations in the last 30 days",
                    self.verified,
                ),
            ),
        ]

    @property
    def tracked(self) -> str:
        return ngettext(
            "%(count)d commitment tracked", "%(count)d commitments tracked", self.total
        ) % {"count": self.total}


def headline(now: dt.datetime) -> Headline:
    return Headline(**public.at_a_glance(now))
