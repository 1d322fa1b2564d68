"""The open-data CSV files: what each holds, column by column, and the address that streams it.

Each file is described once here (``tracker.opendata.tables``): the same
description writes the header and the rows, the HXL row, the documentation
on /data/ and the file's Table Schema in ``/data/datapackage.json``. Each
file takes the filters the API's list of the same records takes
(``tracker.opendata.filters``), by the same names. A file is streamed from
one query a chunk of rows at a time, filtered or not, so a million rows cost
the same memory as a hundred.

Every record keeps its ``id`` for good: an edit, a new slug or a correction
never changes it, so a mirror can match each row with the one it holds, and
``deletions.csv`` names by that ``id`` what left the files.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tracker import public, regions, translated
from tracker.clock import Precision
from tracker.http import public_cache
from tracker.models import (
    Agreement,
    Category,
    ComplianceEvent,
    EventKind,
    Party,
    Reading,
    Verification,
)
from tracker.opendata import deletions, filters, past
from tracker.opendata.records import (
    parties_in_role,
    public_agreements,
    public_commitments,
    violation_counts,
)
from tracker.opendata.tables import (  # noqa: F401  (the import of claims reads these here)
    CHUNK_SIZE,
    FORMULA_STARTS,
    LIST_SEPARATOR,
    Column,
    ForeignKey,
    Table,
    csv_lines,
    joined,
)
from tracker.site import reader_zone
from tracker.status import Shape, Status


def values_of(choices) -> list[str]:
    return list(choices.values)


def one_of(choices) -> str:
    return format_lazy("{} {}.", _("One of:"), ", ".join(choices.values))


def region_codes() -> list[str]:
    return list(regions.regions())


LANGUAGE_NAMES = dict(settings.LANGUAGES)


def slugs(parties) -> str:
    return joined(p.slug for p in parties)


# What the large files read -----------------------------------------------------------


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


def public_party_records() -> QuerySet:
    return public.parties().order_by("name_en", "pk")


def agreement_records() -> QuerySet:
    return public_agreements()


def public_source_records() -> QuerySet:
    """Public sources, with their kept copies and link brought along in two queries a chunk."""
    return (
        public.sources()
        .select_related("link")
        .prefetch_related(public.kept_captures())
        .order_by("pk")
    )


def latest_copy(source, field: str):
    """A field of the newest copy kept of a public source; None while none is kept."""
    captures = public.source_evidence(source).captures
    return getattr(captures[-1], field) if captures else None


def first_copy(source, field: str):
    """A field of the copy kept when the source was cited, the one link checks compare with."""
    first = public.source_evidence(source).first
    return getattr(first, field) if first else None


# Columns -------------------------------------------------------------------------------


def _role_column(name: str, role: str, description: str) -> Column:
    return Column(
        name,
        description,
        lambda c: slugs(parties_in_role(c, role)),
        type="list",
        hxl=f"#actor+{role}+code",
    )


def translation_columns(*texts: tuple[str, str], records: bool = False) -> tuple[Column, ...]:
    """Each text's translations, after the columns every file already had.

    The column named after a text keeps the English text, as it always did;
    ``title_uk`` and ``title_ru`` give the translations, empty while there is
    none. ``texts`` are (name, HXL hashtag) pairs; each translation's tag
    says its language as HXL does (``+i_uk``).
    """
    columns = []
    for name, hxl in texts:
        for language in translated.TRANSLATIONS:
            column = f"{name}_{language}"
            description = format_lazy(
                _("“{column}” in {language}; empty while not yet translated."),
                column=name,
                language=LANGUAGE_NAMES[language],
            )
            tag = f"{hxl}+i_{language}"
            if records:
                columns.append(
                    Column(column, description, lambda r, c=column: getattr(r, c), hxl=tag)
                )
            else:
                columns.append(Column(column, description, field=column, hxl=tag))
    return tuple(columns)


def english(hxl: str) -> str:
    return f"{hxl}+i_en"


def source_urls_column(**where) -> Column:
    return Column(
        "source_urls",
        _("Sources, separated by “; ”."),
        type="list",
        hxl="#meta+source+url",
        **where,
    )


# The files -----------------------------------------------------------------------------

COMMITMENTS = Table(
    name="commitments",
    title=_("Commitments"),
    description=_("One row per published commitment."),
    records=public_commitments,
    filters=filters.CommitmentFilter,
    foreign_keys=(
        ForeignKey("agreement", "agreements", "slug"),
        ForeignKey("renews", "commitments", "slug"),
    ),
    columns=(
        Column(
            "slug",
            _("Readable identifier, used in page and API addresses."),
            lambda c: c.slug,
            hxl="#commitment+code",
            required=True,
            unique=True,
        ),
        Column(
            "title",
            _("What was promised, in a few words."),
            lambda c: c.title_en,
            hxl=english("#commitment+name"),
            required=True,
        ),
        Column(
            "agreement",
            _("Slug of the agreement it was made under."),
            lambda c: c.agreement.slug,
            hxl="#agreement+code",
            required=True,
        ),
        Column(
            "agreement_held_on",
            _("Date of that agreement."),
            lambda c: c.agreement.held_on,
            type="date",
            hxl="#date+agreement",
            required=True,
        ),
        Column(
            "category",
            one_of(Category),
            lambda c: c.category,
            hxl="#commitment+category",
            required=True,
            enum=lambda: values_of(Category),
        ),
        Column(
            "shape",
            one_of(Shape),
            lambda c: c.shape,
            hxl="#commitment+shape",
            required=True,
            enum=lambda: values_of(Shape),
        ),
        Column(
            "status",
            one_of(Status),
            lambda c: c.status,
            hxl="#status+lifecycle",
            required=True,
            enum=lambda: values_of(Status),
        ),
        Column(
            "status_changed_at",
            _("When the current status took effect (UTC)."),
            lambda c: c.status_changed_at,
            type="datetime",
            hxl="#date+status",
        ),
        _role_column("obligors", "obligor", _("Parties bound by it (slugs, separated by “; ”).")),
        _role_column("proposers", "proposer", _("Parties that proposed it.")),
        _role_column("mediators", "mediator", _("Parties that mediated it.")),
        _role_column("beneficiaries", "beneficiary", _("Parties it benefits.")),
        Column(
            "working_starts_at",
            _("Start of the window by the working reading (UTC)."),
            lambda c: c.working_starts_at,
            type="datetime",
            hxl="#date+start",
        ),
        Column(
            "working_ends_at",
            _("End of the window by the working reading (UTC); empty when open-ended."),
            lambda c: c.working_ends_at,
            type="datetime",
            hxl="#date+end",
        ),
        Column(
            "working_due_at",
            _("For deliverables: when it is due by the working reading (UTC)."),
            lambda c: c.working_due_at,
            type="datetime",
            hxl="#date+due",
        ),
        Column(
            "promised_quantity",
            _("For exchanges: how many each side is to hand over."),
            lambda c: c.promised_quantity,
            type="integer",
            hxl="#value+promised",
            minimum=0,
        ),
        Column(
            "renews",
            _("Slug of the earlier commitment this one renews."),
            lambda c: c.public_renews,
            hxl="#commitment+code+renews",
        ),
        Column(
            "events",
            _("Number of published compliance events."),
            lambda c: c.compliance.total,
            type="integer",
            hxl="#event+num",
            required=True,
            minimum=0,
        ),
        Column(
            "alleged_violations",
            _("Violation claims not verified, refuted or retracted."),
            lambda c: violation_counts(c)[0],
            type="integer",
            hxl="#event+num+violation+alleged",
            required=True,
            minimum=0,
        ),
        Column(
            "verified_violations",
            _("Violation claims verified."),
            lambda c: violation_counts(c)[1],
            type="integer",
            hxl="#event+num+violation+verified",
            required=True,
            minimum=0,
        ),
        Column(
            "regions",
            _("The regions it covers, as ISO 3166-2 codes, separated by “; ”."),
            lambda c: LIST_SEPARATOR.join(c.regions or []),
            type="list",
            hxl="#adm1+code",
        ),
        Column(
            "terms",
            _("The terms in plain words."),
            lambda c: c.terms_en,
            hxl=english("#description+terms"),
        ),
        Column(
            "conditions",
            _("Conditions for entry into force, as announced."),
            lambda c: c.conditions_en,
            hxl=english("#description+conditions"),
        ),
        *translation_columns(
            ("title", "#commitment+name"),
            ("terms", "#description+terms"),
            ("conditions", "#description+conditions"),
            records=True,
        ),
        Column(
            "id",
            _("Identifier of the commitment, which never changes, even when its slug does."),
            lambda c: c.pk,
            type="integer",
            hxl="#commitment+id",
            required=True,
            unique=True,
        ),
    ),
)

READINGS = Table(
    name="readings",
    title=_("Readings"),
    description=_(
        "One row per published reading of a commitment's terms. Parties often read the "
        "same terms differently; the working reading drives status and alerts."
    ),
    values=public_reading_values,
    filters=filters.ReadingFilter,
    foreign_keys=(
        ForeignKey("commitment", "commitments", "slug"),
        ForeignKey("read_by", "parties", "slug"),
    ),
    columns=(
        Column(
            "id",
            _("Identifier of the reading, which never changes."),
            field="pk",
            type="integer",
            hxl="#reading+id",
            required=True,
            unique=True,
        ),
        Column(
            "commitment",
            _("Slug of the commitment."),
            field="commitment__slug",
            hxl="#commitment+code",
            required=True,
        ),
        Column(
            "label",
            _("Whose reading it is, e.g. “Kremlin's count”."),
            field="label_en",
            hxl=english("#reading+name"),
            required=True,
        ),
        Column(
            "read_by",
            _("Slug of the party that reads the terms this way."),
            field="read_by__slug",
            hxl="#actor+reader+code",
        ),
        Column(
            "is_working",
            _("true for the reading that drives status and alerts."),
            field="is_working",
            type="boolean",
            hxl="#reading+working",
            required=True,
        ),
        Column(
            "starts_at", _("Start (UTC)."), field="starts_at", type="datetime", hxl="#date+start"
        ),
        Column(
            "ends_at",
            _("End (UTC); empty when open-ended or not given."),
            field="ends_at",
            type="datetime",
            hxl="#date+end",
        ),
        Column(
            "duration_days",
            _("Length in days, when the terms give one."),
            field="duration_days",
            type="integer",
            hxl="#reading+days",
            minimum=0,
        ),
        Column(
            "is_open_ended",
            _("true when the window has no end."),
            field="is_open_ended",
            type="boolean",
            hxl="#reading+open_ended",
            required=True,
        ),
        Column(
            "due_at",
            _("For deliverables: when it is due (UTC)."),
            field="due_at",
            type="datetime",
            hxl="#date+due",
        ),
        Column(
            "time_zone",
            _("IANA time zone the wording meant, e.g. Europe/Kyiv."),
            field="time_zone",
            hxl="#meta+time_zone",
            required=True,
        ),
        Column(
            "precision",
            _("How exactly the wording gave the instants: day, hour or minute."),
            field="precision",
            hxl="#meta+precision",
            required=True,
            enum=lambda: values_of(Precision),
        ),
        Column(
            "wording",
            _("The terms in the source's own words."),
            field="wording",
            hxl="#description+wording",
        ),
        Column(
            "scope",
            _("What this reading says is covered."),
            field="scope_en",
            hxl=english("#description+scope"),
        ),
        source_urls_column(field="source_urls"),
        Column(
            "wording_language",
            _("The language the wording is in (en, uk, ru); it is never translated."),
            field="wording_language",
            hxl="#meta+lang",
        ),
        *translation_columns(("label", "#reading+name"), ("scope", "#description+scope")),
    ),
)

EVENTS = Table(
    name="events",
    title=_("Compliance events"),
    description=_(
        "One row per published compliance event: a claim, a confirmation, a delivery, a "
        "statement or a retraction, with who claims it and how far it has been checked."
    ),
    values=public_event_values,
    filters=filters.EventFilter,
    foreign_keys=(
        ForeignKey("commitment", "commitments", "slug"),
        ForeignKey("claimant", "parties", "slug"),
        ForeignKey("accused", "parties", "slug"),
        ForeignKey("in_response_to", "events", "id"),
    ),
    columns=(
        Column(
            "id",
            _("Identifier of the event, which never changes."),
            field="pk",
            type="integer",
            hxl="#event+id",
            required=True,
            unique=True,
        ),
        Column(
            "commitment",
            _("Slug of the commitment."),
            field="commitment__slug",
            hxl="#commitment+code",
            required=True,
        ),
        Column(
            "kind",
            one_of(EventKind),
            field="kind",
            hxl="#event+type",
            required=True,
            enum=lambda: values_of(EventKind),
        ),
        Column(
            "claimant",
            _("Slug of the party that makes the claim."),
            field="claimant__slug",
            hxl="#actor+claimant+code",
        ),
        Column(
            "accused",
            _("Slug of the party accused, if any."),
            field="accused__slug",
            hxl="#actor+accused+code",
        ),
        Column(
            "occurred_at",
            _("When it happened (UTC)."),
            field="occurred_at",
            type="datetime",
            hxl="#date+occurred",
            required=True,
        ),
        Column(
            "occurred_until",
            _("For claims about a period: its end (UTC)."),
            field="occurred_until",
            type="datetime",
            hxl="#date+occurred+end",
        ),
        Column(
            "precision",
            _("How exactly the time is known: day, hour or minute."),
            field="precision",
            hxl="#meta+precision",
            required=True,
            enum=lambda: values_of(Precision),
        ),
        Column(
            "recorded_at",
            _("When it was recorded here (UTC)."),
            field="recorded_at",
            type="datetime",
            hxl="#date+reported",
            required=True,
        ),
        Column(
            "location",
            _("Where, as reported."),
            field="location_en",
            hxl=english("#loc+name"),
        ),
        Column(
            "region",
            _("The region, as an ISO 3166-2 code (UA-59 for Sumy oblast), if one is given."),
            field="region",
            hxl="#adm1+code",
            enum=region_codes,
        ),
        Column(
            "count",
            _("For aggregate claims: how many incidents it counts."),
            field="count",
            type="integer",
            hxl="#event+num",
            minimum=0,
        ),
        Column(
            "summary",
            _("What is reported."),
            field="summary_en",
            hxl=english("#description"),
            required=True,
        ),
        Column(
            "verification",
            one_of(Verification),
            field="verification",
            hxl="#status+verification",
            required=True,
            enum=lambda: values_of(Verification),
        ),
        Column(
            "in_response_to",
            _("Identifier of the event this one answers."),
            field="public_in_response_to",
            type="integer",
            hxl="#event+answers",
        ),
        Column(
            "quantities",
            _("For deliveries: “party: quantity unit”, separated by “; ”."),
            field="handed_over",
            type="list",
            hxl="#item+delivered",
        ),
        source_urls_column(field="source_urls"),
        *translation_columns(("summary", "#description"), ("location", "#loc+name")),
    ),
)

AGREEMENTS = Table(
    name="agreements",
    title=_("Agreements"),
    description=_(
        "One row per published agreement: the call, round of talks, memorandum or "
        "statement where commitments were made."
    ),
    records=agreement_records,
    filters=filters.AgreementFilter,
    columns=(
        Column(
            "id",
            _("Identifier of the agreement, which never changes, even when its slug does."),
            lambda a: a.pk,
            type="integer",
            hxl="#agreement+id",
            required=True,
            unique=True,
        ),
        Column(
            "slug",
            _("Readable identifier, used in page addresses."),
            lambda a: a.slug,
            hxl="#agreement+code",
            required=True,
            unique=True,
        ),
        Column(
            "title",
            _("The agreement, in a few words."),
            lambda a: a.title_en,
            hxl=english("#agreement+name"),
            required=True,
        ),
        Column(
            "kind",
            one_of(Agreement.Kind),
            lambda a: a.kind,
            hxl="#agreement+type",
            required=True,
            enum=lambda: values_of(Agreement.Kind),
        ),
        Column(
            "held_on",
            _("The day it was held or signed."),
            lambda a: a.held_on,
            type="date",
            hxl="#date+agreement",
            required=True,
        ),
        Column("venue", _("Where it was held."), lambda a: a.venue_en, hxl=english("#loc+venue")),
        Column(
            "parties",
            _("Parties to it (slugs, separated by “; ”)."),
            lambda a: slugs(a.parties.all()),
            type="list",
            hxl="#actor+party+code",
        ),
        Column(
            "summary",
            _("What was agreed, in plain words."),
            lambda a: a.summary_en,
            hxl=english("#description"),
        ),
        source_urls_column(value=lambda a: joined(s.url for s in a.sources.all())),
        *translation_columns(
            ("title", "#agreement+name"),
            ("venue", "#loc+venue"),
            ("summary", "#description"),
            records=True,
        ),
    ),
)

PARTIES = Table(
    name="parties",
    title=_("Parties"),
    description=_(
        "One row per party the other files name: the states and organisations that make, "
        "broker or benefit from commitments, and those that make or face claims."
    ),
    records=public_party_records,
    filters=filters.PartyFilter,
    columns=(
        Column(
            "id",
            _("Identifier of the party, which never changes, even when its slug does."),
            lambda p: p.pk,
            type="integer",
            hxl="#actor+id",
            required=True,
            unique=True,
        ),
        Column(
            "slug",
            _("Readable identifier, used in the other files and in page addresses."),
            lambda p: p.slug,
            hxl="#actor+code",
            required=True,
            unique=True,
        ),
        Column(
            "name",
            _("The party's name."),
            lambda p: p.name_en,
            hxl=english("#actor+name"),
            required=True,
        ),
        Column(
            "short_name",
            _("A shorter name, where there is one."),
            lambda p: p.short_name_en,
            hxl=english("#actor+name+short"),
        ),
        Column(
            "kind",
            one_of(Party.Kind),
            lambda p: p.kind,
            hxl="#actor+type",
            required=True,
            enum=lambda: values_of(Party.Kind),
        ),
        Column(
            "time_zone",
            _("IANA time zone the party's announcements usually mean."),
            lambda p: p.time_zone,
            hxl="#meta+time_zone",
            required=True,
        ),
        *translation_columns(
            ("name", "#actor+name"), ("short_name", "#actor+name+short"), records=True
        ),
    ),
)

SOURCES = Table(
    name="sources",
    title=_("Sources"),
    description=_(
        "One row per source a published record cites: its address, what became of the "
        "address, and the copy the tracker keeps of it, by date and SHA-256, so a reader can "
        "show that a page was there and what it said after it has changed or gone. The other "
        "files name their sources by url in source_urls; the API gives every copy kept."
    ),
    records=public_source_records,
    filters=filters.SourceFilter,
    columns=(
        Column(
            "id",
            _("Identifier of the source, which never changes."),
            lambda s: s.pk,
            type="integer",
            hxl="#meta+source+id",
            required=True,
            unique=True,
        ),
        Column(
            "url",
            _("The address cited, as in the other files' source_urls."),
            lambda s: s.url,
            hxl="#meta+source+url",
            required=True,
            unique=True,
        ),
        Column(
            "title",
            _("The title of the page or document."),
            lambda s: s.title_en,
            hxl=english("#meta+source+name"),
        ),
        Column(
            "publisher",
            _("Who published it."),
            lambda s: s.publisher,
            hxl="#meta+source+publisher",
        ),
        Column(
            "language",
            _("The language it is written in."),
            lambda s: s.language,
            hxl="#meta+source+lang",
        ),
        Column(
            "published_on",
            _("The day it was published, when known."),
            lambda s: s.published_on,
            type="date",
            hxl="#date+published",
        ),
        Column(
            "link_status",
            _(
                "What became of the address: live (still serves the first copy's bytes), "
                "changed (serves other bytes), gone (404, 410 or 451), or unchecked (no copy "
                "kept yet, or not checked since)."
            ),
            lambda s: public.source_evidence(s).link_status,
            hxl="#status+link",
            required=True,
            enum=lambda: [value for value, _label in filters.LINK_STATUSES],
        ),
        Column(
            "link_status_since",
            _("When a check first found the address as it is now (UTC)."),
            lambda s: public.source_evidence(s).link_status_since,
            type="datetime",
            hxl="#date+link",
        ),
        Column(
            "captures",
            _("How many copies are kept: one when cited, and one more each time it changed."),
            lambda s: len(public.source_evidence(s).captures),
            type="integer",
            hxl="#meta+capture+num",
            required=True,
            minimum=0,
        ),
        Column(
            "captured_at",
            _("When the newest copy was made (UTC); empty while none is kept."),
            lambda s: latest_copy(s, "captured_at"),
            type="datetime",
            hxl="#date+captured",
        ),
        Column(
            "sha256",
            _("SHA-256 of the newest copy's bytes, in hex."),
            lambda s: latest_copy(s, "sha256"),
            hxl="#meta+capture+sha256",
        ),
        Column(
            "http_status",
            _("The HTTP status the address answered the newest copy with."),
            lambda s: latest_copy(s, "http_status"),
            type="integer",
            hxl="#meta+capture+http_status",
        ),
        Column(
            "content_type",
            _("The content type the newest copy was served as."),
            lambda s: latest_copy(s, "content_type"),
            hxl="#meta+capture+content_type",
        ),
        Column(
            "made_from_file",
            _("true when the newest copy was made from a file for the demonstration, not fetched."),
            lambda s: (
                None
                if not public.source_evidence(s).captures
                else bool(latest_copy(s, "made_from"))
            ),
            type="boolean",
            hxl="#meta+capture+demo",
        ),
        Column(
            "first_captured_at",
            _("When the copy made on citation was made (UTC): the one the pages speak of."),
            lambda s: first_copy(s, "captured_at"),
            type="datetime",
            hxl="#date+captured+first",
        ),
        Column(
            "first_sha256",
            _("SHA-256 of that first copy's bytes, in hex."),
            lambda s: first_copy(s, "sha256"),
            hxl="#meta+capture+sha256+first",
        ),
        *translation_columns(("title", "#meta+source+name"), records=True),
    ),
)

DELETIONS = Table(
    name="deletions",
    title=_("Withdrawals"),
    description=_(
        "One row per record that was published and has since been withdrawn from the files "
        "(unpublished, or taken out with what it belongs to), so a copy of the files can "
        "drop it too. A record published again leaves this list and is back in its file "
        "under the same id. Records that were never public are never named here."
    ),
    records=deletions.withdrawals,
    rows_from=deletions.rows,
    filters=deletions.WithdrawalFilter,
    primary_key=("file", "id"),
    columns=(
        Column(
            "file",
            _("The file the record was in: commitments, readings, events or agreements."),
            lambda w: w.file,
            hxl="#meta+file",
            required=True,
            enum=lambda: list(deletions.FILES),
        ),
        Column(
            "id",
            _("The record's id in that file."),
            lambda w: w.id,
            type="integer",
            hxl="#meta+id",
            required=True,
        ),
        Column(
            "withdrawn_at",
            _("When it left the files (UTC)."),
            lambda w: w.withdrawn_at,
            type="datetime",
            hxl="#date+withdrawn",
            required=True,
        ),
    ),
)

TABLES = {
    table.name: table
    for table in (COMMITMENTS, READINGS, EVENTS, AGREEMENTS, PARTIES, SOURCES, DELETIONS)
}


# The address of each file -------------------------------------------------------------

HXL_CHOICES = {"1": True, "0": False}


class Refused(Exception):
    """The parameters ask for something the file cannot give; ``problems`` by parameter."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__(problems)
        self.problems = problems


