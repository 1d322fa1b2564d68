"""Filters for the open data: the same filters, by the same names, for the API and the files.

Each kind of record has one filter set here. The CSV files (``files.py``) and
the API's lists (``api/views.py``) both apply it, so ``/data/events.csv?region=UA-59``
and ``/api/events/?region=UA-59`` give the same claims; the API's lists add
``q``, a search, which a file leaves out because a search is capped at its
best few hundred matches and a file must never be silently cut short.

Every filter is validated, and nothing is ever quietly ignored: a value that
is not one of the choices, a date that does not parse, an unknown slug, a
range that ends before it starts (or where it starts, which would match
nothing), an empty value or a parameter the address does not know all
answer 400, naming the parameter and what is wrong with it, instead of an
unfiltered or empty answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from tracker import public, regions, search
from tracker.models import (
    Agreement,
    Category,
    Commitment,
    ComplianceEvent,
    EventKind,
    Party,
    Reading,
    Source,
    Verification,
)
from tracker.status import Shape, Status

# The API's own parameters beside the filters: pages, DRF's choice of format, and the past day
# (``tracker.opendata.past``, which answers ``known`` too).
API_PARAMETERS = frozenset({"page", "page_size", "format", "as_of", "known"})
TRUE_OR_FALSE = [("true", "true"), ("false", "false")]


def region_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in regions.regions()]


class RangeForm(forms.Form):
    """Refuses a range whose ``…_after`` bound is not earlier than its ``…_before`` bound.

    ``…_after`` includes its bound and ``…_before`` excludes it, so a range
    whose bounds are equal matches nothing: that is a mistake to point out,
    not an empty list to hand back.
    """

    def clean(self):
        data = super().clean()
        for name in list(self.fields):
            if not name.endswith("_after"):
                continue
            stem = name.removesuffix("_after")
            start, end = data.get(name), data.get(f"{stem}_before")
            if start is not None and end is not None and start >= end:
                message = _("%(start)s must be earlier than %(end)s.")
                self.add_error(name, message % {"start": name, "end": f"{stem}_before"})
        return data


def refusals(params: Mapping, known: Iterable[str]) -> dict[str, list[str]]:
    """What is wrong with the parameters' names and emptiness, by parameter.

    A misspelt filter (``?stauts=expired``) would otherwise be ignored and the
    reader would get every row while believing they got a filtered list; an
    empty one (``?shape=``), which a form sends for a field left alone, would
    filter nothing while looking like a filter.
    """
    known = frozenset(known)
    listing = ", ".join(sorted(known))
    problems: dict[str, list[str]] = {}
    for name in sorted(set(params)):
        if name not in known:
            problems[name] = [
                str(_("Unknown parameter. This address takes: %(known)s.") % {"known": listing})
            ]
        elif any(value.strip() == "" for value in params.getlist(name)):
            problems[name] = [str(_("Give a value, or leave the parameter out."))]
    return problems


class StrictFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, refusing unknown and empty parameters (``refusals``)."""

    def get_filterset_class(self, view, queryset=None):
        # A past day's rows (``tracker.opendata.past``) are history rows of the filter set's
        # model, whose filters read the same fields.
        if queryset is not None and hasattr(queryset.model, "instance_type"):
            return getattr(view, "filterset_class", None)
        return super().get_filterset_class(view, queryset)

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = API_PARAMETERS | set(filterset_class.base_filters if filterset_class else ())
        if problems := refusals(request.query_params, known):
            raise ValidationError(problems)
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


def public_agreement(field_name: str) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=public.agreements(),
        to_field_name="slug",
        help_text=_("Slug of a published agreement."),
    )


class CoveredRegionFilter(filters.ChoiceFilter):
    """Commitments whose list of regions holds the region chosen."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        # The list is stored as JSON text on SQLite and as jsonb on PostgreSQL; the
        # quoted code matches one whole element of it in both, and codes are validated.
        return queryset.filter(regions__icontains=f'"{value}"')


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class TrueOrFalseFilter(filters.ChoiceFilter):
    """``true`` or ``false``, the words the files and the API write, and nothing else."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(**{self.field_name: value == "true"})


# The filter sets the files and the API share -----------------------------------------


class CommitmentFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        choices=Status.choices, help_text=_("Lifecycle status; repeat to allow several.")
    )
    category = filters.MultipleChoiceFilter(
        choices=Category.choices, help_text=_("Category; repeat to allow several.")
    )
    shape = filters.ChoiceFilter(choices=Shape.choices, help_text=_("Shape of the commitment."))
    agreement = public_agreement("agreement")
    party = public_party(_("Slug of a party with any role in the commitment."), method="by_party")
    region = CoveredRegionFilter(
        choices=region_choices(),
        help_text=_("A region it covers, as an ISO 3166-2 code such as UA-59."),
    )
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
            "region",
            "ends_after",
            "ends_before",
        ]
        form = RangeForm

    @extend_schema_field(OpenApiTypes.STR)
    def by_party(self, queryset, name, party):
        # By ``id``, which a commitment's history rows share with it (their pk is the version's).
        return queryset.filter(id__in=public.roles().filter(party=party).values("commitment"))


