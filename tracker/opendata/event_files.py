"""The compliance events file, column by column (see ``tracker.opendata.tables``).

The staff import of claims reads this file's header (``EVENTS.header()``), so a
file downloaded from /data/events.csv imports back.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tracker import public
from tracker.clock import Precision
from tracker.models import ComplianceEvent, EventKind, Verification
from tracker.opendata import filters
from tracker.opendata.columns import (
    english,
    one_of,
    region_codes,
    source_urls_column,
    translation_columns,
    values_of,
)
from tracker.opendata.days import day_column
from tracker.opendata.tables import Column, ForeignKey, Table

# What the events file reads: one values query, streamed.


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
        # Each instant's day as it was given (added after the others): the day the
        # pages date the event on, kept with it (``ComplianceEvent.occurred_on``).
        day_column("occurred_on", "occurred_at", "#date+occurred+local", field="occurred_on"),
        day_column(
            "occurred_until_on",
            "occurred_until",
            "#date+occurred+end+local",
            field="occurred_until_on",
        ),
    ),
)
