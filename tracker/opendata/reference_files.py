"""The files the others refer to, column by column: agreements, parties, sources, withdrawals.

See ``tracker.opendata.tables`` for how a file is described.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tracker import public
from tracker.models import Agreement, Party
from tracker.opendata import deletions, filters
from tracker.opendata.columns import (
    english,
    one_of,
    slugs,
    source_urls_column,
    translation_columns,
    values_of,
)
from tracker.opendata.records import public_agreements
from tracker.opendata.tables import Column, Table, joined

# What the small files read, record by record.


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
