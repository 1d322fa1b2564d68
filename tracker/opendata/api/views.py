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
from rest_framework.exceptions import NotFound, ValidationError

from tracker import public
from tracker.opendata import filters, past, records
from tracker.opendata.api import serializers
from tracker.opendata.api.schema import PublicSchema
from tracker.site.reader_zone import ReaderZone

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


def asked_day(view, request) -> past.Past | None:
    """The past day a request asks for (in UTC), or a 400; a method not allowed is left to 405."""
    if request.method.lower() not in view.http_method_names:
        return None
    try:
        return past.asked(request.query_params, ReaderZone())
    except past.Refused as refused:
        raise ValidationError(refused.problems) from None


class PastOrPresent:
    """A list of today's records, or with ``?as_of=`` of the records as published at a day's end.

    The filters narrow the past rows by their values then; a page of them is
    rebuilt as records (``tracker.opendata.past``). A search (``q``) is of
    today's texts, so it does not combine with ``as_of``.
    """

    kind = ""  # the list's name in ``past.SOURCES``
    asked: past.Past | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.asked = asked_day(self, request)
        if self.asked is not None and "q" in request.query_params:
            message = _("A search is of today's record; leave out q or as_of.")
            raise ValidationError({"q": [message]})

    def get_queryset(self):
        if self.asked is None:
            return self.present()
        return past.SOURCES[self.kind].rows(self.asked.moment)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.asked is None or page is None:
            return page
        return past.SOURCES[self.kind].records(page, self.asked.moment)


class CommitmentList(PastOrPresent, PublicReadOnly, generics.ListAPIView):
    """Published commitments, with their working window and compliance counts."""

    serializer_class = serializers.CommitmentSerializer
    filterset_class = filters.CommitmentSearch

    kind = "commitments"

    def present(self):
        return records.public_commitments()


class CommitmentDetail(PublicReadOnly, generics.RetrieveAPIView):
    """One published commitment, with every published reading and its status history.

    With ``?as_of=``, as published at the end of that day: its version then,
    the readings shown then as they stood, and the transitions recorded by then.
    """

    serializer_class = serializers.CommitmentDetailSerializer
    lookup_field = "slug"
    filter_backends: list = []
    asked: past.Past | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.asked = asked_day(self, request)

    def get_object(self):
        if self.asked is None:
            return super().get_object()
        moment = self.asked.moment
        current = public.commitments().filter(slug=self.kwargs["slug"]).first()
        shown = past.SOURCES["commitments"].rows(moment)
        row = shown.filter(id=current.pk).first() if current is not None else None
        if row is None:
            raise NotFound(
                _("No commitment with this slug was public at the end of %(day)s.")
                % {"day": self.asked.day.isoformat()}
            )
        [commitment] = past.SOURCES["commitments"].records([row], moment)
        readings = past.SOURCES["readings"].rows(moment).filter(commitment_id=current.pk)
        commitment.public_readings = past.SOURCES["readings"].records(readings, moment)
        commitment._prefetched_objects_cache["status_changes"] = (
            public.status_changes()
            .filter(commitment_id=current.pk, recorded_at__lt=moment)
            .order_by("effective_at", "pk")
        )
        return commitment

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


class ReadingList(PastOrPresent, PublicReadOnly, generics.ListAPIView):
    """Published readings of commitments' terms; parties often read the same terms differently."""

    serializer_class = serializers.ReadingSerializer
    filterset_class = filters.ReadingSearch

    kind = "readings"

    def present(self):
        return records.public_readings()


class EventList(PastOrPresent, PublicReadOnly, generics.ListAPIView):
    """Published compliance events, newest first, with their sources and quantities."""

    serializer_class = serializers.EventSerializer
    filterset_class = filters.EventSearch

    kind = "events"

    def present(self):
        return records.public_events()


class AgreementList(PastOrPresent, PublicReadOnly, generics.ListAPIView):
    """Published agreements: the occasions where commitments were made."""

    serializer_class = serializers.AgreementSerializer
    filterset_class = filters.AgreementSearch

    kind = "agreements"

    def present(self):
        return records.public_agreements()


class PartyList(PastOrPresent, PublicReadOnly, generics.ListAPIView):
    """The states and organisations that make, broker or benefit from commitments."""

    serializer_class = serializers.PartySerializer
    filterset_class = filters.PartySearch

    kind = "parties"

    def present(self):
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
