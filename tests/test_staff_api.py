"""The staff write API: staff tools record claims and sources, reviewers verify and publish.

Each request carries its user's token and goes through the same services as
the admin, with the same permissions and the same history: who, and why.
"""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ParseError

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    SourceFactory,
    UserFactory,
)
from tracker.models import ComplianceEvent, Source
from tracker.staff.api.parsers import BoundedJSONParser

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 20, 12, tzinfo=UTC)
EVENTS = "/api/staff/events/"
SOURCES = "/api/staff/sources/"


@pytest.fixture(autouse=True)
def easter_sunday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def truce(db):
    """The Easter truce, still unpublished, and the two sides."""
    return {
        "truce": CommitmentFactory(title="Easter truce", slug="easter-truce", is_published=False),
        "russia": PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow"),
        "ukraine": PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv"),
    }


def token_of(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def send(client, method, url, body, user=None, key=None):
    headers = {}
    if user is not None or key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Token {key or token_of(user)}"
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", **headers
    )


def shelling(**changes):
    return {
        "commitment": "easter-truce",
        "kind": "alleged_violation",
        "claimant": "ukraine",
        "accused": "russia",
        "occurred_at": "2025-04-19T18:10:00+03:00",
        "summary": "Shelling near Kupiansk ten minutes into the truce",
        "count": 3,
        "reason": "General Staff report of 19 April",
    } | changes


# Recording ------------------------------------------------------------------------


def test_an_editor_records_a_claim_that_starts_unverified_and_unpublished(client, editor, truce):
    response = send(client, "post", EVENTS, shelling(), editor)

    assert response.status_code == 201, response.content
    claim = response.json()
    assert claim["commitment"] == "easter-truce"
    assert (claim["claimant"], claim["accused"]) == ("ukraine", "russia")
    assert claim["occurred_at"] == "2025-04-19T15:10:00Z"
    assert (claim["verification"], claim["is_published"]) == ("unverified", False)
    event = ComplianceEvent.objects.get(pk=claim["id"])
    assert event.recorded_by == editor
    assert event.count == 3


def test_every_write_keeps_its_history_with_the_tokens_user_and_the_reason(
    client, editor, reviewer, truce
):
    claim = send(client, "post", EVENTS, shelling(), editor).json()
    url = f"{EVENTS}{claim['id']}/"
    send(client, "patch", url, {"region": "UA-63", "reason": "Region from the map"}, editor)
    send(
        client,
        "post",
        f"{url}verify/",
        {"verification": "corroborated", "reason": "Two monitors saw it"},
        reviewer,
    )

    history = ComplianceEvent.objects.get(pk=claim["id"]).history.order_by("history_id")
    assert [(h.history_user, h.history_change_reason) for h in history] == [
        (editor, "General Staff report of 19 April"),
        (editor, "Region from the map"),
        (reviewer, "Two monitors saw it"),
    ]


def test_a_time_of_day_makes_the_precision_minute_unless_one_is_sent(client, editor, truce):
    at_1810 = send(client, "post", EVENTS, shelling(), editor).json()
    a_day = send(
        client,
        "post",
        EVENTS,
        shelling(occurred_at="2025-04-19T00:00:00+03:00", summary="A day of shelling"),
        editor,
    ).json()
    chosen = send(
        client, "post", EVENTS, shelling(precision="hour", summary="Shelling at six"), editor
    ).json()

    assert (at_1810["precision"], a_day["precision"], chosen["precision"]) == (
        "minute",
        "day",
        "hour",
    )


def test_a_delivery_is_recorded_with_its_quantities_and_sources(client, editor, truce):
    source = SourceFactory(url="https://www.mil.gov.ua/news/2025/04/19/exchange")
    body = shelling(
        kind="delivery",
        accused=None,
        summary="246 for 246, and 31 wounded for 15",
        count=None,
        sources=[source.pk],
        quantities=[
            {"received_by": "ukraine", "quantity": 277, "unit": "prisoners"},
            {"received_by": "russia", "quantity": 261, "unit": "prisoners"},
        ],
    )

    response = send(client, "post", EVENTS, body, editor)

    assert response.status_code == 201, response.content
    assert response.json()["sources"] == [source.pk]
    assert sorted((q["received_by"], q["quantity"]) for q in response.json()["quantities"]) == [
        ("russia", 261),
        ("ukraine", 277),
    ]