def parameters(table: Table) -> list[str]:
    """The names a file's address takes: its filters, then ``hxl``."""
    return [*table.filters.base_filters, "hxl"]


def selected(
    table: Table, params, zone: reader_zone.ReaderZone | None = None
) -> tuple[QuerySet, bool, past.Past | None]:
    """The rows ``params`` ask for, whether to add the HXL row, and the past day asked for.

    Or ``Refused``. Checked before anything is streamed, so a bad parameter
    is a 400 that names it, never a file cut short, silently empty or
    silently unfiltered. ``zone`` is the reader's, where a past day ends.
    """
    try:
        asked = past.asked(params, zone or reader_zone.ReaderZone())
    except past.Refused as refused:
        raise Refused(refused.problems) from None
    if asked is not None and table.name not in past.SOURCES:
        raise Refused(past.not_offered(table.filename).problems)
    # The reader's zone, which the site's links carry, changes no time in a file: files
    # are in UTC. As of a past day, it says where the day ends.
    known = [*parameters(table), reader_zone.PARAMETER, past.PARAMETER]
    problems = filters.refusals(params, known)
    hxl = params.get("hxl", "0")
    if "hxl" not in problems and hxl not in HXL_CHOICES:
        problems["hxl"] = [str(_("Give 1 to add the row of HXL hashtags, or 0."))]
    if problems:
        raise Refused(problems)
    chosen = table.filters(
        MultiValueDict(
            {name: values for name, values in params.lists() if name in table.filters.base_filters}
        ),
        queryset=table.source() if asked is None else past.SOURCES[table.name].rows(asked.moment),
    )
    if not chosen.is_valid():
        raise Refused(
            {name: [str(m) for m in messages] for name, messages in chosen.errors.items()}
        )
    return chosen.qs, HXL_CHOICES[hxl], asked


@public_cache(etag_func=past.download_etag)
def csv_file(request, table: str):
    """Stream one open-data file, filtered as asked, today's or as of a past day."""
    if table not in TABLES:
        raise Http404("No such file.")
    chosen = TABLES[table]
    try:
        rows, hxl, asked = selected(chosen, request.GET, reader_zone.zone_of(request))
    except Refused as refused:
        return JsonResponse(refused.problems, status=400)
    rebuild = None
    if asked is not None and chosen.records is not None:
        records = past.SOURCES[table].records

        def rebuild(chunk: list) -> list:
            return records(chunk, asked.moment)

    response = StreamingHttpResponse(
        csv_lines(chosen, rows, hxl=hxl, rebuild=rebuild), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{chosen.filename}"'
    return response
