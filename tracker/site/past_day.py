"""Which past days there are, and how a reader names one.

``/as-of/2025-04-01/`` and ``?as_of=2025-04-01`` name a day; it ends at
midnight in UTC, or in the reader's zone when ``?tz=`` names one. The days
there are run from the day the first commitment still public was published
to yesterday on the reader's clock: today has not ended, so its address
leads to today's page. A day outside that range is answered with 404 and
a page giving the range; a day that is not a date at all (``2025-02-30``,
``yesterday``) is a 400 saying how to write one.

The past changes only when a record is corrected or withdrawn, and every
such change makes a new version of the record (``tracker.http``); so past
pages are validated by that version, the language and the zone, without the
minute the live pages need for their countdowns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property

from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import clock, public_at, public_past, public_past_corrections
from tracker.http import SHARED_MAX_AGE, current_version, etag, request_version
from tracker.site.presenters import bad_request
from tracker.site.reader_zone import ReaderZone, with_zone, zone_of

PARAMETER = "as_of"
# How a past day is asked of: as published then (no parameter), or with today's record.
MODE = "known"
KNOWN_NOW = "now"
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NEVER = "never"  # cached for "nothing is public", which the cache cannot tell from a miss


class NotADay(ValueError):
    """What was asked for is not a date written as YYYY-MM-DD."""


@dataclass(frozen=True)
class AsOf:
    """A past day, the reader's zone, and the instant that day ended there."""

    day: dt.date
    zone: ReaderZone
    mode: str = public_at.PUBLISHED

    @property
    def is_known_now(self) -> bool:
        return self.mode == public_at.KNOWN

    @cached_property
    def reader(self):
        """Where the page reads its records: as published then, or as known now."""
        if self.is_known_now:
            return public_at.Known(self.moment, self.day)
        return public_at.Published(self.moment)

    @property
    def moment(self) -> dt.datetime:
        return clock.end_of_day(self.day, self.zone.name)

    @property
    def day_text(self) -> str:
        return clock.day_text(self.day)

    @property
    def moment_text(self) -> str:
        """The instant the day ended, in UTC: what the reader can compare with any record."""
        return clock.instant_text(self.moment, clock.Precision.MINUTE, "UTC")

    @property
    def query(self) -> str:
        """The parameters naming this day and mode on a commitment's address."""
        return f"{PARAMETER}={self.day.isoformat()}{self.mode_query}"

    @property
    def mode_query(self) -> str:
        return f"&{MODE}={KNOWN_NOW}" if self.is_known_now else ""

    @property
    def board_url(self) -> str:
        return reverse("as_of_board", args=[self.day.isoformat()])

    @property
    def known_board_url(self) -> str:
        return f"{self.board_url}?{MODE}={KNOWN_NOW}"

    @property
    def this_board_url(self) -> str:
        """The board of this day in this mode, unfiltered."""
        return self.known_board_url if self.is_known_now else self.board_url

    def board_of(self, party) -> str:
        """The board of this day in this mode, filtered by ``party``: all that binds it."""
        return f"{self.board_url}?party={party.slug}{self.mode_query}"

    @property
    def other_board_url(self) -> str:
        """The board of the same day in the other mode."""
        return self.board_url if self.is_known_now else self.known_board_url

    @property
    def other_mode_query(self) -> str:
        """The parameters naming the same day in the other mode."""
        other = "" if self.is_known_now else f"&{MODE}={KNOWN_NOW}"
        return f"{PARAMETER}={self.day.isoformat()}{other}"

    @cached_property
    def checkpoint(self):
        """The public log's last checkpoint signed by the end of the day, if any was (read once
        a page, however often its templates ask)."""
        from tracker.ledger import checkpoints

        return checkpoints.signed_by(self.moment)