def test_an_editor_edits_a_claim_and_replaces_its_sources(client, editor, truce):
    claim = send(client, "post", EVENTS, shelling(), editor).json()
    source = SourceFactory()

    response = send(
        client,
        "patch",
        f"{EVENTS}{claim['id']}/",
        {"summary": "Shelling near Kupiansk", "sources": [source.pk], "reason": "Shorter"},
        editor,
    )

    assert response.status_code == 200, response.content
    assert response.json()["summary"] == "Shelling near Kupiansk"
    assert response.json()["sources"] == [source.pk]
    assert response.json()["count"] == 3


def test_an_edit_cannot_undo_a_verification_made_meanwhile(client, editor, reviewer, truce):
    claim = send(client, "post", EVENTS, shelling(), editor).json()
    url = f"{EVENTS}{claim['id']}/"
    send(client, "post", f"{url}verify/", {"verification": "verified", "reason": "Seen"}, reviewer)

    response = send(client, "patch", url, {"internal_note": "Ask Kyiv", "reason": "Note"}, editor)

    assert response.json()["verification"] == "verified"


# Roles -----------------------------------------------------------------------------


def test_an_editor_cannot_verify_and_is_told_why(client, editor, truce):
    event = ComplianceEventFactory(commitment=truce["truce"], is_published=False)

    response = send(
        client,
        "post",
        f"{EVENTS}{event.pk}/verify/",
        {"verification": "verified", "reason": "I saw it"},
        editor,
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "You are not allowed to verify events."}
    assert ComplianceEvent.objects.get(pk=event.pk).verification == "unverified"


def test_an_editor_cannot_publish_and_is_told_why(client, editor, truce):
    event = ComplianceEventFactory(commitment=truce["truce"], is_published=False)

    response = send(
        client,
        "post",
        f"{EVENTS}{event.pk}/publish/",
        {"published": True, "reason": "Checked"},
        editor,
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "You are not allowed to publish or unpublish records."}
    assert not ComplianceEvent.objects.get(pk=event.pk).is_published


def test_a_reviewer_verifies_and_publishes(client, reviewer, truce):
    truce["truce"].is_published = True
    truce["truce"].save()
    event = ComplianceEventFactory(commitment=truce["truce"], is_published=False)
    url = f"{EVENTS}{event.pk}/"

    verified = send(
        client, "post", f"{url}verify/", {"verification": "verified", "reason": "OSCE"}, reviewer
    )
    published = send(
        client, "post", f"{url}publish/", {"published": True, "reason": "Checked"}, reviewer
    )

    assert verified.status_code == published.status_code == 200
    assert published.json()["verification"] == "verified"
    assert published.json()["is_published"] is True
    event.refresh_from_db()
    assert (event.verified_by, event.is_published) == (reviewer, True)
    assert client.get("/api/events/?commitment=easter-truce").json()["count"] == 1


def test_publishing_a_claim_of_an_unpublished_commitment_is_refused_with_the_reason(
    client, reviewer, truce
):
    event = ComplianceEventFactory(commitment=truce["truce"], is_published=False)

    response = send(
        client,
        "post",
        f"{EVENTS}{event.pk}/publish/",
        {"published": True, "reason": "Checked"},
        reviewer,
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Publish the commitment first: a claim cannot be public while its commitment is not."
        ]
    }


def test_staff_in_neither_role_may_record_nothing(client, outsider, truce):
    response = send(client, "post", EVENTS, shelling(), outsider)

    assert response.status_code == 403
    assert response.json() == {"detail": "You are not allowed to record events."}


