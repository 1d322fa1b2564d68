"""What the regions pages read, today or at the end of a past day.

Today, the public record (``tracker.public``). A past day, through the
reader of its mode (``tracker.public_at``): as published then, the claims
shown when the day ended, each with the region, sides, kind, verification
and day it had then, on the commitments shown then; as known now, today's
public claims dated by the end of the day. Either way the pages get the
same shapes: the commitments a reader may choose, by slug; the claims to
count and page; and a page's rows as the claims it lists. So the map, the
table and a region's page are drawn by one view and one template whatever
the day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracker import public, public_at, translated
from tracker.models import Commitment, Party
from tracker.site.past_day import AsOf


@dataclass
class Read:
    """What the regions pages read, today or at the end of a past day."""

    parties: list[Party]
    commitments: dict[str, Commitment]  # by slug, in the order of their titles
    claims: object  # a queryset of claims, or of their versions then
    listed: Callable[[object], list]  # a page's rows as the claims it lists
    later: Callable[[object], object] = lambda claims: None  # what was recorded after the day


def read(as_of: AsOf | None) -> Read:
    """Today's record, or the past day's as the reader of its mode has it."""
    parties = list(public.parties().order_by("name"))
    if as_of is None:
        listed = (
            public.commitments()
            .only("pk", "slug", "title", "regions", *_title_columns())
            .order_by("title")
        )
        return Read(
            parties=parties,
            commitments={c.slug: c for c in listed},
            claims=public.events().select_related("commitment", "claimant", "accused"),
            listed=list,
        )
    reader = as_of.reader
    shown = {c.pk: c for c in sorted(reader.commitments(), key=lambda c: c.title)}
    names = {party.pk: party for party in parties}
    return Read(
        parties=parties,
        commitments={c.slug: c for c in shown.values()},
        claims=reader.claims(list(shown)),
        listed=lambda rows: public_at.named(reader, rows, shown, names),
        later=lambda claims: reader.later([], claims),
    )


def chosen(claims, chosen: dict):
    """The claims the filters choose, by the values each claim has (or had then)."""
    if chosen.get("commitment"):
        claims = claims.filter(commitment_id=chosen["commitment"].pk)
    if chosen.get("claimant"):
        claims = claims.filter(claimant_id=chosen["claimant"].pk)
    if chosen.get("kind"):
        claims = claims.filter(kind=chosen["kind"])
    if chosen.get("verification"):
        claims = claims.filter(verification=chosen["verification"])
    if chosen.get("from"):
        claims = claims.filter(occurred_on__gte=chosen["from"])
    if chosen.get("to"):
        claims = claims.filter(occurred_on__lte=chosen["to"])
    return claims


def is_filtered(chosen: dict) -> bool:
    names = ("commitment", "claimant", "kind", "verification", "from", "to")
    return any(chosen.get(name) for name in names)


def covering(commitments: dict[str, Commitment], code: str) -> list[Commitment]:
    """The commitments whose terms name the region ``code``, in the order of their titles."""
    return [c for c in commitments.values() if code in (c.regions or [])]


def _title_columns() -> list[str]:
    return [f"title_{language}" for language in translated.LANGUAGES]
