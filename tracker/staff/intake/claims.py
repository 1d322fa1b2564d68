"""One row of a file, read as a claim: the event to record, its sources and quantities.

This only reads the cells: slugs become records, text becomes instants and
numbers. Whether the claim may be recorded is for the services to say
(``tracker.recording``, by the rules of ``services.record_event``), as for a
claim typed into the admin. Columns that the tracker keeps
itself are read past: an imported claim is recorded now (``recorded_at``),
unverified (``verification``) and unpublished, whatever the file says.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from tracker import clock, regions
from tracker.clock import Precision
from tracker.models import Commitment, ComplianceEvent, EventKind, Party
from tracker.models.validators import (
    BEFORE_1900,
    CONTROL_CHARACTERS,
    EVENT_IN_THE_FUTURE,
    REQUIRED,
)
from tracker.opendata.days import given_day
from tracker.opendata.files import LIST_SEPARATOR
from tracker.staff.intake.making import new_event
from tracker.translated import TRANSLATIONS

# Read past: the tracker sets these for every claim it records.
KEPT_BY_THE_TRACKER = ("recorded_at", "verification")
DEFAULT_UNIT = "people"
QUANTITY = re.compile(r"^(?P<party>[^:]+?)\s*:\s*(?P<quantity>[+-]?\d+)(?:\s+(?P<unit>.+))?$")
WHOLE_NUMBER = re.compile(r"^[+-]?\d+$")
LARGEST_NUMBER = 2**63 - 1  # the largest id a database keeps
# Its digits: a longer number is refused before Python is asked to read it.
LONGEST_NUMBER = len(str(LARGEST_NUMBER))


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell (or, with no column, with the row)."""

    column: str
    message: str

    def __str__(self) -> str:
        return f"column {self.column}: {self.message}" if self.column else self.message


class RowRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Claim:
    """A row read: the claim's own id if the file gives one, else what to record."""

    id: int | None
    event: ComplianceEvent
    source_urls: list[str] = field(default_factory=list)
    quantities: list[tuple[Party, int, str]] = field(default_factory=list)


class Lookups:
    """Commitments and parties by slug, each looked up once per file."""

    def __init__(self):
        self._commitments: dict[str, int | None] = {}
        self._parties: dict[str, Party | None] = {}

    def commitment_id(self, slug: str) -> int | None:
        if slug not in self._commitments:
            found = Commitment.objects.filter(slug=slug).values_list("pk", flat=True)
            self._commitments[slug] = found.first()
        return self._commitments[slug]

    def party(self, slug: str) -> Party | None:
        if slug not in self._parties:
            self._parties[slug] = Party.objects.filter(slug=slug).first()
        return self._parties[slug]


@functools.cache
def _choice_values(choices) -> frozenset[str]:
    return frozenset(choices.values)


