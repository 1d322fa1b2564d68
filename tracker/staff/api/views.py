"""The staff write endpoints: each request is one call of one service, with the token's user.

Nothing here writes: the views check who asks (``access``), read what was
sent (``serializers``), call ``tracker.services`` with the user and the
reason, and answer with the record as it was stored. A service's refusal is
answered as the admin shows it: 403 for a missing permission, 400 with the
fields at fault for anything else. No answer may be kept by any cache.

Staff read what they may see, unpublished records included: the claims
(a list filtered by commitment and state, and each claim) and the sources.
The API speaks English, whatever language the client's headers ask for: its
words are the admin's, and a text's plain name is its English text.

Every answer about a record carries its version as an ``ETag``; a write
sent with ``If-Match`` is refused with 412 when the record changed since
that version, naming what changed, never applied over it. An edit of a
public record waits for a reviewer: 202, with the changes waiting. A
reviewer's edit while someone else's changes wait is refused with 409: it
would publish them unseen.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, mixins, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from tracker import services
from tracker.models import ComplianceEvent, Source
from tracker.opendata.api.schema import StrictParameters
from tracker.opendata.api.views import Pagination
from tracker.opendata.filters import StrictFilterBackend
from tracker.staff import precision
from tracker.staff.api import filters, serializers
from tracker.staff.api.access import StaffAccess
from tracker.staff.api.parsers import BoundedJSONParser


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since the version you sent in If-Match."
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def refused(refusal: services.TrackerError) -> exceptions.APIException:
    """The answer to a service's refusal: what the admin would show, as JSON."""
    if isinstance(refusal, services.NotPermitted):
        return exceptions.PermissionDenied(" ".join(refusal.messages), code="not_permitted")
    if isinstance(refusal, services.EditConflict):
        return PreconditionFailed(
            {
                "detail": " ".join(refusal.messages),
                "changed_by": refusal.by,
                "changed": [
                    {"field": field, "before": before, "after": after}
                    for field, before, after in refusal.changed
                ],
                "etag": etag(refusal.token),
            }
        )
    if isinstance(refusal, services.PendingRevisionConflict):
        return Conflict({"detail": " ".join(refusal.messages)})
    return exceptions.ValidationError(as_serializer_error(refusal))


