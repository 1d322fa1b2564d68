"""The open-data CSV files, built from the records in ``tracker.opendata.records``.

Each CSV file is described once, as a list of columns with a description; the
same list writes the header, fills the rows and documents the file on /data/.
Files are streamed a chunk of rows at a time, with the related rows of each
chunk fetched in a fixed number of queries, so a million rows cost the same
memory as a hundred.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tracker import public, translated
from tracker.http import public_cache
from tracker.models import (
    Category,
    ComplianceEvent,
    EventKind,
    Reading,
    Verification,
)
from tracker.opendata.records import parties_in_role, public_commitments, violation_counts
from tracker.status import Shape, Status

CHUNK_SIZE = 2000
LIST_SEPARATOR = "; "  # never part of a URL, so lists of URLs split safely


# Cell formatting -----------------------------------------------------------------


# A spreadsheet runs a cell beginning with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One CSV cell: instants in UTC ISO 8601 with Z, booleans as true/false, nothing as empty.

    Text that a spreadsheet would run as a formula gets a single quote in
    front, so it opens as the text it is; the JSON API gives it unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def instant_cell(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat().replace("+00:00", "Z")


def text_cell(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def plain_cell(value: Any) -> str:
    return "" if value is None else str(value)


def formatter_for(queryset: QuerySet, path: str) -> Callable[[Any], str]:
    """The formatter a column's values need, by the type of the field they come from.

    ``cell`` would do for every value, but deciding once per column instead
    of once per value is most of the cost of writing a million rows.
    """
    from django.db import models

    if path in queryset.query.annotations:
        field = queryset.query.annotations[path].output_field
    else:
        model = queryset.model
        *relations, name = path.split("__")
        for relation in relations:
            model = model._meta.get_field(relation).related_model
        field = model._meta.get_field("id" if name == "pk" else name)
    if isinstance(field, models.DateTimeField):
        return instant_cell
    if isinstance(field, models.BooleanField | models.DateField):
        return cell
    if isinstance(field, models.CharField | models.TextField):
        return text_cell
    return plain_cell


def joined(values) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values)


def slugs(parties) -> str:
    return joined(p.slug for p in parties)


# What the large files read ---------------------------------------------------------


def public_reading_values() -> QuerySet:
    return (
        public.readings()
        .annotate(source_urls=public.joined_source_urls(Reading))
        .order_by("commitment__slug", "-is_working", "starts_at", "pk")
    )


def public_event_values() -> QuerySet:
    """Published events, newest first; the claim an event answers is named only while public."""
    return (
        public.events()
        .annotate(
            public_in_response_to=public.answered_event_id(),
            source_urls=public.joined_source_urls(ComplianceEvent),
            handed_over=public.joined_handovers(),
        )
        .order_by("-occurred_at", "-pk")
    )


# Files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a file: its name and description, and where its values come from.

    A table read as records gives each column a ``value`` of the record; a
    table read as values gives each the ``field`` (or annotation) it reads.
    """

    name: str
    description: str
    value: Callable[[Any], Any] | None = None
    field: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    # A file is read either as records (small tables, whose columns compute
    # from related records) or as values (large ones: one query, streamed).
    records: Callable[[], QuerySet] | None = None
    values: Callable[[], QuerySet] | None = None

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def row(self, record) -> list[str]:
        return [cell(c.value(record)) for c in self.columns]

    def rows(self) -> Iterator[list[list[str]]]:
        """The rows, a chunk at a time, in a fixed number of queries whatever their number."""
        if self.records is not None:
            records = self.records().iterator(chunk_size=CHUNK_SIZE)
            while chunk := list(islice(records, CHUNK_SIZE)):
                yield [self.row(record) for record in chunk]
            return
        queryset = self.values()
        fields = [c.field for c in self.columns]
        # One formatter per column, chosen once per file by the type of its values.
        formatters = [formatter_for(queryset, name) for name in fields]
        rows = queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(islice(rows, CHUNK_SIZE)):
            yield [[f(v) for f, v in zip(formatters, row, strict=True)] for row in chunk]