class ReadingFilter(filters.FilterSet):
    commitment = public_commitment()
    agreement = public_agreement("commitment__agreement")
    party = public_party(_("Slug of the party that reads the terms."), field_name="read_by")
    working = TrueOrFalseFilter(
        field_name="is_working",
        choices=TRUE_OR_FALSE,
        help_text=_("true for working readings only, false for the others."),
    )

    class Meta:
        model = Reading
        fields = ["commitment", "agreement", "party", "working"]
        form = RangeForm


class EventFilter(filters.FilterSet):
    commitment = public_commitment()
    agreement = public_agreement("commitment__agreement")
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
    region = filters.ChoiceFilter(
        choices=region_choices(),
        help_text=_("The region it happened in, as an ISO 3166-2 code such as UA-59."),
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
            "agreement",
            "kind",
            "verification",
            "claimant",
            "accused",
            "party",
            "region",
            "occurred_after",
            "occurred_before",
        ]
        form = RangeForm

    @extend_schema_field(OpenApiTypes.STR)
    def by_party(self, queryset, name, party):
        return queryset.filter(Q(claimant=party) | Q(accused=party))


class AgreementFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Agreement.Kind.choices, help_text=_("Kind of agreement."))
    party = public_party(_("Slug of a party to the agreement."), method="by_party")
    held_after = filters.DateFilter(
        field_name="held_on", lookup_expr="gte", help_text=_("Held on or after this date.")
    )
    held_before = filters.DateFilter(
        field_name="held_on", lookup_expr="lt", help_text=_("Held before this date.")
    )

    class Meta:
        model = Agreement
        fields = ["kind", "party", "held_after", "held_before"]
        form = RangeForm

    @extend_schema_field(OpenApiTypes.STR)
    def by_party(self, queryset, name, party):
        return queryset.filter(
            id__in=Agreement.parties.through.objects.filter(party=party).values("agreement")
        )


class PartyFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Party.Kind.choices, help_text=_("Kind of party."))

    class Meta:
        model = Party
        fields = ["kind"]


LINK_STATUSES = [
    ("live", _("live: the address still serves the copy kept")),
    ("changed", _("changed: the address serves other bytes than the first copy")),
    ("gone", _("gone: the address answers 404, 410 or 451")),
    ("unchecked", _("unchecked: no copy kept yet, or not checked since")),
]


class SourceFilter(filters.FilterSet):
    link_status = filters.ChoiceFilter(
        choices=LINK_STATUSES,
        method="by_link_status",
        help_text=_("What became of the cited address."),
    )

    class Meta:
        model = Source
        fields = ["link_status"]

    def by_link_status(self, queryset, name, status):
        # As ``public.source_evidence`` says it: a source with no kept copy is unchecked.
        from tracker.evidence.models import Capture

        kept = Q(pk__in=Capture.objects.kept().values("source"))
        if status == "unchecked":
            return queryset.filter(~kept | Q(link__isnull=True) | Q(link__status="unchecked"))
        return queryset.filter(kept, link__status=status)


# Search, for the API's lists only ------------------------------------------------------

SEARCH_HELP = format_lazy(
    _(
        "Words to find in the texts, in English, Ukrainian or Russian: the records holding "
        "every word, where the beginning of a word is enough (energ finds energy), best match "
        "first. At most {limit}; when more match, the newest of them."
    ),
    limit=search.CANDIDATES,
)


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


def searchable(filterset: type[filters.FilterSet], kind: str) -> type[filters.FilterSet]:
    """``filterset`` with ``q``, which searches the records its other filters have kept.

    ``q`` is declared after the shared filters, so django-filter applies it last.
    """

    def search_within(self, queryset, name, value: str):
        return searched(queryset, kind, value)

    return type(
        f"Searchable{filterset.__name__}",
        (filterset,),
        {
            "q": filters.CharFilter(method="search_within", help_text=SEARCH_HELP),
            "search_within": search_within,
            "Meta": type("Meta", (filterset.Meta,), {"fields": [*filterset.Meta.fields, "q"]}),
        },
    )


CommitmentSearch = searchable(CommitmentFilter, "commitment")
ReadingSearch = searchable(ReadingFilter, "reading")
EventSearch = searchable(EventFilter, "event")
AgreementSearch = searchable(AgreementFilter, "agreement")
PartySearch = searchable(PartyFilter, "party")
