"""The public API's OpenAPI schema, saying everything the server does.

drf-spectacular documents each list's filters and pages, and each answer's
fields, from the views themselves. What it cannot see is added here: the 400
every list answers to a bad parameter, with its body (each parameter named,
with what is wrong with it), the 404 a detail answers for a record that is not
public, and the limits the server keeps on the page parameters. Schemathesis
checks the server against this schema in the test suite
(``tests/test_api_contract.py``).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from tracker.search.words import MAX_LENGTH

# Django's <slug:…> converter: what a slug in an address may hold.
SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"

REFUSAL = OpenApiResponse(
    description=(
        "A parameter was refused: one the address does not take, an empty value, a value "
        "that is not one of the choices, a slug nothing is published under, a date that does "
        "not parse, a range that ends where or before it starts, a page past the last, or a "
        "day as_of cannot give. "
        "Each refused parameter is named, with what is wrong with it."
    ),
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "minProperties": 1,
        "example": {"region": ["Select a valid choice. UA-99 is not one of the choices."]},
    },
)
NOT_FOUND = OpenApiResponse(
    description="No published record has this slug.",
    response=inline_serializer("NotFound", fields={"detail": serializers.CharField()}),
)


class StrictParameters(AutoSchema):
    """States the filters' limits: a slug's characters, no empty value, a search's length."""

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter.get("in") == "path" and parameter["name"] == "slug":
                parameter["schema"]["pattern"] = SLUG_PATTERN
            if parameter.get("in") != "query":
                continue
            schema = parameter["schema"]
            values = schema.get("items", schema)
            # An empty value is refused (a form's field left alone filters nothing).
            if values.get("type") == "string" and "enum" not in values:
                values["minLength"] = 1
            if parameter["name"] == "q":
                schema["maxLength"] = MAX_LENGTH
        return parameters


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    OpenApiParameter.QUERY,
    description=(
        "The record as it was published at the end of this day (midnight UTC), written "
        "YYYY-MM-DD: each record as its version then, if that version was published and the "
        "record is still public today; a record withdrawn since is left out, and one "
        "corrected since is given as it read then. Records keep their ids and today's slugs. "
        "Any day from the first publication to yesterday; another day, a malformed one or "
        "the parameter given twice is a 400 naming the days there are. Filters apply to the "
        "values records had then; q does not combine with it."
    ),
)


class PublicSchema(StrictParameters):
    """Adds the answers every public endpoint may give besides its 200, and the filters' limits.

    An endpoint that takes ``as_of`` (``tracker.opendata.past``) documents it,
    and the 400 it answers to a day it refuses.
    """

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._takes_a_day():
            parameters = [*parameters, AS_OF]
        return parameters

    def _takes_a_day(self) -> bool:
        return self.method == "GET" and hasattr(self.view, "asked")

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response" or self.method != "GET":
            return responses
        if self._is_list_view():
            responses["400"] = self._get_response_for_code(REFUSAL, "400", direction=direction)
        else:
            responses["404"] = self._get_response_for_code(NOT_FOUND, "404", direction=direction)
            if self._takes_a_day():
                responses["400"] = self._get_response_for_code(REFUSAL, "400", direction=direction)
        return responses
