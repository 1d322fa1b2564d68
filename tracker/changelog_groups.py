"""The changelog as readers read it: one entry per record and day, the demo data as one.

``tracker.changelog`` lists every change the public could see, one per
history row. Read that way, a morning's work on one claim (recorded,
corrected, verified, published) is four entries that say nearly the same,
and loading the demo data set is hundreds. Here they are grouped:

- the changes to one record on one day (on the reader's clock) make one
  entry, named by what the record is (its kind, who claims it against whom,
  its commitment), listing each change with its time, what changed and its
  reason, newest first;
- every change made by loading the demo data set (its reason is
  ``words.DEMO_DATA``) on one day makes one entry that counts what was
  loaded, instead of one entry per record.

Entries are newest first, by their newest change. A group is only shown
whole: the history is read further back until every group on the page is
complete (or a generous bound is reached, for a history with an
unreasonable number of changes on one day).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import changelog, clock, words
from tracker.changelog import Change

# How many history rows of each kind the first try reads, per entry wanted;
# each further try reads four times as many, up to ``MOST_ROWS``.
ROWS_PER_ENTRY = 2
MOST_ROWS = 20_000


@dataclass(frozen=True)
class Group:
    """One entry of the changelog: the changes to one record on one day, newest first.

    ``key`` is stable across requests (feed entry ids). ``loaded`` is set on
    the entry that stands for a load of the demo data: how many records of
    each kind it published, in words.
    """

    key: str
    day: dt.date
    subject: str
    url: str | None
    changes: list[Change]
    loaded: str = ""

    @property
    def at(self) -> dt.datetime:
        """The time of the newest change."""
        return self.changes[0].at

    @property
    def is_tombstone(self) -> bool:
        """Whether all that is left of the record is that it was withdrawn."""
        return all(change.is_tombstone for change in self.changes)

    @property
    def is_demo_load(self) -> bool:
        return bool(self.loaded)


def recent_groups(
    limit: int = changelog.DEFAULT_LIMIT,
    offset: int = 0,
    tz_name: str = "UTC",
    before: dt.datetime | None = None,
):
    """The latest ``limit`` entries after skipping ``offset``, newest first, each complete.

    With ``before``, the latest made before that instant (``changelog.read_changes``).
    """
    rows = max(offset + limit, 1) * ROWS_PER_ENTRY
    while True:
        changes, unread_before = changelog.read_changes(rows, tz_name, before)
        groups = group(changes, tz_name)
        if unread_before is None or rows >= MOST_ROWS:
            return groups[offset : offset + limit]
        # The day of the oldest rows read may be missing changes: only later days are whole.
        horizon = _day(unread_before, tz_name)
        whole = [g for g in groups if g.day > horizon]
        if len(whole) >= offset + limit:
            return whole[offset : offset + limit]
        rows *= 4


def group(changes: list[Change], tz_name: str = "UTC") -> list[Group]:
    """Group changes, newest first, by record and day, and the demo data's loads by day."""
    grouped: dict[tuple, list[Change]] = {}
    for change in sorted(changes, key=lambda c: (c.at, c.key), reverse=True):
        day = _day(change.at, tz_name)
        if change.reason == words.DEMO_DATA:
            key = ("demo", day)
        else:
            key = (change.record or change.key, day)
        grouped.setdefault(key, []).append(change)
    groups = [_group(record, day, items) for (record, day), items in grouped.items()]
    return sorted(groups, key=lambda g: (g.at, g.key), reverse=True)


def _day(instant: dt.datetime, tz_name: str) -> dt.date:
    return clock.local_day(instant, clock.Precision.MINUTE, tz_name)


def _group(record: str, day: dt.date, changes: list[Change]) -> Group:
    key = f"{record}-{day.isoformat()}"
    if record == "demo":
        return Group(
            key=key,
            day=day,
            subject=_("The demonstration data set was loaded"),
            url=reverse("board"),
            changes=changes,
            loaded=loaded_words(changes),
        )
    # Named as the record is now; a withdrawn record by its kind and public parent only.
    named = next((c for c in changes if not c.is_tombstone), changes[0])
    return Group(key=key, day=day, subject=named.subject, url=named.url, changes=changes)


def loaded_words(changes: list[Change]) -> str:
    """What a load of the demo data published: "6 agreements, 9 commitments, 40 claims"."""
    published = Counter(c.kind for c in changes if c.action == changelog.PUBLISHED)
    counts = {
        "agreement": lambda n: ngettext("%(count)d agreement", "%(count)d agreements", n),
        "commitment": lambda n: ngettext("%(count)d commitment", "%(count)d commitments", n),
        "reading": lambda n: ngettext(
            "%(count)d reading of the terms", "%(count)d readings of the terms", n
        ),
        "event": lambda n: ngettext("%(count)d claim", "%(count)d claims", n),
    }
    parts = [say(published[kind]) % {"count": published[kind]} for kind, say in counts.items()]
    parts = [part for part, kind in zip(parts, counts, strict=True) if published[kind]]
    if not parts:
        return _("It changed records already published.")
    return _("Published: %(records)s.") % {"records": ", ".join(parts)}