def test_a_token_of_someone_no_longer_staff_is_refused(client, truce):
    former = UserFactory(username="former", role="Editors", is_staff=False)

    response = send(client, "post", EVENTS, shelling(), former)

    assert response.status_code == 403
    assert "only staff may write" in response.json()["detail"]


# Tokens -----------------------------------------------------------------------------


def test_without_a_token_nobody_writes_and_is_told_how_to_send_one(client, truce):
    response = send(client, "post", EVENTS, shelling())

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "Authorization: Token <key>" in response.json()["detail"]
    assert not ComplianceEvent.objects.exists()


def test_a_session_login_is_not_enough(client, editor, truce):
    client.force_login(editor)

    response = send(client, "post", EVENTS, shelling())

    assert response.status_code == 401


def test_a_revoked_token_is_refused(client, editor, truce):
    key = token_of(editor)
    Token.objects.filter(key=key).delete()

    response = send(client, "post", EVENTS, shelling(), key=key)

    assert response.status_code == 401
    assert response.json()["detail"].startswith("This token is not valid: it was revoked")


@pytest.mark.parametrize("key", ["x", "0" * 41, "Z" * 40, "ä" * 40, "\x00" * 40])
def test_a_malformed_token_is_refused_without_looking_it_up(client, truce, key):
    response = send(client, "post", EVENTS, shelling(), key=key)

    assert response.status_code == 401


def test_a_token_of_a_disabled_account_is_refused(client, truce):
    former = UserFactory(username="former", role="Editors", is_active=False)

    response = send(client, "post", EVENTS, shelling(), former)

    assert response.status_code == 401
    assert response.json() == {"detail": "The account this token belongs to is disabled."}


# Bad input ---------------------------------------------------------------------------


def test_missing_and_wrong_fields_are_named_all_at_once(client, editor, truce):
    response = send(
        client,
        "post",
        EVENTS,
        {
            "commitment": "no-such-truce",
            "kind": "ceasefire",
            "occurred_at": "19 April",
            "count": -1,
            "verification": "verified",
            "colour": "red",
        },
        editor,
    )

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {
        "commitment",
        "kind",
        "occurred_at",
        "count",
        "summary",
        "reason",
        "verification",
        "colour",
    }
    assert errors["commitment"] == ["There is no commitment “no-such-truce”."]
    assert errors["reason"] == ["Say why: every change needs a reason."]
    assert errors["verification"] == [
        "Reviewers set this with POST /api/staff/events/{id}/verify/."
    ]
    assert errors["colour"][0].startswith("Not a field this endpoint writes. It takes: accused,")
    assert not ComplianceEvent.objects.exists()


def test_what_the_services_refuse_is_named_by_field(client, editor, truce):
    self_accusation = send(client, "post", EVENTS, shelling(accused="ukraine"), editor)
    future = send(client, "post", EVENTS, shelling(occurred_at="2025-05-09T10:00:00Z"), editor)

    assert self_accusation.status_code == future.status_code == 400
    assert self_accusation.json() == {"accused": ["A party cannot accuse itself."]}
    assert future.json()["occurred_at"] == [
        "An event cannot be dated in the future; record it once it has happened."
    ]
    assert not ComplianceEvent.objects.exists()


def test_a_claim_sent_to_answer_itself_or_its_answer_is_refused_by_field(client, editor, truce):
    first = ComplianceEventFactory(commitment=truce["truce"])
    answer = ComplianceEventFactory(commitment=truce["truce"], in_response_to=first)

    itself = send(
        client, "patch", f"{EVENTS}{first.pk}/", {"in_response_to": first.pk, "reason": "?"}, editor
    )
    loop = send(
        client,
        "patch",
        f"{EVENTS}{first.pk}/",
        {"in_response_to": answer.pk, "reason": "?"},
        editor,
    )

    assert itself.status_code == loop.status_code == 400
    assert itself.json() == {"in_response_to": ["A claim cannot answer itself."]}
    assert loop.json()["in_response_to"][0].startswith(f"Claim {answer.pk} answers this one")
    assert ComplianceEvent.objects.get(pk=first.pk).in_response_to is None


