"""The OpenAPI 3 schema the site serves: valid and complete.

The public endpoints only read, with no staff field; the staff endpoints
under /api/staff/ write, with a token.
"""

import json
import re

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from tracker.opendata.api.views import ENDPOINTS


@pytest.fixture
def schema(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_is_also_served_as_yaml(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["title"] == "Ceasefire Commitment Tracker API"


def test_schema_generation_gives_no_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


STAFF_WRITES = {
    "/api/staff/events/": {"get", "post"},
    "/api/staff/events/{id}/": {"get", "patch"},
    "/api/staff/events/{id}/verify/": {"post"},
    "/api/staff/events/{id}/publish/": {"post"},
    "/api/staff/sources/": {"get", "post"},
    "/api/staff/sources/{id}/": {"get", "patch"},
}


def public_paths(schema) -> dict:
    return {path: ops for path, ops in schema["paths"].items() if path not in STAFF_WRITES}


def test_every_public_endpoint_is_described_and_only_reads(schema):
    documented = {endpoint.path.replace("<slug>", "{slug}") for endpoint in ENDPOINTS}

    assert set(public_paths(schema)) == documented
    for operations in public_paths(schema).values():
        assert set(operations) - {"parameters"} == {"get"}
        assert operations["get"]["security"] == [{}]


def test_the_staff_write_endpoints_are_described_with_their_token_and_refusals(schema):
    for path, methods in STAFF_WRITES.items():
        assert set(schema["paths"][path]) - {"parameters"} == methods, path
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    for path, methods in STAFF_WRITES.items():
        for method in methods:
            operation = schema["paths"][path][method]
            assert operation["security"] == [{"tokenAuth": []}], path
            assert {"400", "401", "403", "429"} <= set(operation["responses"]), path
    recorded = schema["paths"]["/api/staff/events/"]["post"]
    assert "201" in recorded["responses"]
    assert "reason" in schema["components"]["schemas"]["StaffEventRequest"]["required"]


def request_bodies(schema) -> dict:
    """The schema of each staff operation's body, by path and method."""
    bodies = {}
    for path, methods in STAFF_WRITES.items():
        for method in methods - {"get"}:
            body = schema["paths"][path][method]["requestBody"]
            ref = body["content"]["application/json"]["schema"]["$ref"]
            bodies[f"{method.upper()} {path}"] = (body, schema["components"]["schemas"][ref[21:]])
    return bodies


def test_every_staff_body_needs_a_reason_and_takes_no_other_fields(schema):
    for operation, (body, fields) in request_bodies(schema).items():
        assert body["required"] is True, operation
        assert fields["additionalProperties"] is False, operation
        assert "reason" in fields["required"], operation
        reason = fields["properties"]["reason"]
        assert (reason["type"], reason["minLength"], reason["maxLength"]) == ("string", 1, 2000)


def test_the_schema_states_the_rules_of_texts_and_instants(schema):
    fields = schema["components"]["schemas"]["StaffEventRequest"]["properties"]
    summary = re.compile(fields["summary"]["pattern"])
    location = re.compile(fields["location"]["oneOf"][0]["pattern"])

    assert summary.search("Shelling\n\tagain") and not summary.search("   ")
    assert not summary.search("Shelling\x1b[0m") and not location.search("Kupi\x00ansk")
    assert not location.search("Kupiansk\nKharkiv")
    assert fields["location"]["oneOf"][0]["maxLength"] == 330
    assert "RU-KRS" in schema["components"]["schemas"]["RegionEnum"]["enum"]
    assert fields["occurred_at"]["pattern"] == "^(19|20)[0-9]{2}-"
    assert "Not before 1900" in fields["occurred_at"]["description"]
    assert {"summary_uk", "summary_ru", "location_uk", "location_ru"} <= set(fields)
    assert fields["claimant"]["nullable"] is True


def test_the_staff_lists_document_their_filters(schema):
    events = schema["paths"]["/api/staff/events/"]["get"]
    parameters = {p["name"]: p["schema"] for p in events["parameters"]}

    assert {"commitment", "verification", "published", "waiting", "kind"} <= set(parameters)
    assert parameters["commitment"]["minLength"] == 1
    assert parameters["published"]["enum"] == ["false", "true"]


def test_filters_are_documented_with_their_allowed_values(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/commitments/"]["get"]["parameters"]}

    assert {"status", "category", "party", "ends_after", "ends_before", "page", "page_size"} <= set(
        parameters
    )
    assert "in_force" in parameters["status"]["schema"]["items"]["enum"]
    events = {p["name"]: p for p in schema["paths"]["/api/events/"]["get"]["parameters"]}
    assert "verified" in events["verification"]["schema"]["items"]["enum"]
    assert {"occurred_after", "occurred_before", "claimant", "accused"} <= set(events)


def components_used(schema, node) -> set[str]:
    """The components ``node`` refers to, and those they refer to in turn."""
    found: set[str] = set()
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref", "")
            name = ref.rsplit("/", 1)[-1]
            if ref and name not in found:
                found.add(name)
                pending.append(schema["components"]["schemas"][name])
            pending.extend(value for key, value in item.items() if key != "$ref")
        elif isinstance(item, list):
            pending.extend(item)
    return found


def test_no_staff_only_field_is_described_for_the_public(schema):
    used = components_used(schema, public_paths(schema))
    text = json.dumps({name: schema["components"]["schemas"][name] for name in used})

    assert "Event" in used
    for field in ("internal_note", "recorded_by", "verified_by", "is_published", "username"):
        assert field not in text


def test_the_schema_says_which_fields_may_be_null(schema):
    fields = schema["components"]["schemas"]
    assert fields["Event"]["properties"]["claimant"]["nullable"] is True
    assert fields["Event"]["properties"]["accused"]["nullable"] is True
    assert fields["Reading"]["properties"]["read_by"]["nullable"] is True


def test_the_schema_gives_the_page_limits_the_server_keeps(schema):
    for path in ("/api/commitments/", "/api/events/"):
        parameters = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
        assert parameters["page"]["minimum"] == 1
        assert parameters["page_size"]["minimum"] == 1
        assert parameters["commitment" if path == "/api/events/" else "agreement"]["minLength"] == 1


def test_the_schema_documents_every_error_the_public_api_gives_with_its_body(schema):
    for path, operation in schema["paths"].items():
        if path.startswith("/api/staff/"):
            continue
        responses = operation["get"]["responses"]
        expected = "404" if "{slug}" in path else "400"
        assert expected in responses, path
        assert responses[expected]["content"]["application/json"]["schema"]


def test_an_address_under_the_api_that_names_nothing_is_a_json_404(client, db):
    for address in ("/api/nothing/", "/api/commitments/a%20b/", "/api/events/1/"):
        response = client.get(address)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
