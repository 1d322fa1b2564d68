"""``?as_of=YYYY-MM-DD``: the files, the API and the feeds as published at the end of a past day.

A researcher downloads the record of a day as the pages show it
(``/as-of/2025-04-01/``): each record as its version then, when that version
was published and the record is still public today; withdrawn since, it is
left out. The rows are those the pages read, from ``tracker.public_past``,
made into records by ``tracker.public_past_records``; the filters of each
file and list apply to them unchanged, by the values they had then.

The day ends at midnight UTC, or in the reader's zone when ``?tz=`` names
one, as on the pages. The days offered run from the first publication to
yesterday: today has not ended. Anything else is refused with a 400 naming
``as_of`` and the days there are, in the endpoint's own format: a malformed
or impossible date, a day outside that range, the parameter given twice.

``known=now`` (today's record seen from a past day), which the pages offer,
is refused: a file or a list holds rows, not a day's reading of them. Today's
claims up to a day are today's file filtered by date (``occurred_before``).

A past download is validated by the record's version, the day, the zone and
the language (``download_etag``): the past changes only when a record is
corrected or withdrawn, which makes a new version, never with the minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from tracker import clock, public, public_past
from tracker import public_past_records as past_records
from tracker.http import etag, request_version
from tracker.site.as_of import NotADay, first_day, read_day, today
from tracker.site.reader_zone import ReaderZone, zone_of

PARAMETER = "as_of"
KNOWN = "known"


class Refused(Exception):
    """``as_of`` (or ``known``) cannot be answered; ``problems`` by parameter, as the filters'."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class Past:
    """A past day, on the reader's clock, and the instant it ended."""

    day: dt.date
    zone: ReaderZone

    @property
    def moment(self) -> dt.datetime:
        return clock.end_of_day(self.day, self.zone.name)


def offered(zone: ReaderZone) -> tuple[dt.date, dt.date] | None:
    """The first and last day a download can be had as of, or None while there is no past."""
    first = first_day(zone)
    last = today(zone) - dt.timedelta(days=1)
    if first is None or first > last:
        return None
    return first, last


def days_offered(zone: ReaderZone) -> str:
    """The days there are, in words."""
    days = offered(zone)
    if days is None:
        return _(
            "There is no past record to download yet: nothing public was published before today."
        )
    first, last = days
    return _(
        "Give a day from %(first)s to %(last)s: the record begins on %(first)s, and today "
        "has not ended yet."
    ) % {"first": first.isoformat(), "last": last.isoformat()}


def asked(params, zone: ReaderZone) -> Past | None:
    """The past day ``params`` ask for, None for today's record, or ``Refused``."""
    if KNOWN in params:
        raise Refused(
            {
                KNOWN: [
                    _(
                        "Downloads give the record as it was published at the end of a day "
                        "(as_of) and do not take known. For today's record up to a day, leave "
                        "as_of out and filter by date (occurred_before, ends_before)."
                    )
                ]
            }
        )
    given = params.getlist(PARAMETER)
    if not given:
        return None
    if len(given) > 1:
        raise Refused({PARAMETER: [_("Give one day, not several."), days_offered(zone)]})
    try:
        day = read_day(given[0])
    except NotADay as exc:
        raise Refused({PARAMETER: [str(exc), days_offered(zone)]}) from None
    days = offered(zone)
    if days is None or not days[0] <= day <= days[1]:
        raise Refused({PARAMETER: [days_offered(zone)]})
    return Past(day, zone)


def asked_of(request) -> Past | None:
    return asked(request.GET, zone_of(request))


def download_etag(request, *args, **kwargs) -> str:
    """A past download's validator: the version, the day, the zone, the language, today's date.

    Without ``as_of``, today's validator (``tracker.http.etag``). Today's date
    counts because it moves the last day offered.
    """
    if PARAMETER not in request.GET:
        return etag(request, *args, **kwargs)
    zone = zone_of(request)
    parts = [
        "as-of-download",
        request_version(request).token,
        "|".join(request.GET.getlist(PARAMETER)),
        zone.name,
        getattr(request, "LANGUAGE_CODE", ""),
        today(zone).isoformat(),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


# What each file and list reads as of a past day --------------------------------------


def commitments(moment: dt.datetime) -> QuerySet:
    """With the working window's end then, which ``ends_after`` and ``ends_before`` compare."""
    working = public_past.reading_versions(moment).filter(
        commitment_id=OuterRef("id"), is_working=True
    )
    return (
        public_past.commitment_versions(moment)
        .annotate(working_ends_at=Subquery(working.values("ends_at")[:1]))
        .order_by("agreement__held_on", "title_en", "id")
    )


def readings(moment: dt.datetime) -> QuerySet:
    from tracker.models import Reading

    return (
        public_past.reading_versions(moment)
        .select_related("commitment", "read_by")
        .annotate(source_urls=past_records.joined_source_urls(Reading))
        .order_by("commitment__slug", "-is_working", "starts_at", "id")
    )


def events(moment: dt.datetime) -> QuerySet:
    from tracker.models import ComplianceEvent

    return (
        public_past.event_versions(moment)
        .select_related("commitment", "claimant", "accused")
        .annotate(
            public_in_response_to=past_records.answered_event_id(moment),
            source_urls=past_records.joined_source_urls(ComplianceEvent),
            handed_over=public.joined_handovers(past_records.handover_versions(moment)),
        )
        .order_by("-occurred_at", "-id")
    )


def agreements(moment: dt.datetime) -> QuerySet:
    return public_past.agreement_versions(moment).order_by("-held_on", "title_en", "id")


def parties(moment: dt.datetime) -> QuerySet:
    return past_records.parties(moment).order_by("name_en", "id")


@dataclass(frozen=True)
class Source:
    """Where a file or list reads its rows as of a past day, and how a chunk becomes records."""

    rows: Callable[[dt.datetime], QuerySet]
    records: Callable | None = None  # (history rows, moment) -> records; None: read as values


# By the file's name, which is the API list's too.
SOURCES = {
    "commitments": Source(commitments, past_records.commitment_records),
    "readings": Source(readings, past_records.reading_records),
    "events": Source(events, past_records.event_records),
    "agreements": Source(agreements, past_records.agreement_records),
    "parties": Source(parties, past_records.party_records),
}


def not_offered(filename: str) -> Refused:
    """A file that has no past: what it holds is about today."""
    return Refused(
        {
            PARAMETER: [
                _(
                    "%(file)s is not offered as of a past day: it describes the record as it is "
                    "today. The files offered as of a past day are: %(files)s."
                )
                % {"file": filename, "files": ", ".join(f"{name}.csv" for name in SOURCES)}
            ]
        }
    )