def read_day(text: str) -> dt.date:
    """The date ``text`` names, written YYYY-MM-DD; anything else is refused with the reason."""
    text = (text or "").strip()
    if not text:
        raise NotADay(_("Choose a day, written as YYYY-MM-DD, for example 2025-04-01."))
    if not DAY.fullmatch(text):
        raise NotADay(
            _("“%(asked)s” is not a date: write it as YYYY-MM-DD, for example 2025-04-01.")
            % {"asked": text[:40]}
        )
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise NotADay(_("There is no day %(asked)s in the calendar.") % {"asked": text}) from None


def today(zone: ReaderZone) -> dt.date:
    """The day it is on the reader's clock: it has not ended, so it is not in the past yet."""
    return clock.utc_to_local(timezone.now(), zone.name).date()


def first_day(zone: ReaderZone, version=None) -> dt.date | None:
    """The first day with a public record on the reader's clock, or None while there is none.

    Looked up once per version of the record (``version``, the request's, or
    the current one): only a publication or a withdrawal moves it.
    """
    key = f"tracker:as-of-first:{(version or current_version()).token}"
    first = cache.get(key)
    if first is None:
        first = public_past.first_publication() or NEVER
        cache.add(key, first, SHARED_MAX_AGE)
    return None if first == NEVER else clock.utc_to_local(first, zone.name).date()


