"""The staff API never silently reverts anyone: versions as ETags, writes conditional on If-Match.

And an edit of a public claim through the API waits for a reviewer, like one
made in the admin.
"""

import datetime as dt
import json

import pytest
import time_machine
from rest_framework.authtoken.models import Token

from tests.factories import ComplianceEventFactory, UserFactory
from tracker import public, services
from tracker.models import ComplianceEvent, Revision

NOW = dt.datetime(2025, 4, 20, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def easter_sunday():
    with time_machine.travel(NOW, tick=False):
        yield


def send(client, method, url, user, body=None, **headers):
    headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", **headers
    )


def url(event, action=""):
    return f"/api/staff/events/{event.pk}/{action}"


@pytest.fixture
def draft(db):
    return ComplianceEventFactory(is_published=False, summary="Shelling of Kherson.", count=None)


def test_a_claim_is_read_with_its_version_as_etag(client, editor, draft):
    response = send(client, "get", url(draft), editor)

    assert response.status_code == 200
    assert response.json()["summary"] == "Shelling of Kherson."
    assert response["ETag"] == f'"{services.edit_token(draft)}"'
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )


def test_an_edit_based_on_an_older_version_is_refused_with_412_and_what_changed(
    client, editor, draft
):
    other = UserFactory(username="taras", role="Editors")
    seen = send(client, "get", url(draft), editor)["ETag"]
    send(
        client, "patch", url(draft), other, {"summary": "Shelling of Kherson port.", "reason": "x"}
    )

    response = send(
        client, "patch", url(draft), editor, {"count": 4, "reason": "Four"}, HTTP_IF_MATCH=seen
    )

    assert response.status_code == 412
    body = response.json()
    assert body["changed_by"] == ["taras"]
    assert {"field": "summary (English)", "before": "Shelling of Kherson.",
            "after": "Shelling of Kherson port."} in body["changed"]  # fmt: skip
    assert body["etag"] == f'"{services.edit_token(draft)}"'
    assert ComplianceEvent.objects.get(pk=draft.pk).count is None


def test_an_edit_based_on_the_current_version_is_saved_and_gets_a_new_etag(client, editor, draft):
    seen = send(client, "get", url(draft), editor)["ETag"]

    response = send(
        client, "patch", url(draft), editor, {"count": 4, "reason": "Four"}, HTTP_IF_MATCH=seen
    )

    assert response.status_code == 200
    assert response["ETag"] != seen
    assert ComplianceEvent.objects.get(pk=draft.pk).count == 4


@pytest.mark.parametrize("tag", ['W/"1.0"', "1.0", '"1.0", "2.0"'])
def test_only_one_strong_etag_can_match(client, editor, draft, tag):
    response = send(
        client, "patch", url(draft), editor, {"count": 4, "reason": "x"}, HTTP_IF_MATCH=tag
    )

    assert response.status_code == 412
    assert ComplianceEvent.objects.get(pk=draft.pk).count is None


def test_edits_of_different_fields_from_one_read_both_land_without_if_match(client, editor, draft):
    other = UserFactory(username="taras", role="Editors")

    send(client, "patch", url(draft), editor, {"count": 4, "reason": "Four strikes"})
    send(client, "patch", url(draft), other, {"location": "Kherson port", "reason": "Where"})

    stored = ComplianceEvent.objects.get(pk=draft.pk)
    assert (stored.count, stored.location, stored.summary) == (
        4,
        "Kherson port",
        "Shelling of Kherson.",
    )


def test_an_editors_edit_of_a_published_claim_waits_with_202(client, editor, db):
    claim = ComplianceEventFactory(summary="Shelling of Kherson.")

    response = send(client, "patch", url(claim), editor, {"count": 4, "reason": "Four"})

    assert response.status_code == 202
    body = response.json()
    assert body["count"] is None  # as the public sees it
    assert body["pending_revision"]["changes"] == {"count": {"from": None, "to": 4}}
    assert body["pending_revision"]["proposed_by"] == "editor"
    assert public.events().get().count is None


def test_a_reviewers_edit_while_an_editors_changes_wait_is_refused_with_409(
    client, editor, reviewer, db
):
    claim = ComplianceEventFactory()
    send(client, "patch", url(claim), editor, {"count": 4, "reason": "Four"})

    response = send(client, "patch", url(claim), reviewer, {"location": "Kherson", "reason": "x"})

    assert response.status_code == 409
    assert "wait for review" in response.json()["detail"]
    assert Revision.objects.get().is_pending


def test_verifying_a_version_someone_has_changed_since_is_refused(client, editor, reviewer, draft):
    seen = send(client, "get", url(draft), reviewer)["ETag"]
    send(client, "patch", url(draft), editor, {"summary": "Two strikes.", "reason": "x"})

    response = send(
        client,
        "post",
        url(draft, "verify/"),
        reviewer,
        {"verification": "verified", "reason": "Images"},
        HTTP_IF_MATCH=seen,
    )

    assert response.status_code == 412
    assert ComplianceEvent.objects.get(pk=draft.pk).verification == "unverified"


def test_the_schema_describes_if_match_and_the_answers_it_brings(client, db):
    schema = client.get("/api/schema/?format=json").json()

    patch = schema["paths"]["/api/staff/events/{id}/"]["patch"]
    assert {"202", "409", "412"} <= set(patch["responses"])
    assert "If-Match" in {parameter["name"] for parameter in patch["parameters"]}