class Cells:
    """The cells of one row, read column by column; problems are collected, not raised."""

    def __init__(self, values: dict[str, Any], lookups: Lookups):
        self.values = values
        self.lookups = lookups
        self.problems: list[Problem] = []

    def refuse(self, column: str, message: str) -> None:
        self.problems.append(Problem(column, message))

    def text(self, column: str) -> str:
        value = self.values.get(column)
        if value is None:
            return ""
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if not isinstance(value, str):
            self.refuse(column, "Give this as text.")
            return ""
        if "\x00" in value:
            # Refused before any query: PostgreSQL cannot even compare such text.
            self.refuse(column, CONTROL_CHARACTERS)
            return ""
        return value.strip()

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value and not any(p.column == column for p in self.problems):
            self.refuse(column, REQUIRED)
        return value

    def whole_number(self, column: str) -> int | None:
        value = self.text(column)
        if not value:
            return None
        if not WHOLE_NUMBER.match(value):
            self.refuse(column, f"“{value[:40]}” is not a whole number.")
            return None
        if len(value.lstrip("+-0")) > LONGEST_NUMBER:
            self.refuse(column, f"{value[:30]}… is too large.")
            return None
        number = int(value)
        if abs(number) > LARGEST_NUMBER:
            self.refuse(column, f"{value} is too large.")
            return None
        return number

    def choice(self, column: str, choices, default: str | None = None) -> str:
        value = self.text(column) if default is not None else self.required(column)
        if not value and default is not None:
            return default
        if value and value not in _choice_values(choices):
            self.refuse(column, f"“{value}” is not one of: {', '.join(choices.values)}.")
        return value

    def commitment_id(self, column: str) -> int | None:
        slug = self.required(column)
        if not slug:
            return None
        found = self.lookups.commitment_id(slug)
        if found is None:
            self.refuse(column, f"There is no commitment “{slug}”.")
        return found

    def party(self, column: str) -> Party | None:
        slug = self.text(column)
        if not slug:
            return None
        found = self.lookups.party(slug)
        if found is None:
            self.refuse(column, f"There is no party “{slug}”.")
        return found

    def instant(self, column: str, *, required: bool = False) -> dt.datetime | None:
        value = self.values.get(column)
        if isinstance(value, dt.datetime):
            # A spreadsheet's date cell: it never says its time zone.
            if value.tzinfo is None:
                shown = value.isoformat(sep=" ")
                self.refuse(column, f"{shown} has no time zone; {WRITE_INSTANTS}")
                return None
            return value.astimezone(dt.UTC)
        text = self.required(column) if required else self.text(column)
        if not text:
            return None
        try:
            if parse_date(text) is not None:
                self.refuse(column, f"“{text}” is a date without a time; {WRITE_INSTANTS}")
                return None
            parsed = parse_datetime(text)
        except ValueError:
            self.refuse(column, f"“{text}” is not a real date and time.")
            return None
        if parsed is None:
            self.refuse(column, f"“{text}” is not an instant; {WRITE_INSTANTS}")
            return None
        if parsed.tzinfo is None:
            self.refuse(column, f"“{text}” has no time zone; {WRITE_INSTANTS}")
            return None
        try:
            return parsed.astimezone(dt.UTC)
        except OverflowError:  # the first or last day Python keeps, moved by its offset
            self.refuse(column, BEFORE_1900 if parsed.year < 1900 else EVENT_IN_THE_FUTURE)
            return None

    def day(self, column: str) -> dt.date | None:
        """A date, as 2025-03-19 or a spreadsheet's date cell; None when the cell is empty."""
        value = self.values.get(column)
        if isinstance(value, dt.datetime):
            if value.time() != dt.time():
                self.refuse(column, f"{value.isoformat(sep=' ')} is not a day; {WRITE_DAYS}")
                return None
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = self.text(column)
        if not text:
            return None
        try:
            day = parse_date(text)
        except ValueError:
            self.refuse(column, f"“{text[:40]}” is not a real date.")
            return None
        if day is None:
            self.refuse(column, f"“{text[:40]}” is not a day; {WRITE_DAYS}")
        return day

    def region(self, column: str) -> str:
        """A region's ISO 3166-2 code, checked by the one rule every door applies."""
        code = self.text(column)
        if code and not regions.is_known(code):
            self.refuse(column, regions.unknown_code_message(code))
            return ""
        return code

    def listed(self, column: str) -> list[str]:
        return [item.strip() for item in self.text(column).split(LIST_SEPARATOR.strip())]

    def quantities(self, column: str) -> list[tuple[Party, int, str]]:
        handed_over = []
        for item in self.listed(column):
            if not item:
                continue
            match = QUANTITY.match(item)
            if match is None:
                example = "“ukraine: 175 people”"
                self.refuse(column, f"“{item}” is not “party: quantity unit”, e.g. {example}.")
                continue
            party = self.lookups.party(match["party"])
            if party is None:
                self.refuse(column, f"There is no party “{match['party']}”.")
                continue
            if len(match["quantity"].lstrip("+-0")) > LONGEST_NUMBER:
                self.refuse(column, f"{match['quantity'][:30]}… is too large.")
                continue
            quantity = int(match["quantity"])
            if quantity < 0:
                self.refuse(column, "A quantity cannot be below zero.")
                continue
            handed_over.append((party, quantity, (match["unit"] or DEFAULT_UNIT).strip()))
        return handed_over


WRITE_INSTANTS = (
    "write instants in ISO 8601 with their zone, in UTC as 2025-03-20T10:00:00Z "
    "or with an offset as 2025-03-20T12:00:00+02:00."
)


WRITE_DAYS = "write days in ISO 8601, as 2025-03-19."
# The days events.csv gives beside its instants, as each was given; a file may leave them out.
GIVEN_DAYS = {"occurred_on": "occurred_at", "occurred_until_on": "occurred_until"}