def one_of(choices) -> str:
    return format_lazy("{} {}.", _("One of:"), ", ".join(choices.values))


def _role_column(name: str, role: str, description: str) -> Column:
    return Column(name, description, lambda c: slugs(parties_in_role(c, role)))


LANGUAGE_NAMES = dict(settings.LANGUAGES)


def translation_columns(*names: str, records: bool = False) -> tuple[Column, ...]:
    """Each text's translations, after the columns every file already had.

    The column named after a text keeps the English text, as it always did;
    ``title_uk`` and ``title_ru`` give the translations, empty while there is none.
    """
    columns = []
    for name in names:
        for language in translated.TRANSLATIONS:
            column = f"{name}_{language}"
            description = format_lazy(
                _("“{column}” in {language}; empty while not yet translated."),
                column=name,
                language=LANGUAGE_NAMES[language],
            )
            if records:
                columns.append(Column(column, description, lambda r, c=column: getattr(r, c)))
            else:
                columns.append(Column(column, description, field=column))
    return tuple(columns)


COMMITMENTS = Table(
    name="commitments",
    description=_("One row per published commitment."),
    records=public_commitments,
    columns=(
        Column("slug", _("Identifier, also used in page and API addresses."), lambda c: c.slug),
        Column("title", _("What was promised, in a few words."), lambda c: c.title_en),
        Column(
            "agreement", _("Slug of the agreement it was made under."), lambda c: c.agreement.slug
        ),
        Column("agreement_held_on", _("Date of that agreement."), lambda c: c.agreement.held_on),
        Column(
            "category",
            one_of(Category),
            lambda c: c.category,
        ),
        Column("shape", one_of(Shape), lambda c: c.shape),
        Column(
            "status",
            one_of(Status),
            lambda c: c.status,
        ),
        Column(
            "status_changed_at",
            _("When the current status took effect (UTC)."),
            lambda c: c.status_changed_at,
        ),
        _role_column("obligors", "obligor", _("Parties bound by it (slugs, separated by “; ”).")),
        _role_column("proposers", "proposer", _("Parties that proposed it.")),
        _role_column("mediators", "mediator", _("Parties that mediated it.")),
        _role_column("beneficiaries", "beneficiary", _("Parties it benefits.")),
        Column(
            "working_starts_at",
            _("Start of the window by the working reading (UTC)."),
            lambda c: c.working_starts_at,
        ),
        Column(
            "working_ends_at",
            _("End of the window by the working reading (UTC); empty when open-ended."),
            lambda c: c.working_ends_at,
        ),
        Column(
            "working_due_at",
            _("For deliverables: when it is due by the working reading (UTC)."),
            lambda c: c.working_due_at,
        ),
        Column(
            "promised_quantity",
            _("For exchanges: how many each side is to hand over."),
            lambda c: c.promised_quantity,
        ),
        Column(
            "renews",
            _("Slug of the earlier commitment this one renews."),
            lambda c: c.public_renews,
        ),
        Column("events", _("Number of published compliance events."), lambda c: c.compliance.total),
        Column(
            "alleged_violations",
            _("Violation claims not verified, refuted or retracted."),
            lambda c: violation_counts(c)[0],
        ),
        Column(
            "verified_violations", _("Violation claims verified."), lambda c: violation_counts(c)[1]
        ),
        Column(
            "regions",
            _("The regions it covers, as ISO 3166-2 codes, separated by “; ”."),
            lambda c: LIST_SEPARATOR.join(c.regions or []),
        ),
        Column("terms", _("The terms in plain words."), lambda c: c.terms_en),
        Column(
            "conditions",
            _("Conditions for entry into force, as announced."),
            lambda c: c.conditions_en,
        ),
        *translation_columns("title", "terms", "conditions", records=True),
    ),
)