def test_an_edit_needs_a_reason_too(client, editor, truce):
    event = ComplianceEventFactory(commitment=truce["truce"])

    response = send(client, "patch", f"{EVENTS}{event.pk}/", {"region": "UA-59"}, editor)

    assert response.status_code == 400
    assert response.json() == {"reason": ["Say why: every change needs a reason."]}


def test_an_edit_of_quantities_is_sent_to_the_admin(client, editor, truce):
    event = ComplianceEventFactory(commitment=truce["truce"], kind="delivery")

    response = send(
        client,
        "patch",
        f"{EVENTS}{event.pk}/",
        {"quantities": [], "reason": "Recount"},
        editor,
    )

    assert response.status_code == 400
    assert "correct them in the admin" in response.json()["quantities"][0]


def test_an_unknown_event_is_a_404(client, reviewer, truce):
    response = send(
        client,
        "post",
        f"{EVENTS}999999/verify/",
        {"verification": "verified", "reason": "x"},
        reviewer,
    )

    assert response.status_code == 404


def test_a_body_that_is_not_json_is_refused(client, editor, truce):
    response = client.post(
        EVENTS,
        "commitment=easter-truce",
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=f"Token {token_of(editor)}",
    )

    assert response.status_code == 415


# Sources -------------------------------------------------------------------------------


def test_an_editor_saves_and_corrects_a_source(client, editor, truce):
    created = send(
        client,
        "post",
        SOURCES,
        {
            "url": "https://www.kremlin.ru/events/president/news/76719",
            "title": "Easter truce announcement",
            "publisher": "Kremlin",
            "language": "ru",
            "published_on": "2025-04-19",
            "reason": "The announcement itself",
        },
        editor,
    )
    corrected = send(
        client,
        "patch",
        f"{SOURCES}{created.json()['id']}/",
        {"title": "Putin announces an Easter truce", "reason": "Title as published"},
        editor,
    )

    assert created.status_code == 201, created.content
    assert corrected.status_code == 200
    source = Source.objects.get()
    assert source.title == "Putin announces an Easter truce"
    assert [(h.history_user, h.history_change_reason) for h in source.history.order_by("pk")] == [
        (editor, "The announcement itself"),
        (editor, "Title as published"),
    ]


def test_a_source_saved_twice_is_refused(client, editor, truce):
    SourceFactory(url="https://www.kremlin.ru/events/president/news/76719")

    response = send(
        client,
        "post",
        SOURCES,
        {"url": "https://www.kremlin.ru/events/president/news/76719", "reason": "Again"},
        editor,
    )

    assert response.status_code == 400
    assert list(response.json()) == ["url"]


# Caching and throttling -------------------------------------------------------------------


def test_no_answer_may_be_kept_by_a_cache(client, editor, truce):
    response = send(client, "post", EVENTS, shelling(), editor)

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


def test_each_user_is_throttled_and_the_count_is_kept_in_the_shared_cache(
    client, editor, reviewer, truce, settings
):
    settings.STAFF_API_RATE = "2/min"
    bodies = [shelling(summary=f"Report {n}") for n in range(3)]

    answers = [send(client, "post", EVENTS, body, editor).status_code for body in bodies]
    reviewers_turn = send(client, "post", EVENTS, shelling(summary="Report 4"), reviewer)

    assert answers == [201, 201, 429]
    assert reviewers_turn.status_code == 201
    assert ComplianceEvent.objects.count() == 3
    cache.clear()  # the count lives in the shared cache: with it gone, the editor may send again
    assert send(client, "post", EVENTS, shelling(summary="Report 5"), editor).status_code == 201


def test_a_throttled_user_is_told_when_to_come_back(client, editor, truce, settings):
    settings.STAFF_API_RATE = "1/min"
    send(client, "post", EVENTS, shelling(), editor)

    response = send(client, "post", EVENTS, shelling(summary="Again"), editor)

    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= 60
    assert f"Expected available in {seconds} second" in response.json()["detail"]


