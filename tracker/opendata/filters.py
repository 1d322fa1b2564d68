"""Filters for the API's lists and the open-data files.

Every filter is validated: a value that is not one of the choices, a date that
does not parse, an unknown slug, a range that ends before it starts or a
parameter the endpoint does not know all answer 400 with the reason, instead
of quietly returning everything.
"""

from __future__ import annotations

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from tracker import public, search
from tracker.models import (
    Agreement,
    Category,
    Commitment,
    ComplianceEvent,
    EventKind,
    Party,
    Reading,
    Verification,
)
from tracker.status import Shape, Status

ALWAYS_ALLOWED = frozenset({"page", "page_size", "format"})
TRUE_OR_FALSE = [("true", "true"), ("false", "false")]


class RangeForm(forms.Form):
    """Refuses a range whose ``…_after`` bound is later than its ``…_before`` bound."""

    def clean(self):
        data = super().clean()
        for name in list(self.fields):
            if not name.endswith("_after"):
                continue
            stem = name.removesuffix("_after")
            start, end = data.get(name), data.get(f"{stem}_before")
            if start is not None and end is not None and start > end:
                message = _("%(start)s must not be later than %(end)s.")
                self.add_error(name, message % {"start": name, "end": f"{stem}_before"})
        return data


class StrictFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, refusing parameters the endpoint does not know.

    A misspelt filter (``?stauts=expired``) would otherwise be ignored and the
    reader would get every row while believing they got a filtered list.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = ALWAYS_ALLOWED | set(filterset_class.base_filters if filterset_class else ())
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            listing = ", ".join(sorted(known))
            raise ValidationError(
                {
                    name: [
                        _("Unknown parameter. This endpoint takes: %(known)s.") % {"known": listing}
                    ]
                    for name in unknown
                }
            )
        return super().filter_queryset(request, queryset, view)


def public_party(help_text: str, **kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        queryset=public.parties(), to_field_name="slug", help_text=help_text, **kwargs
    )


def public_commitment() -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        field_name="commitment",
        queryset=public.commitments(),
        to_field_name="slug",
        help_text=_("Slug of a published commitment."),
    )


SEARCH_HELP = format_lazy(
    _(
        "Words to find in the texts, in English, Ukrainian or Russian: the records holding "
        "every word, where the beginning of a word is enough (energ finds energy), best match "
        "first. At most {limit}; when more match, the newest of them."
    ),
    limit=search.CANDIDATES,
)


def search_filter() -> filters.CharFilter:
    """``?q=``: applied after the endpoint's other filters, which it searches within."""
    return filters.CharFilter(method="search", help_text=SEARCH_HELP)


def searched(queryset, kind: str, text: str):
    """The records of ``queryset`` matching ``text``, best first (``tracker.public.search``)."""
    try:
        query = search.read(text)
    except search.QueryError as exc:
        raise ValidationError({"q": [str(exc)]}) from exc
    if not query:
        raise ValidationError({"q": [_("Give at least one word of letters or digits.")]})
    hits = public.search(query, [kind], narrowed=queryset).by_kind[kind].hits
    best_first = Case(
        *(When(pk=hit.pk, then=Value(place)) for place, hit in enumerate(hits)),
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=[hit.pk for hit in hits]).order_by(best_first)


class Searchable(filters.FilterSet):
    """A filter set whose ``q`` searches the kind of record it lists, within its other filters.

    ``q`` comes last in ``Meta.fields``, so the other filters narrow the list first.
    """

    search_kind = ""
    q = search_filter()

    def search(self, queryset, name, value: str):
        return searched(queryset, self.search_kind, value)


