"""When a new claim is probably one the tracker already has.

Monitors receive the same strike from several directions: the ministry's
daily list, a partner's spreadsheet, a news item an editor already typed
in. A claim is a *likely duplicate* of an earlier one when both are about
the same commitment, made by the same claimant against the same accused
party, dated on the same day, and either

- their summaries are near-identical: after normalising case, accents,
  punctuation and spacing, difflib's similarity ratio (computed by cydifflib) is at least
  ``SIMILAR_ENOUGH`` (0.9). “Drone strike on a substation in Kharkiv region”
  and “Drone strike on substation, Kharkiv region” match (0.94); “Shelling of
  Nikopol damaged a power line” and “Shelling of Marhanets damaged a power
  line” do not (0.83). Text this alike on the same day from the same side
  is worth a second look even when it names two places; or
- they cite the same source.

Such a claim is flagged, never dropped: a reviewer decides. The earlier
claims are found in SQL by commitment and day (an index covers both), so
recording a claim reads the few claims of its day, never every claim of
its commitment. A file of claims (``tracker.recording``) reads the claims
of each batch's days at once and applies the same rule to them in memory.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import cydifflib

from tracker.models import ComplianceEvent, Source

SIMILAR_ENOUGH = 0.9


class _Words(dict):
    """What ``str.translate`` makes of each character: itself, a space, or nothing.

    Filled as characters are met, so a text is translated in one pass in C
    rather than by a look-up of each character's category in Python.
    """

    def __missing__(self, code: int) -> str:
        category = unicodedata.category(chr(code))
        # A combining accent goes; letters and digits stay; anything else parts words.
        kept = "" if category == "Mn" else chr(code) if category[0] in "LN" else " "
        self[code] = kept
        return kept


_WORDS = _Words()


def normalised(text: str) -> str:
    """The words of ``text`` only: case, accents, punctuation and spacing set aside."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(decomposed.translate(_WORDS).split())


def similarity(first: str, second: str) -> float:
    """How alike two summaries read, from 0 to 1, once normalised."""
    return words_similarity(normalised(first), normalised(second))


def words_similarity(a: str, b: str) -> float:
    """``similarity`` of two summaries already normalised."""
    if a == b:
        return 1.0
    # cydifflib: difflib's algorithm compiled, the same ratios some seven times sooner.
    matcher = cydifflib.SequenceMatcher(None, a, b, autojunk=False)
    # Two cheap upper bounds first: most pairs of claims are far apart.
    for bound in (matcher.real_quick_ratio, matcher.quick_ratio):
        if (ratio := bound()) < SIMILAR_ENOUGH:
            return ratio
    return matcher.ratio()


def near_identical(first: str, second: str) -> bool:
    return similarity(first, second) >= SIMILAR_ENOUGH


def same_day_key(event: ComplianceEvent) -> tuple | None:
    """What two claims must share to be alike at all; None when ``event`` has no day yet."""
    if event.commitment_id is None or event.occurred_at is None:
        return None
    event.date_days()
    return (event.commitment_id, event.occurred_on, event.claimant_id, event.accused_id)


def same_day_claims(event: ComplianceEvent):
    """Other claims of the same commitment, day, claimant and accused, oldest first."""
    return (
        ComplianceEvent.objects.filter(
            commitment_id=event.commitment_id,
            occurred_on=event.occurred_on,
            claimant_id=event.claimant_id,
            accused_id=event.accused_id,
        )
        .exclude(pk=event.pk)
        .order_by("pk")
    )


def likely_original(event: ComplianceEvent, sources: Iterable[Source] = ()) -> int | None:
    """The id of the earliest recorded claim that ``event`` probably repeats, or None.

    ``event`` need not be saved; its day is taken from its instant by the
    rule the pages use. One query when nothing was claimed that day, two at
    most otherwise.
    """
    if same_day_key(event) is None:
        return None
    candidates = same_day_claims(event)
    summaries = list(candidates.values_list("pk", "summary"))
    if not summaries:
        return None
    matches = [pk for pk, summary in summaries if near_identical(event.summary or "", summary)]
    source_ids = [source.pk for source in sources if source.pk is not None]
    if source_ids:
        shared = candidates.filter(sources__in=source_ids).values_list("pk", flat=True)
        matches.extend(shared[:1])
    return min(matches, default=None)
