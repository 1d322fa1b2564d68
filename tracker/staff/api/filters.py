"""What staff tools filter the claims and sources by: any record, published or not.

The same strict filters as the open data's (``tracker.opendata.filters``):
an unknown or empty parameter, a value not among the choices or a slug
nothing has answers 400 naming the parameter, never an unfiltered list. Unlike
the public filters, these name drafts too: staff record against them.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django_filters import rest_framework as filters

from tracker.models import (
    Commitment,
    ComplianceEvent,
    EventKind,
    Party,
    Revision,
    Source,
    Verification,
)
from tracker.opendata.filters import TRUE_OR_FALSE, RangeForm, TrueOrFalseFilter
from tracker.services.versions import record_filter


def any_party(help_text: str, **kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        queryset=Party.objects.all(), to_field_name="slug", help_text=help_text, **kwargs
    )


class WaitingFilter(TrueOrFalseFilter):
    """Records with changes waiting for a reviewer (true), or with none (false)."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        waiting = Exists(
            Revision.objects.filter(
                record_type=record_filter(queryset.model())["record_type"],
                record_id=OuterRef("pk"),
                state=Revision.State.PENDING,
            )
        )
        return queryset.filter(waiting if value == "true" else ~waiting)


class StaffEventFilter(filters.FilterSet):
    commitment = filters.ModelChoiceFilter(
        queryset=Commitment.objects.all(),
        to_field_name="slug",
        help_text="Slug of a commitment, published or not.",
    )
    kind = filters.MultipleChoiceFilter(
        choices=EventKind.choices, help_text="Kind of claim; repeat to allow several."
    )
    verification = filters.MultipleChoiceFilter(
        choices=Verification.choices, help_text="Verification state; repeat to allow several."
    )
    published = TrueOrFalseFilter(
        field_name="is_published",
        choices=TRUE_OR_FALSE,
        help_text="true for claims on the public record, false for drafts.",
    )
    waiting = WaitingFilter(
        choices=TRUE_OR_FALSE,
        help_text="true for claims with changes waiting for a reviewer, false for the others.",
    )
    claimant = any_party("Slug of the party making the claim.")
    accused = any_party("Slug of the party accused.")
    recorded_after = filters.IsoDateTimeFilter(
        field_name="recorded_at",
        lookup_expr="gte",
        help_text="Recorded at or after this instant (UTC unless given).",
    )
    recorded_before = filters.IsoDateTimeFilter(
        field_name="recorded_at",
        lookup_expr="lt",
        help_text="Recorded before this instant.",
    )

    class Meta:
        model = ComplianceEvent
        fields = [
            "commitment",
            "kind",
            "verification",
            "published",
            "waiting",
            "claimant",
            "accused",
            "recorded_after",
            "recorded_before",
        ]
        form = RangeForm


class StaffSourceFilter(filters.FilterSet):
    url = filters.CharFilter(help_text="The source's address, exactly as saved.")

    class Meta:
        model = Source
        fields = ["url"]