READINGS = Table(
    name="readings",
    description=_(
        "One row per published reading of a commitment's terms. Parties often read the "
        "same terms differently; the working reading drives status and alerts."
    ),
    values=public_reading_values,
    columns=(
        Column("id", _("Identifier of the reading."), field="pk"),
        Column("commitment", _("Slug of the commitment."), field="commitment__slug"),
        Column("label", _("Whose reading it is, e.g. “Kremlin's count”."), field="label_en"),
        Column(
            "read_by",
            _("Slug of the party that reads the terms this way."),
            field="read_by__slug",
        ),
        Column(
            "is_working",
            _("true for the reading that drives status and alerts."),
            field="is_working",
        ),
        Column("starts_at", _("Start (UTC)."), field="starts_at"),
        Column("ends_at", _("End (UTC); empty when open-ended or not given."), field="ends_at"),
        Column(
            "duration_days",
            _("Length in days, when the terms give one."),
            field="duration_days",
        ),
        Column("is_open_ended", _("true when the window has no end."), field="is_open_ended"),
        Column("due_at", _("For deliverables: when it is due (UTC)."), field="due_at"),
        Column(
            "time_zone",
            _("IANA time zone the wording meant, e.g. Europe/Kyiv."),
            field="time_zone",
        ),
        Column(
            "precision",
            _("How exactly the wording gave the instants: day, hour or minute."),
            field="precision",
        ),
        Column("wording", _("The terms in the source's own words."), field="wording"),
        Column("scope", _("What this reading says is covered."), field="scope_en"),
        Column("source_urls", _("Sources, separated by “; ”."), field="source_urls"),
        Column(
            "wording_language",
            _("The language the wording is in (en, uk, ru); it is never translated."),
            field="wording_language",
        ),
        *translation_columns("label", "scope"),
    ),
)

EVENTS = Table(
    name="events",
    description=_(
        "One row per published compliance event: a claim, a confirmation, a delivery, a "
        "statement or a retraction, with who claims it and how far it has been checked."
    ),
    values=public_event_values,
    columns=(
        Column("id", _("Identifier of the event."), field="pk"),
        Column("commitment", _("Slug of the commitment."), field="commitment__slug"),
        Column(
            "kind",
            one_of(EventKind),
            field="kind",
        ),
        Column(
            "claimant",
            _("Slug of the party that makes the claim."),
            field="claimant__slug",
        ),
        Column(
            "accused",
            _("Slug of the party accused, if any."),
            field="accused__slug",
        ),
        Column("occurred_at", _("When it happened (UTC)."), field="occurred_at"),
        Column(
            "occurred_until",
            _("For claims about a period: its end (UTC)."),
            field="occurred_until",
        ),
        Column(
            "precision",
            _("How exactly the time is known: day, hour or minute."),
            field="precision",
        ),
        Column("recorded_at", _("When it was recorded here (UTC)."), field="recorded_at"),
        Column("location", _("Where, as reported."), field="location_en"),
        Column(
            "region",
            _("The region, as an ISO 3166-2 code (UA-59 for Sumy oblast), if one is given."),
            field="region",
        ),
        Column("count", _("For aggregate claims: how many incidents it counts."), field="count"),
        Column("summary", _("What is reported."), field="summary_en"),
        Column("verification", one_of(Verification), field="verification"),
        Column(
            "in_response_to",
            _("Identifier of the event this one answers."),
            field="public_in_response_to",
        ),
        Column(
            "quantities",
            _("For deliveries: “party: quantity unit”, separated by “; ”."),
            field="handed_over",
        ),
        Column("source_urls", _("Sources, separated by “; ”."), field="source_urls"),
        *translation_columns("summary", "location"),
    ),
)

TABLES = {table.name: table for table in (COMMITMENTS, READINGS, EVENTS)}


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table) -> Iterator[str]:
    """The file as text, one chunk of rows at a time."""
    writer = csv.writer(_Echo())
    yield writer.writerow(table.header())
    for chunk in table.rows():
        yield "".join(writer.writerow(row) for row in chunk)


@public_cache
def csv_file(request, table: str):
    """Stream one open-data file."""
    if table not in TABLES:
        raise Http404("No such file.")
    chosen = TABLES[table]
    response = StreamingHttpResponse(csv_lines(chosen), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chosen.filename}"'
    return response