def test_a_cache_that_fails_lets_staff_work_on(client, editor, truce, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr("tracker.staff.api.access.get_usage", unreachable)

    response = send(client, "post", EVENTS, shelling(), editor)

    assert response.status_code == 201


@pytest.mark.parametrize(
    "method, url",
    [
        ("post", EVENTS),
        ("patch", f"{EVENTS}1/"),
        ("post", f"{EVENTS}1/verify/"),
        ("post", f"{EVENTS}1/publish/"),
        ("post", SOURCES),
        ("patch", f"{SOURCES}1/"),
        ("get", EVENTS),
    ],
)
def test_every_staff_address_refuses_anonymous_visitors(client, truce, method, url):
    event = ComplianceEventFactory(commitment=truce["truce"], summary="HIDDEN-CLAIM")

    response = send(client, method, url.replace("/1/", f"/{event.pk}/"), {"reason": "x"})

    assert response.status_code == 401
    assert "HIDDEN-CLAIM" not in response.content.decode()


def test_an_unknown_region_code_is_refused_with_the_field_and_nothing_written(
    client, editor, truce
):
    response = send(client, "post", EVENTS, shelling(region="XX-99"), editor)

    assert response.status_code == 400
    assert list(response.json()) == ["region"]
    assert response.json()["region"][0].startswith("Unknown region code “XX-99”")
    assert not ComplianceEvent.objects.exists()


def test_a_known_region_code_is_recorded(client, editor, truce):
    response = send(client, "post", EVENTS, shelling(region="UA-65"), editor)

    assert response.status_code == 201
    assert ComplianceEvent.objects.get().region == "UA-65"


# Bodies no tool sends -------------------------------------------------------------------

NESTED = {
    "arrays": "[" * 100_000 + "]" * 100_000,
    "objects": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "inside a claim": json.dumps(shelling(count="COUNT")).replace(
        '"COUNT"', "[" * 3000 + "]" * 3000
    ),
}


@pytest.mark.parametrize("body", NESTED.values(), ids=NESTED.keys())
@pytest.mark.parametrize(
    ("method", "address"),
    [("post", EVENTS), ("post", SOURCES), ("patch", "event"), ("post", "verify")],
)
def test_a_body_nested_deeper_than_any_claim_is_refused_with_a_400(
    client, reviewer, truce, method, address, body
):
    event = ComplianceEventFactory(commitment=truce["truce"])
    address = {"event": f"{EVENTS}{event.pk}/", "verify": f"{EVENTS}{event.pk}/verify/"}.get(
        address, address
    )

    response = getattr(client, method)(
        address,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token_of(reviewer)}",
    )

    assert response.status_code == 400
    assert "more than 20 levels deep" in response.json()["detail"]
    assert ComplianceEvent.objects.count() == 1


def test_brackets_inside_texts_are_not_counted_as_nesting(client, editor, truce):
    summary = "Shelling [" * 30 + "] {" * 30
    response = send(client, "post", EVENTS, shelling(summary=summary), editor)

    assert response.status_code == 201, response.content
    assert ComplianceEvent.objects.get().summary == summary


def test_a_body_larger_than_a_request_may_hold_is_refused_with_a_400(
    client, editor, truce, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = send(client, "post", EVENTS, shelling(summary="x" * 2000), editor)

    assert response.status_code == 400
    assert not ComplianceEvent.objects.exists()


def test_the_parser_reads_no_more_than_half_a_megabyte(settings):
    body = b'{"summary": "' + b"x" * 600_000 + b'"}'

    with pytest.raises(ParseError, match="The body is larger than 524288 bytes"):
        BoundedJSONParser().parse(io.BytesIO(body))

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # or less, if Django is told to take less
    with pytest.raises(ParseError, match="The body is larger than 1000 bytes"):
        BoundedJSONParser().parse(io.BytesIO(b'{"summary": "' + b"x" * 2000 + b'"}'))