def call(service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except services.TrackerError as refusal:
        raise refused(refusal) from refusal
    except DjangoValidationError as invalid:  # a model's own validation, outside the services
        raise exceptions.ValidationError(as_serializer_error(invalid)) from invalid


def etag(token: str) -> str:
    return f'"{token}"'


def if_match(request) -> str | None:
    """The version a write is based on, from ``If-Match``; None when any version will do.

    Only a strong tag can match (RFC 9110): a weak one, or a list naming none
    that could be this record's, matches nothing and the write is refused.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    strong = [tag[1:-1] for tag in tags if len(tag) >= 2 and tag[0] == tag[-1] == '"']
    return strong[0] if len(strong) == 1 and len(tags) == 1 else "none"


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the version your change is based on: if the record changed "
    "since, nothing is written and the answer is 412 with what changed.",
)

REFUSAL_BODY = {
    "type": "object",
    "description": "Each field at fault with what is wrong with it, or a detail for the whole.",
}
REFUSALS = {
    400: OpenApiResponse(
        REFUSAL_BODY, description="Invalid input; the body names each field at fault."
    ),
    401: OpenApiResponse(description="No token, or a revoked or unknown one; the body says which."),
    403: OpenApiResponse(
        description="The token's user may not make this change; the body says why."
    ),
    429: OpenApiResponse(description="Too many requests from this user; retry after the delay."),
}
EDIT_REFUSALS = {
    **REFUSALS,
    409: OpenApiResponse(
        description="Someone else's changes to this record wait for review; a reviewer "
        "publishes or sends them back before editing it here."
    ),
    412: OpenApiResponse(
        description="The record changed since the version in If-Match; the body names what "
        "changed, who changed it and the ETag now."
    ),
}


class StaffEndpoint(StaffAccess, generics.GenericAPIView):
    """A JSON endpoint for staff tools, never cached, neither by browsers nor by shared caches."""

    parser_classes = [BoundedJSONParser]
    http_method_names = ["post", "options"]
    schema = StrictParameters()

    def dispatch(self, request, *args, **kwargs):
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        patch_vary_headers(response, ["Authorization"])
        return response

    def read(self, serializer_class, instance=None, *, partial=False) -> dict:
        serializer = serializer_class(
            instance, data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def answer(self, record, serializer_class, status_code=status.HTTP_200_OK) -> Response:
        """The record as stored, read again so the answer shows what the database holds.

        Its version is the answer's ``ETag``, for the next write's ``If-Match``.
        """
        stored = type(record).objects.get(pk=record.pk)
        serializer = serializer_class(stored, context=self.get_serializer_context())
        response = Response(serializer.data, status=status_code)
        response["ETag"] = etag(services.edit_token(stored))
        return response

    def based_on(self, record) -> None:
        """Refuse the request if ``If-Match`` names another version than the record's."""
        call(services.refuse_if_changed, record, if_match(self.request))


def given_instants(data: dict) -> list:
    return [data[name] for name in ("occurred_at", "occurred_until") if data.get(name)]


class EventRecord(mixins.ListModelMixin, StaffEndpoint):
    """List the claims staff may see, drafts included, newest recorded first; or record one.

    A new claim starts unverified and unpublished. Editors and reviewers.
    """

    serializer_class = serializers.StaffEventSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = filters.StaffEventFilter
    pagination_class = Pagination
    required = {
        "GET": ("tracker.view_complianceevent", "read compliance events"),
        "POST": ("tracker.add_complianceevent", "record events"),
    }
    http_method_names = ["get", "post", "options"]

    def get_queryset(self):
        return (
            ComplianceEvent.objects.select_related("commitment", "claimant", "accused")
            .prefetch_related("sources", "quantities__received_by")
            .order_by("-recorded_at", "-pk")
        )

    @extend_schema(responses={200: serializers.StaffEventSerializer(many=True), **REFUSALS})
    def get(self, request):
        return self.list(request)

    @extend_schema(responses={201: serializers.StaffEventSerializer, **REFUSALS})
    def post(self, request):
        data = self.read(serializers.StaffEventSerializer)
        reason = data.pop("reason")
        sources = data.pop("sources", None)
        quantities = [
            (row["received_by"], row["quantity"], row.get("unit") or "people")
            for row in data.pop("quantities", [])
        ]
        data["precision"] = precision.settle(
            data.get("precision", precision.FOLLOW_TIMES),
            chosen_now="precision" in data,
            typed=given_instants(data),
            retyped=given_instants(data),
        )
        event = ComplianceEvent(**data)
        call(
            services.record_event,
            event,
            actor=request.user,
            reason=reason,
            sources=sources,
            quantities=quantities,
        )
        return self.answer(event, serializers.StaffEventSerializer, status.HTTP_201_CREATED)


class EventEdit(StaffEndpoint):
    """Read a claim as staff see it, or edit its ordinary fields or replace its sources.

    An edit of a published claim waits for a reviewer (202, with the changes
    waiting); a reviewer's edit is published at once. Editors and reviewers.
    """

    serializer_class = serializers.StaffEventEditSerializer
    required = {
        "GET": ("tracker.view_complianceevent", "read compliance events"),
        "PATCH": ("tracker.change_complianceevent", "change compliance events"),
    }
    http_method_names = ["get", "patch", "options"]

    @extend_schema(responses={200: serializers.StaffEventEditSerializer, 404: None, **REFUSALS})
    def get(self, request, pk: int):
        event = get_object_or_404(ComplianceEvent, pk=pk)
        return self.answer(event, serializers.StaffEventEditSerializer)

    @extend_schema(
        parameters=[IF_MATCH],
        responses={
            200: serializers.StaffEventEditSerializer,
            202: OpenApiResponse(
                serializers.StaffEventEditSerializer,
                description="The claim is public: the changes wait for a reviewer "
                "(pending_revision); the claim is shown as the public sees it.",
            ),
            404: None,
            **EDIT_REFUSALS,
        },
    )
    def patch(self, request, pk: int):
        event = get_object_or_404(ComplianceEvent, pk=pk)
        data = self.read(serializers.StaffEventEditSerializer, event, partial=True)
        reason = data.pop("reason")
        chosen_now = "precision" in data
        settled = precision.settle(
            data.get("precision", event.precision),
            chosen_now=chosen_now,
            typed=given_instants(data),
            retyped=given_instants(data),
        )
        if chosen_now or settled != event.precision:
            data["precision"] = settled
        edit = call(
            services.edit_record,
            event,
            data,
            actor=request.user,
            reason=reason,
            based_on=if_match(request),
            over_pending=False,
        )
        waits = status.HTTP_202_ACCEPTED if edit.waits_for_review else status.HTTP_200_OK
        return self.answer(event, serializers.StaffEventEditSerializer, waits)


class EventVerify(StaffEndpoint):
    """Set how far a claim has been checked. Reviewers only."""

    serializer_class = serializers.StaffVerificationSerializer
    required = {"POST": ("tracker.verify_complianceevent", "verify events")}

    @extend_schema(
        parameters=[IF_MATCH],
        responses={200: serializers.StaffEventSerializer, 404: None, **EDIT_REFUSALS},
    )
    @transaction.atomic
    def post(self, request, pk: int):
        event = get_object_or_404(ComplianceEvent.objects.select_for_update(), pk=pk)
        data = self.read(serializers.StaffVerificationSerializer)
        self.based_on(event)
        call(
            services.verify_event,
            event,
            data["verification"],
            actor=request.user,
            reason=data["reason"],
        )
        return self.answer(event, serializers.StaffEventSerializer)


class EventPublish(StaffEndpoint):
    """Publish a claim, or withdraw it from the public record. Reviewers only."""

    serializer_class = serializers.StaffPublicationSerializer
    required = {"POST": ("tracker.publish_records", "publish or unpublish records")}

    @extend_schema(
        parameters=[IF_MATCH],
        responses={200: serializers.StaffEventSerializer, 404: None, **EDIT_REFUSALS},
    )
    @transaction.atomic
    def post(self, request, pk: int):
        event = get_object_or_404(ComplianceEvent.objects.select_for_update(), pk=pk)
        data = self.read(serializers.StaffPublicationSerializer)
        self.based_on(event)
        call(
            services.set_published,
            event,
            data["published"],
            actor=request.user,
            reason=data["reason"],
        )
        return self.answer(event, serializers.StaffEventSerializer)


class SourceRecord(mixins.ListModelMixin, StaffEndpoint):
    """List the saved sources, newest first (``url`` finds one), or save one.

    Editors and reviewers.
    """

    serializer_class = serializers.StaffSourceSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = filters.StaffSourceFilter
    pagination_class = Pagination
    required = {
        "GET": ("tracker.view_source", "read sources"),
        "POST": ("tracker.add_source", "add sources"),
    }
    http_method_names = ["get", "post", "options"]

    def get_queryset(self):
        return Source.objects.order_by("-pk")

    @extend_schema(responses={200: serializers.StaffSourceSerializer(many=True), **REFUSALS})
    def get(self, request):
        return self.list(request)

    @extend_schema(responses={201: serializers.StaffSourceSerializer, **REFUSALS})
    def post(self, request):
        data = self.read(serializers.StaffSourceSerializer)
        reason = data.pop("reason")
        source = Source(**data)
        call(services.save_record, source, actor=request.user, reason=reason)
        return self.answer(source, serializers.StaffSourceSerializer, status.HTTP_201_CREATED)


class SourceEdit(StaffEndpoint):
    """Read or correct a saved source. Editors and reviewers; a cited public source's waits."""

    serializer_class = serializers.StaffSourceSerializer
    required = {
        "GET": ("tracker.view_source", "read sources"),
        "PATCH": ("tracker.change_source", "change sources"),
    }
    http_method_names = ["get", "patch", "options"]

    @extend_schema(responses={200: serializers.StaffSourceSerializer, 404: None, **REFUSALS})
    def get(self, request, pk: int):
        return self.answer(get_object_or_404(Source, pk=pk), serializers.StaffSourceSerializer)

    @extend_schema(
        parameters=[IF_MATCH],
        responses={
            200: serializers.StaffSourceSerializer,
            202: OpenApiResponse(
                serializers.StaffSourceSerializer,
                description="A public record cites the source: the correction waits for a "
                "reviewer; the source is shown as the public sees it.",
            ),
            404: None,
            **EDIT_REFUSALS,
        },
    )
    def patch(self, request, pk: int):
        source = get_object_or_404(Source, pk=pk)
        data = self.read(serializers.StaffSourceSerializer, source, partial=True)
        reason = data.pop("reason")
        edit = call(
            services.edit_record,
            source,
            data,
            actor=request.user,
            reason=reason,
            based_on=if_match(request),
            over_pending=False,
        )
        waits = status.HTTP_202_ACCEPTED if edit.waits_for_review else status.HTTP_200_OK
        return self.answer(source, serializers.StaffSourceSerializer, waits)
