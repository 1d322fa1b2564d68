"""The API's endpoints: lists and one detail view, all read-only.

Each view starts from a queryset in ``tracker.opendata.records``, which starts from
``tracker.public``. Nothing here writes: the views only answer GET, HEAD
and OPTIONS, and they ignore who is logged in, so staff see what everyone sees.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import InvalidPage
from django.db.models import Prefetch
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import generics, pagination
from rest_framework.exceptions import ValidationError

from tracker import public
from tracker.opendata import filters, records
from tracker.opendata.api import serializers
from tracker.opendata.api.schema import PublicSchema

MAX_PAGE_SIZE = 200


class Pagination(pagination.PageNumberPagination):
    """Numbered pages; a bad page number or size is a 400 that says what is wrong.

    Page sizes above ``MAX_PAGE_SIZE`` are capped, so nobody can ask for the
    whole table in one response.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            message = _("page_size must be a whole number, at least 1.")
            raise ValidationError({"page_size": [message]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        """``page`` and ``page_size`` with the limits this server keeps."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Number of results to return per page, at least 1; "
                    f"a larger number than {self.max_page_size} gives {self.max_page_size}."
                )
            else:
                parameter["description"] = (
                    "A page number, from 1 to the last page; a page past the last is a 400."
                )
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise ValidationError({"page": [f"{exc}."]}) from exc
        return list(self.page)


class PublicReadOnly:
    """What every endpoint shares: no authentication, no writes, validated filters."""

    authentication_classes: list = []
    http_method_names = ["get", "head", "options"]
    filter_backends = [filters.StrictFilterBackend]
    pagination_class = Pagination
    schema = PublicSchema()


class CommitmentList(PublicReadOnly, generics.ListAPIView):
    """Published commitments, with their working window and compliance counts."""

    serializer_class = serializers.CommitmentSerializer
    filterset_class = filters.CommitmentSearch

    def get_queryset(self):
        return records.public_commitments()


class CommitmentDetail(PublicReadOnly, generics.RetrieveAPIView):
    """One published commitment, with every published reading and its status history."""

    serializer_class = serializers.CommitmentDetailSerializer
    lookup_field = "slug"
    filter_backends: list = []

    def get_queryset(self):
        return records.public_commitments().prefetch_related(
            Prefetch(
                "readings",
                queryset=public.readings()
                .select_related("read_by")
                .prefetch_related(public.cited_sources()),
                to_attr="public_readings",
            ),
            Prefetch(
                "status_changes",
                queryset=public.status_changes().order_by("effective_at", "pk"),
            ),
        )


class ReadingList(PublicReadOnly, generics.ListAPIView):
    """Published readings of commitments' terms; parties often read the same terms differently."""

    serializer_class = serializers.ReadingSerializer
    filterset_class = filters.ReadingSearch

    def get_queryset(self):
        return records.public_readings()


class EventList(PublicReadOnly, generics.ListAPIView):
    """Published compliance events, newest first, with their sources and quantities."""

    serializer_class = serializers.EventSerializer
    filterset_class = filters.EventSearch

    def get_queryset(self):
        return records.public_events()


class AgreementList(PublicReadOnly, generics.ListAPIView):
    """Published agreements: the occasions where commitments were made."""

    serializer_class = serializers.AgreementSerializer
    filterset_class = filters.AgreementSearch

    def get_queryset(self):
        return records.public_agreements()


class PartyList(PublicReadOnly, generics.ListAPIView):
    """The states and organisations that make, broker or benefit from commitments."""

    serializer_class = serializers.PartySerializer
    filterset_class = filters.PartySearch

    def get_queryset(self):
        return public.parties().order_by("name_en", "pk")


def not_found(request):
    """An address under /api/ that names no endpoint or record: a 404 in the API's own words."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


@dataclass(frozen=True)
class Endpoint:
    """An endpoint as the documentation page lists it."""

    url_name: str
    view: type
    description: str
    takes_slug: bool = False

    @property
    def path(self) -> str:
        if self.takes_slug:
            return reverse(self.url_name, kwargs={"slug": "SLUG"}).replace("SLUG", "<slug>")
        return reverse(self.url_name)


ENDPOINTS = [
    Endpoint("api_commitments", CommitmentList, gettext_lazy("Published commitments.")),
    Endpoint(
        "api_commitment",
        CommitmentDetail,
        gettext_lazy("One commitment, with every published reading and its status history."),
        takes_slug=True,
    ),
    Endpoint("api_readings", ReadingList, gettext_lazy("Published readings of the terms.")),
    Endpoint("api_events", EventList, gettext_lazy("Published compliance events, newest first.")),
    Endpoint("api_agreements", AgreementList, gettext_lazy("Published agreements.")),
    Endpoint("api_parties", PartyList, gettext_lazy("Parties.")),
]
