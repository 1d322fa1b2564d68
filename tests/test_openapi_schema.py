"""The OpenAPI 3 schema the site serves: valid, complete, read-only, and free of staff fields."""

import json

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


def test_every_endpoint_is_described_and_only_reads(schema):
    documented = {endpoint.path.replace("<slug>", "{slug}") for endpoint in ENDPOINTS}

    assert set(schema["paths"]) == documented
    for operations in schema["paths"].values():
        assert set(operations) - {"parameters"} == {"get"}


def test_filters_are_documented_with_their_allowed_values(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/commitments/"]["get"]["parameters"]}

    assert {"status", "category", "party", "ends_after", "ends_before", "page", "page_size"} <= set(
        parameters
    )
    assert "in_force" in parameters["status"]["schema"]["items"]["enum"]
    events = {p["name"]: p for p in schema["paths"]["/api/events/"]["get"]["parameters"]}
    assert "verified" in events["verification"]["schema"]["items"]["enum"]
    assert {"occurred_after", "occurred_before", "claimant", "accused"} <= set(events)


def test_no_staff_only_field_is_described(schema):
    text = json.dumps(schema["components"])

    for field in ("internal_note", "recorded_by", "verified_by", "is_published", "username"):
        assert field not in text
