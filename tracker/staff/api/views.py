"""The staff write endpoints: each request is one call of one service, with the token's user.

Nothing here writes: the views check who asks (``access``), read what was
sent (``serializers``), call ``tracker.services`` with the user and the
reason, and answer with the record as it was stored. A service's refusal is
answered as the admin shows it: 403 for a missing permission, 400 with the
fields at fault for anything else. No answer may be kept by any cache.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from tracker import services
from tracker.models import ComplianceEvent, Source
from tracker.staff import precision
from tracker.staff.api import serializers
from tracker.staff.api.access import StaffAccess
from tracker.staff.api.parsers import BoundedJSONParser


def refused(refusal: services.TrackerError) -> exceptions.APIException:
    """The answer to a service's refusal: what the admin would show, as JSON."""
    if isinstance(refusal, services.NotPermitted):
        return exceptions.PermissionDenied(" ".join(refusal.messages), code="not_permitted")
    return exceptions.ValidationError(as_serializer_error(refusal))


def call(service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except services.TrackerError as refusal:
        raise refused(refusal) from refusal
    except DjangoValidationError as invalid:  # a model's own validation, outside the services
        raise exceptions.ValidationError(as_serializer_error(invalid)) from invalid


REFUSALS = {
    400: OpenApiResponse(description="Invalid input; the body names each field at fault."),
    401: OpenApiResponse(description="No token, or a revoked or unknown one; the body says which."),
    403: OpenApiResponse(
        description="The token's user may not make this change; the body says why."
    ),
    429: OpenApiResponse(description="Too many requests from this user; retry after the delay."),
}


class StaffEndpoint(StaffAccess, generics.GenericAPIView):
    """A JSON endpoint for staff tools, never cached, neither by browsers nor by shared caches."""

    parser_classes = [BoundedJSONParser]
    http_method_names = ["post", "options"]

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
        """The record as stored, read again so the answer shows what the database holds."""
        stored = type(record).objects.get(pk=record.pk)
        serializer = serializer_class(stored, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)


def given_instants(data: dict) -> list:
    return [data[name] for name in ("occurred_at", "occurred_until") if data.get(name)]


class EventRecord(StaffEndpoint):
    """Record a claim. Editors and reviewers; it starts unverified and unpublished."""

    serializer_class = serializers.StaffEventSerializer
    required = {"POST": ("tracker.add_complianceevent", "record events")}

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
    """Edit a recorded claim's ordinary fields, or replace its sources. Editors and reviewers."""

    serializer_class = serializers.StaffEventEditSerializer
    required = {"PATCH": ("tracker.change_complianceevent", "change compliance events")}
    http_method_names = ["patch", "options"]

    @extend_schema(responses={200: serializers.StaffEventEditSerializer, 404: None, **REFUSALS})
    def patch(self, request, pk: int):
        event = get_object_or_404(ComplianceEvent, pk=pk)
        data = self.read(serializers.StaffEventEditSerializer, event, partial=True)
        reason = data.pop("reason")
        sources = data.pop("sources", None)
        chosen_now = "precision" in data
        data["precision"] = precision.settle(
            data.get("precision", event.precision),
            chosen_now=chosen_now,
            typed=given_instants(data),
            retyped=given_instants(data),
        )
        for name, value in data.items():
            setattr(event, name, value)
        call(services.edit_event, event, actor=request.user, reason=reason, sources=sources)
        return self.answer(event, serializers.StaffEventEditSerializer)


class EventVerify(StaffEndpoint):
    """Set how far a claim has been checked. Reviewers only."""

    serializer_class = serializers.StaffVerificationSerializer
    required = {"POST": ("tracker.verify_complianceevent", "verify events")}

    @extend_schema(responses={200: serializers.StaffEventSerializer, 404: None, **REFUSALS})
    def post(self, request, pk: int):
        event = get_object_or_404(ComplianceEvent, pk=pk)
        data = self.read(serializers.StaffVerificationSerializer)
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

    @extend_schema(responses={200: serializers.StaffEventSerializer, 404: None, **REFUSALS})
    def post(self, request, pk: int):
        event = get_object_or_404(ComplianceEvent, pk=pk)
        data = self.read(serializers.StaffPublicationSerializer)
        call(
            services.set_published,
            event,
            data["published"],
            actor=request.user,
            reason=data["reason"],
        )
        return self.answer(event, serializers.StaffEventSerializer)


class SourceRecord(StaffEndpoint):
    """Save a source that claims can cite. Editors and reviewers."""

    serializer_class = serializers.StaffSourceSerializer
    required = {"POST": ("tracker.add_source", "add sources")}

    @extend_schema(responses={201: serializers.StaffSourceSerializer, **REFUSALS})
    def post(self, request):
        data = self.read(serializers.StaffSourceSerializer)
        reason = data.pop("reason")
        source = Source(**data)
        call(services.save_record, source, actor=request.user, reason=reason)
        return self.answer(source, serializers.StaffSourceSerializer, status.HTTP_201_CREATED)


class SourceEdit(StaffEndpoint):
    """Correct a saved source. Editors and reviewers."""

    serializer_class = serializers.StaffSourceSerializer
    required = {"PATCH": ("tracker.change_source", "change sources")}
    http_method_names = ["patch", "options"]

    @extend_schema(responses={200: serializers.StaffSourceSerializer, 404: None, **REFUSALS})
    def patch(self, request, pk: int):
        source = get_object_or_404(Source, pk=pk)
        data = self.read(serializers.StaffSourceSerializer, source, partial=True)
        reason = data.pop("reason")
        for name, value in data.items():
            setattr(source, name, value)
        call(services.save_record, source, actor=request.user, reason=reason)
        return self.answer(source, serializers.StaffSourceSerializer)
