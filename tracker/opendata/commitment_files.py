"""The commitments and readings files, column by column (see ``tracker.opendata.tables``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tracker import public
from tracker.clock import Precision
from tracker.models import Category, Reading
from tracker.opendata import filters
from tracker.opendata.columns import (
    _role_column,
    english,
    one_of,
    source_urls_column,
    translation_columns,
    values_of,
)
from tracker.opendata.days import day_column, given_day, precision_column, zone_column
from tracker.opendata.records import public_commitments, violation_counts
from tracker.opendata.tables import LIST_SEPARATOR, Column, ForeignKey, Table
from tracker.status import Shape, Status

# What the readings file reads: one values query, streamed.


def public_reading_values() -> QuerySet:
    return (
        public.readings()
        .annotate(source_urls=public.joined_source_urls(Reading))
        .order_by("commitment__slug", "-is_working", "starts_at", "pk")
    )


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
        # Each instant as it was given: its day, precision and zone (added after the others).
        day_column(
            "status_changed_on",
            "status_changed_at",
            "#date+status+local",
            value=lambda c: given_day(
                c.status_changed_at, c.status_changed_precision, c.status_changed_zone
            ),
        ),
        precision_column(
            "status_changed_precision",
            "status_changed_at",
            "#meta+precision+status",
            value=lambda c: c.status_changed_precision,
            required=True,
        ),
        zone_column(
            "status_changed_zone",
            "status_changed_at",
            "#meta+time_zone+status",
            value=lambda c: c.status_changed_zone,
            required=True,
        ),
        *(
            day_column(
                f"working_{name}_on",
                f"working_{name}_at",
                f"#date+{hxl}+local",
                value=lambda c, a=f"working_{name}_at": given_day(
                    getattr(c, a), c.working_precision, c.working_time_zone
                ),
            )
            for name, hxl in (("starts", "start"), ("ends", "end"), ("due", "due"))
        ),
        Column(
            "working_precision",
            _("How exactly the working reading gave its instants: day, hour or minute."),
            lambda c: c.working_precision,
            hxl="#meta+precision+working",
            enum=lambda: values_of(Precision),
        ),
        Column(
            "working_time_zone",
            _("IANA time zone the working reading's wording meant, e.g. Europe/Kyiv."),
            lambda c: c.working_time_zone,
            hxl="#meta+time_zone+working",
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
        # Each instant's day as given, by its precision and time_zone (added after the others).
        *(
            day_column(
                f"{name}_on",
                f"{name}_at",
                f"#date+{hxl}+local",
                value=given_day,
                reads=(f"{name}_at", "precision", "time_zone"),
            )
            for name, hxl in (("starts", "start"), ("ends", "end"), ("due", "due"))
        ),
    ),
)