def past_etag(request, *args, **kwargs) -> str:
    """The validator of a past page: the record's version, the language and the zone.

    No minute: the day has ended, and a page of it says every time relative
    to that end, so only a correction or a withdrawal (a new version) changes
    it, or the date, which moves the last day the picker offers.
    """
    token = request_version(request).token
    language = getattr(request, "LANGUAGE_CODE", "")
    zone = zone_of(request)
    # Today's date too: the date picker offers days up to yesterday.
    parts = ["as-of", token, language, zone.name, today(zone).isoformat()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def page_etag(request, *args, day: str | None = None, **kwargs) -> str:
    """A page's validator: a past day's (``day`` in the address, or ``?as_of=``), else today's."""
    if day is not None or PARAMETER in request.GET:
        return past_etag(request)
    return etag(request, *args, **kwargs)


def cached(request, name: str, render_page) -> str:
    """Render a past page once per version, language, zone and address."""
    key = f"{past_etag(request)}|{request.get_full_path()}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return cache.get_or_set(f"tracker:{name}:{digest}", render_page, SHARED_MAX_AGE)


def asked_day(request, text: str, today_url: str):
    """The day and mode asked for, or the answer to give instead (400, 404, or today's page)."""
    zone = zone_of(request)
    try:
        day = read_day(text)
        mode = read_mode(request.GET.get(MODE))
    except NotADay as exc:
        return bad_request(request, [str(exc)])
    latest = today(zone)
    if day == latest:
        return redirect(with_zone(today_url, zone))
    days = past_days(zone, request_version(request))
    if day > latest or days is None or day < days.first:
        return render(
            request,
            "tracker/as_of_unavailable.html",
            {
                "asked": day,
                "days": days,
                "is_future": day > latest,
                "today_url": today_url,
            },
            status=404,
        )
    return AsOf(day, zone, mode)


def read_mode(text: str | None) -> str:
    """The mode ``?known=`` names: absent, as published then; ``now``, as known now."""
    if text is None:
        return public_at.PUBLISHED
    if text.strip() == KNOWN_NOW:
        return public_at.KNOWN
    raise NotADay(
        _(
            "“%(asked)s” is not a way of showing a past day: leave “known” out to see it as it "
            "was published then, or write known=now to see it with everything known today."
        )
        % {"asked": text[:40]}
    )


@dataclass(frozen=True)
class Mark:
    """ "Corrected later": on which day, on the reader's clock, and where it reads as it is now."""

    day: str
    url: str


def mark(corrected: dict, zone: str, *records) -> Mark | None:
    """The mark for the earliest later correction of any of ``records``, or None."""
    found = [corrected.get((public_past.model_of(r), r.pk)) for r in records if r is not None]
    found = [c for c in found if c is not None]
    if not found:
        return None
    first = min(found, key=lambda c: c.at)
    return Mark(clock.day_text(clock.local_day(first.at, tz_name=zone)), first.url)


@dataclass(frozen=True)
class PastDays:
    """The days that have a past, on the reader's clock: what the date picker offers."""

    first: dt.date
    last: dt.date

    @property
    def years(self) -> list[int]:
        return list(range(self.last.year, self.first.year - 1, -1))

    @property
    def months(self) -> list[tuple[int, str]]:
        """Each month's number and its name in the reader's language."""
        return [(number, capfirst(str(name))) for number, name in MONTHS.items()]

    @property
    def days(self) -> range:
        return range(1, 32)


def past_days(zone: ReaderZone, version=None) -> PastDays | None:
    """From the first day with a public record to yesterday; None while no day has ended since."""
    first, last = first_day(zone, version), today(zone) - dt.timedelta(days=1)
    if first is None or first > last:
        return None
    return PastDays(first, last)


def picker(request) -> dict:
    """What the date picker offers: the days that have a past, on the reader's clock."""
    return {"as_of_days": past_days(zone_of(request), request_version(request))}


def picked_day(query) -> dt.date:
    """The day the picker's day, month and year name, or ``?date=`` as older links give it."""
    if "date" in query:
        return read_day(query.get("date", ""))
    parts = [query.get(name, "").strip() for name in ("year", "month", "day")]
    if not all(part.isdigit() and len(part) <= 4 for part in parts):
        raise NotADay(_("Choose a day, a month and a year."))
    year, month, day = (int(part) for part in parts)
    return read_day(f"{year:04d}-{month:02d}-{day:02d}")


def mark_corrections(reader, commitments: list, zone: str) -> None:
    """Mark each card "corrected later" when what it shows changed after the day, as published.

    A card is marked when its commitment, its working reading or the sides,
    dates or verification of the claims it counts were corrected; a page as
    known now shows today's record, so it marks nothing.
    """
    if reader.mode != public_at.PUBLISHED:
        for commitment in commitments:
            commitment.correction = None
        return
    counted = {c.pk: c.counted for c in commitments}
    records = [
        *commitments,
        *(c.working_reading for c in commitments if c.working_reading),
        *(claim for claims in counted.values() for claim in claims),
    ]
    corrected = reader.corrections(records, compared=public_past_corrections.COUNTED)
    for commitment in commitments:
        commitment.correction = mark(
            corrected,
            zone,
            commitment,
            commitment.working_reading,
            *counted[commitment.pk],
        )


def later_words(later, as_of: AsOf) -> str:
    """The line naming what a page as known now shows that was recorded only after its day."""
    if not later:
        return ""
    parts = [
        ngettext("%(count)d claim", "%(count)d claims", later.claims) % {"count": later.claims},
        ngettext("%(count)d status change", "%(count)d status changes", later.status_changes)
        % {"count": later.status_changes},
        ngettext(
            "%(count)d reading of the terms", "%(count)d readings of the terms", later.readings
        )
        % {"count": later.readings},
    ]
    counts = (later.claims, later.status_changes, later.readings)
    named = ", ".join(part for part, count in zip(parts, counts, strict=True) if count)
    return _("Recorded only after %(day)s, so not on the page as published then: %(what)s.") % {
        "day": as_of.day_text,
        "what": named,
    }


def keep_day(as_of: AsOf, commitments: list) -> None:
    """Give each card's links (``as_of_url``) the day and the mode: to the commitment, its
    agreement and the parties it binds."""
    for commitment in commitments:
        for record in [commitment, commitment.agreement, *commitment.obligor_roles]:
            url = (
                record.party if record in commitment.obligor_roles else record
            ).get_absolute_url()
            record.as_of_url = f"{url}?{as_of.query}"