class CommitmentFilter(Searchable):
    search_kind = "commitment"
    status = filters.MultipleChoiceFilter(
        choices=Status.choices, help_text=_("Lifecycle status; repeat to allow several.")
    )
    category = filters.MultipleChoiceFilter(
        choices=Category.choices, help_text=_("Category; repeat to allow several.")
    )
    shape = filters.ChoiceFilter(choices=Shape.choices)
    agreement = filters.ModelChoiceFilter(
        queryset=public.agreements(),
        to_field_name="slug",
        help_text=_("Slug of a published agreement."),
    )
    party = public_party(_("Slug of a party with any role in the commitment."), method="by_party")
    ends_after = filters.IsoDateTimeFilter(
        field_name="working_ends_at",
        lookup_expr="gte",
        help_text=_("Working window ends at or after this date or instant (UTC unless given)."),
    )
    ends_before = filters.IsoDateTimeFilter(
        field_name="working_ends_at",
        lookup_expr="lt",
        help_text=_("Working window ends before this date or instant."),
    )

    class Meta:
        model = Commitment
        fields = [
            "status",
            "category",
            "shape",
            "agreement",
            "party",
            "ends_after",
            "ends_before",
            "q",
        ]
        form = RangeForm

    @extend_schema_field(OpenApiTypes.STR)
    def by_party(self, queryset, name, party):
        return queryset.filter(pk__in=public.roles().filter(party=party).values("commitment"))


class ReadingFilter(Searchable):
    search_kind = "reading"
    commitment = public_commitment()
    party = public_party(_("Slug of the party that reads the terms."), field_name="read_by")
    working = filters.TypedChoiceFilter(
        field_name="is_working",
        choices=TRUE_OR_FALSE,
        coerce=lambda value: value == "true",
        help_text=_("true for working readings only, false for the others."),
    )

    class Meta:
        model = Reading
        fields = ["commitment", "party", "working", "q"]
        form = RangeForm


class EventFilter(Searchable):
    search_kind = "event"
    commitment = public_commitment()
    kind = filters.MultipleChoiceFilter(
        choices=EventKind.choices, help_text=_("Kind of event; repeat to allow several.")
    )
    verification = filters.MultipleChoiceFilter(
        choices=Verification.choices, help_text=_("Verification state; repeat to allow several.")
    )
    claimant = public_party(_("Slug of the party making the claim."))
    accused = public_party(_("Slug of the party accused."))
    party = public_party(
        _("Slug of a party that is either claimant or accused."), method="by_party"
    )
    occurred_after = filters.IsoDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="gte",
        help_text=_("Happened at or after this date or instant (UTC unless given)."),
    )
    occurred_before = filters.IsoDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="lt",
        help_text=_("Happened before this date or instant."),
    )

    class Meta:
        model = ComplianceEvent
        fields = [
            "commitment",
            "kind",
            "verification",
            "claimant",
            "accused",
            "party",
            "occurred_after",
            "occurred_before",
            "q",
        ]
        form = RangeForm

    @extend_schema_field(OpenApiTypes.STR)
    def by_party(self, queryset, name, party):
        return queryset.filter(claimant=party) | queryset.filter(accused=party)


class AgreementFilter(Searchable):
    search_kind = "agreement"
    kind = filters.ChoiceFilter(choices=Agreement.Kind.choices)
    party = public_party(_("Slug of a party to the agreement."), method="by_party")
    held_after = filters.DateFilter(
        field_name="held_on", lookup_expr="gte", help_text=_("Held on or after this date.")
    )
    held_before = filters.DateFilter(
        field_name="held_on", lookup_expr="lt", help_text=_("Held before this date.")
    )

    class Meta:
        model = Agreement
        fields = ["kind", "party", "held_after", "held_before", "q"]
        form = RangeForm

    @extend_schema_field(OpenApiTypes.STR)
    def by_party(self, queryset, name, party):
        return queryset.filter(
            pk__in=Agreement.parties.through.objects.filter(party=party).values("agreement")
        )


class PartyFilter(Searchable):
    search_kind = "party"
    kind = filters.ChoiceFilter(choices=Party.Kind.choices)

    class Meta:
        model = Party
        fields = ["kind", "q"]