def read_given_days(cells: Cells, event: ComplianceEvent) -> None:
    """Read the days a file from /data/events.csv gives beside its instants.

    Each instant is there twice: in UTC (``occurred_at``) and as the day it was
    given (``occurred_on``), by the rule the pages date claims with. A day must
    be the one its instant falls on, or the row is refused: one of the two was
    edited and not the other. A day given without its instant, at day
    precision, is that day (stored as its start in UTC, which dates it so).
    """
    for day_column, instant_column in GIVEN_DAYS.items():
        day = cells.day(day_column)
        if day is None or any(p.column == instant_column for p in cells.problems):
            continue
        instant = getattr(event, instant_column)
        if instant is None:
            if event.precision != Precision.DAY:
                cells.refuse(
                    day_column,
                    f"A day alone is precise to the day: give precision “day”, or the "
                    f"time of day in {instant_column}.",
                )
                continue
            setattr(event, instant_column, clock.local_to_utc(day, "UTC", Precision.DAY))
        elif (dated := given_day(instant, event.precision)) != day:
            cells.refuse(
                day_column,
                f"{day_column} says {day.isoformat()}, but {instant_column} falls on "
                f"{dated.isoformat()} at {event.precision} precision; give the same day in "
                f"both, or leave {day_column} empty.",
            )


def read_claim(values: dict[str, Any], lookups: Lookups) -> Claim:
    """The claim a row describes; raises ``RowRefused`` with every problem found."""
    cells = Cells(values, lookups)
    event = new_event(
        commitment_id=cells.commitment_id("commitment"),
        kind=cells.choice("kind", EventKind),
        claimant=cells.party("claimant"),
        accused=cells.party("accused"),
        # A file may give the day alone (``occurred_on``), read below.
        occurred_at=cells.instant("occurred_at", required=values.get("occurred_on") in (None, "")),
        occurred_until=cells.instant("occurred_until"),
        precision=cells.choice("precision", Precision, default=Precision.DAY),
        location=cells.text("location"),
        region=cells.region("region"),
        count=cells.whole_number("count"),
        summary=cells.required("summary"),
        in_response_to_id=cells.whole_number("in_response_to"),
        # The translations the open data gives beside each text; empty while there is none.
        **{column: cells.text(column) or None for column in TRANSLATION_COLUMNS},
    )
    read_given_days(cells, event)
    if event.occurred_at is None and not any(
        p.column in ("occurred_at", "occurred_on") for p in cells.problems
    ):
        cells.refuse("occurred_at", REQUIRED)
    if event.count is not None and event.count < 0:
        cells.refuse("count", "A count cannot be below zero.")
    claim = Claim(
        id=cells.whole_number("id"),
        event=event,
        source_urls=[url for url in cells.listed("source_urls") if url],
        quantities=cells.quantities("quantities"),
    )
    if cells.problems:
        raise RowRefused(cells.problems)
    return claim


# Where a refusal from the services points, as a column of the file.
FIELD_COLUMNS = {
    "commitment": "commitment",
    "kind": "kind",
    "claimant": "claimant",
    "accused": "accused",
    "occurred_at": "occurred_at",
    "occurred_until": "occurred_until",
    "occurred_on": "occurred_at",
    "precision": "precision",
    "location": "location",
    "region": "region",
    "count": "count",
    "summary": "summary",
    "in_response_to": "in_response_to",
    "sources": "source_urls",
    "url": "source_urls",
    "received_by": "quantities",
    "quantity": "quantities",
    "unit": "quantities",
}
TRANSLATION_COLUMNS = [
    f"{text}_{language}" for text in ("summary", "location") for language in TRANSLATIONS
]
FIELD_COLUMNS.update({column: column for column in TRANSLATION_COLUMNS})
# A file may leave the translations out: its claims are then in English only, marked
# untranslated. It may leave out the days beside the instants: they are read from the instants.
OPTIONAL_COLUMNS = frozenset([*TRANSLATION_COLUMNS, *GIVEN_DAYS])


def problems_from(refusal) -> list[Problem]:
    """A ``ValidationError`` from the services, as problems with columns of the file."""
    if not hasattr(refusal, "error_dict"):
        return [Problem("", message) for message in refusal.messages]
    problems = []
    for name, messages in refusal.message_dict.items():
        column = FIELD_COLUMNS.get(name, "")
        for message in dict.fromkeys(messages):
            problems.append(Problem(column, message))
    return problems
