"""Pure helpers that turn records into what the pages say beside the drawings.

Nothing here touches the database: the views load rows, these functions
give local times in several zones, when a status took effect, delivery
totals and the grouping of cards, so each rule can be tested with plain
values. The daily strip is drawn in ``strips`` and the reading timeline in
``timelines``; countdowns and other wording of time come from ``tracker.clock``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import clock
from tracker.clock import day_text

UTC = dt.UTC


# Times in several zones ------------------------------------------------------------


def in_zones(
    instant: dt.datetime | None,
    precision: str,
    reader_zone: str,
    own_zone: str,
    party_zones: Iterable[str] = (),
) -> list[str]:
    """A reading's instant as readers should read it, each with its zone named.

    A day is one day, in the zone its wording meant: ["1 February 2026,
    Moscow"]; shown on any other clock it would turn into the evening before.
    An hour or a minute is given on the reader's clock first, then on the
    wording's own and on each party's, without repeats.
    """
    if instant is None:
        return []
    if precision == clock.Precision.DAY:
        return [clock.instant_text(instant, precision, reader_zone, own_zone=own_zone)]
    names = [reader_zone, own_zone, *sorted(set(party_zones))]
    unique = list(dict.fromkeys(name for name in names if name))
    return [clock.instant_text(instant, precision, name) for name in unique]


# Status ----------------------------------------------------------------------------


def status_since(changes: Iterable, announced_on: dt.date, tz_name: str = "UTC") -> str:
    """When the present status took effect, for "since …".

    That is the effective time of the change that gave it, the last one
    recorded in the status-change log, said as precisely as that change was
    given and on its clock (an expiry at a window's end given as a day is
    that day). With no change logged the commitment is as it was announced,
    on the day of its agreement: the record's creation time says nothing
    about the world.
    """
    change = max(changes, key=lambda c: (c.recorded_at, c.pk), default=None)
    if change is None:
        return day_text(announced_on)
    return clock.instant_text(
        change.effective_at, change.precision, tz_name, own_zone=change.time_zone
    )


# Deliveries ------------------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """What one side received in one delivery, and its running total so far.

    ``promised`` is the promise this total counts towards: only where the
    promise names the same unit ("175 prisoners of war" and prisoners of war
    handed over), never a promise of another kind nor one that names none.
    """

    side: str
    unit: str
    quantity: int
    running_total: int
    promised: int | None

    @property
    def share_of_promise(self) -> int | None:
        if not self.promised:
            return None
        return round(self.running_total * 100 / self.promised)


@dataclass(frozen=True)
class Delivery:
    occurred_at: dt.datetime
    day: dt.date
    summary: str
    handovers: list[Handover]
    correction: object = None  # on a past day's page, its "corrected later" mark


def deliveries_with_totals(
    deliveries: Iterable[tuple[dt.datetime, dt.date, str, list[tuple[str, int, str]]]],
    promised: int | None,
    before: dict[tuple[str, str], int] | None = None,
    promised_unit: str = "",
) -> tuple[list[Delivery], list[Handover]]:
    """Add running totals per side and unit to deliveries taken in time order.

    A total is set against the promise (``promised`` of ``promised_unit``,
    both as the reader reads them) only where it counts the same unit; a
    promise that names no unit gives no share of itself at all.

    ``deliveries`` are (occurred_at, day, summary, [(side, quantity, unit), ...]).
    ``before`` is what each (side, unit) had received before the first of
    them, when only the latest deliveries are listed.
    Returns the deliveries and, per side and unit, the total handed over so far.
    """
    totals: dict[tuple[str, str], int] = dict(before or {})

    def promise_for(unit: str) -> int | None:
        return promised if promised_unit and unit == promised_unit else None

    result = []
    for occurred_at, day, summary, quantities in sorted(deliveries, key=lambda d: d[0]):
        handovers = []
        for side, quantity, unit in quantities:
            totals[side, unit] = totals.get((side, unit), 0) + quantity
            handovers.append(
                Handover(
                    side=side,
                    unit=unit,
                    quantity=quantity,
                    running_total=totals[side, unit],
                    promised=promise_for(unit),
                )
            )
        result.append(
            Delivery(occurred_at=occurred_at, day=day, summary=summary, handovers=handovers)
        )
    final = [
        Handover(
            side=side, unit=unit, quantity=total, running_total=total, promised=promise_for(unit)
        )
        for (side, unit), total in sorted(totals.items())
    ]
    return result, final


# Grouping --------------------------------------------------------------------------


def pack(groups: Iterable[tuple[object, int]], budget: int) -> list[list]:
    """Split (group, size) pairs, in order, into pages of whole groups of at most ``budget``.

    A group larger than the budget gets a page of its own.
    """
    pages: list[list] = []
    filled = budget
    for group, size in groups:
        if filled + size > budget:
            pages.append([])
            filled = 0
        pages[-1].append(group)
        filled += size
    return pages


def group_by_agreement(commitments: Iterable) -> list[tuple[object, list]]:
    """Consecutive commitments under the same agreement, in the order given."""
    return [
        (agreement, list(items))
        for agreement, items in groupby(commitments, key=lambda c: c.agreement)
    ]


@dataclass(frozen=True)
class ClaimantTally:
    """Violation claims one party made against another: who claims, against whom, how many.

    ``claimant`` and ``accused`` are names (``tracker.translated.Text``), or
    None where the claims name no such party. A count without both names
    reads as violations by the party named ("Russia: 6 alleged"), so every
    summary says it in a sentence that names both sides (``sentence``).
    """

    claimant: str | None
    accused: str | None
    alleged: int
    verified: int

    @property
    def text(self) -> str:
        return self.sentence()

    def sentence(self, name=str, words=str) -> str:
        """ "Claimed by Russia against Ukraine: 6 alleged, 0 verified".

        ``name`` writes a party's name and ``words`` the words around them
        (a page escapes the words and marks the names).
        """
        counts = _("%(alleged)d alleged, %(verified)d verified") % {
            "alleged": self.alleged,
            "verified": self.verified,
        }
        return words(sentence_of_sides(self.claimant, self.accused)) % {
            "claimant": name(self.claimant) if self.claimant is not None else "",
            "accused": name(self.accused) if self.accused is not None else "",
            "counts": words(counts),
        }


def sentence_of_sides(claimant, accused) -> str:
    """The sentence for a tally, by which of its two sides have names."""
    if claimant is not None and accused is not None:
        return _("Claimed by %(claimant)s against %(accused)s: %(counts)s")
    if claimant is not None:
        return _("Claimed by %(claimant)s, against no party named: %(counts)s")
    if accused is not None:
        return _("Claimed by no party named, against %(accused)s: %(counts)s")
    return _("Claimed by no party named, against no party named: %(counts)s")


def violation_tallies(
    by_side: dict[tuple[int | None, int | None], dict[str, int]], names: dict[int, str]
) -> list[ClaimantTally]:
    """Alleged and verified violation counts per claimant and accused, most verified first.

    ``by_side`` is ``CompliancePicture.violations_by_side()``. Every pair
    with a claim still standing is kept: a summary gives every side's claims
    or none (``tallies_in_all`` is the "none": one line for all of them).
    """

    def name(party_id: int | None) -> str | None:
        return names.get(party_id, _("unknown")) if party_id else None

    tallies = [
        ClaimantTally(
            claimant=name(claimant_id),
            accused=name(accused_id),
            alleged=counts["alleged"],
            verified=counts["verified"],
        )
        for (claimant_id, accused_id), counts in by_side.items()
        if counts["alleged"] or counts["verified"]
    ]
    return sorted(
        tallies,
        key=lambda t: (-t.verified, -t.alleged, t.claimant or "\uffff", t.accused or "\uffff"),
    )


def tallies_in_all(tallies: list[ClaimantTally]) -> str:
    """One line for every side's violation claims together, where there is no room for each.

    A picture or an embed too small to give every claimant's line gives none
    of them: this line counts them all, naming no side.
    """
    claimants = len({tally.claimant for tally in tallies})
    return ngettext(
        "Violation claims by %(claimants)d party: %(alleged)d alleged, %(verified)d verified",
        "Violation claims by %(claimants)d parties: %(alleged)d alleged, %(verified)d verified",
        claimants,
    ) % {
        "claimants": claimants,
        "alleged": sum(tally.alleged for tally in tallies),
        "verified": sum(tally.verified for tally in tallies),
    }


def bad_request(request, errors: list[str]):
    """A 400 page that says what was wrong with the address, in the site's style."""
    return render(request, "400.html", {"errors": errors}, status=400)


class NoSuchPage(Exception):
    """A page number past the last page; raised while rendering, so nothing is cached."""


def require_page(paginator, number: int, fills: str) -> None:
    """Refuse a page past the last, in words like "There is no page 9: the events fill 2."

    ``fills`` names the page asked for and the number of pages as ``%(page)d``
    and ``%(pages)d``; one pager for every public page, today's or a past day's.
    """
    if number > paginator.num_pages:
        raise NoSuchPage(fills % {"page": number, "pages": paginator.num_pages})
