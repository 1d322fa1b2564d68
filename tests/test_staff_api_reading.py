"""Staff tools read what staff may see, drafts included, and write every translation.

A tool lists the claims of a commitment by their state (drafts, waiting for a
reviewer, verified…), reads one back after writing it, finds a source by its
address, and writes a claim's Ukrainian and Russian texts beside the English,
as the admin does. The API answers in English whatever the client's language,
and refuses what it cannot mean: a reason that is not text, a field it does not
write, a text with control characters.
"""

import datetime as dt
import json

import pytest
import time_machine
from rest_framework.authtoken.models import Token

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    SourceFactory,
)
from tracker import services
from tracker.models import ComplianceEvent, Source
from tracker.models.validators import CONTROL_CHARACTERS, REASON_NEEDED

NOW = dt.datetime(2025, 4, 20, 12, tzinfo=dt.UTC)
EVENTS = "/api/staff/events/"
SOURCES = "/api/staff/sources/"


@pytest.fixture(autouse=True)
def easter_sunday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def truce(db):
    russia = PartyFactory(name="Russia", slug="russia")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    return {
        "truce": CommitmentFactory(slug="easter-truce", is_published=True),
        "draft": CommitmentFactory(slug="energy-pause", is_published=False),
        "russia": russia,
        "ukraine": ukraine,
    }


def headers(user, **more) -> dict:
    key = Token.objects.get_or_create(user=user)[0].key
    return {"HTTP_AUTHORIZATION": f"Token {key}", **more}


def get(client, user, address, language=None, **params):
    extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client.get(address, params, **headers(user, **extra))


def write(client, user, method, url, body, **more):
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", **headers(user, **more)
    )


def claim(truce, **changes) -> dict:
    return {
        "commitment": "easter-truce",
        "kind": "alleged_violation",
        "claimant": "ukraine",
        "accused": "russia",
        "occurred_at": "2025-04-19T18:10:00+03:00",
        "summary": "Shelling near Kupiansk ten minutes into the truce",
        "reason": "General Staff report of 19 April",
    } | changes


# Reading ------------------------------------------------------------------------------


def test_an_editor_lists_the_claims_of_a_commitment_drafts_included(client, editor, truce):
    published = ComplianceEventFactory(commitment=truce["truce"], summary="Published claim")
    draft = ComplianceEventFactory(
        commitment=truce["truce"], summary="Draft claim", is_published=False
    )
    ComplianceEventFactory(commitment=truce["draft"], summary="Another commitment's")

    response = get(client, editor, EVENTS, commitment="easter-truce")

    assert response.status_code == 200, response.content
    listed = {row["id"]: row for row in response.json()["results"]}
    assert set(listed) == {published.pk, draft.pk}
    assert listed[draft.pk]["is_published"] is False
    assert listed[draft.pk]["summary"] == "Draft claim"
    assert "no-store" in response["Cache-Control"]


def test_claims_are_filtered_by_their_state(client, editor, reviewer, truce):
    draft = ComplianceEventFactory(commitment=truce["truce"], is_published=False)
    verified = ComplianceEventFactory(commitment=truce["truce"], verification="verified")
    waiting = ComplianceEventFactory(commitment=truce["truce"])
    services.edit_record(
        waiting, {"summary": "Shelling, corrected"}, actor=editor, reason="Typo in the place"
    )

    def ids(**params):
        response = get(client, editor, EVENTS, **params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(published="false") == {draft.pk}
    assert ids(verification="verified") == {verified.pk}
    assert ids(waiting="true") == {waiting.pk}
    assert ids(waiting="false", published="true") == {verified.pk}
    assert ids(commitment="energy-pause") == set()


def test_an_unknown_filter_or_commitment_is_refused_by_name(client, editor, truce):
    unknown = get(client, editor, EVENTS, state="draft")
    no_such = get(client, editor, EVENTS, commitment="no-such-truce")

    assert unknown.status_code == no_such.status_code == 400
    assert list(unknown.json()) == ["state"]
    assert list(no_such.json()) == ["commitment"]


def test_a_claim_written_is_read_back_with_its_version(client, editor, truce):
    written = write(client, editor, "post", EVENTS, claim(truce))

    read = get(client, editor, f"{EVENTS}{written.json()['id']}/")

    assert read.status_code == 200
    assert read.json() == written.json()
    assert read["ETag"] == written["ETag"]


def test_a_source_is_found_by_its_address_and_read_back(client, editor, truce):
    source = SourceFactory(url="https://www.kremlin.ru/events/president/news/76719")
    SourceFactory()

    found = get(client, editor, SOURCES, url=source.url)
    read = get(client, editor, f"{SOURCES}{source.pk}/")

    assert [row["id"] for row in found.json()["results"]] == [source.pk]
    assert read.status_code == 200
    assert read.json()["url"] == source.url


def test_staff_in_neither_role_read_nothing(client, outsider, truce):
    ComplianceEventFactory(commitment=truce["truce"], summary="HIDDEN")

    response = get(client, outsider, EVENTS)

    assert response.status_code == 403
    assert response.json() == {"detail": "You are not allowed to read compliance events."}


def test_the_api_answers_in_english_whatever_the_client_reads(client, editor, truce):
    ComplianceEventFactory(
        commitment=truce["truce"], summary="Shelling", summary_uk="Обстріл", summary_ru="Обстрел"
    )

    response = get(client, editor, EVENTS, language="uk")
    refused = write(client, editor, "post", EVENTS, {}, HTTP_ACCEPT_LANGUAGE="uk")

    row = response.json()["results"][0]
    assert (row["summary"], row["summary_uk"], row["summary_ru"]) == (
        "Shelling",
        "Обстріл",
        "Обстрел",
    )
    assert refused.json()["summary"] == ["This field is required."]


# Translations -------------------------------------------------------------------------


def test_a_claim_is_recorded_with_its_translations(client, editor, truce):
    response = write(
        client,
        editor,
        "post",
        EVENTS,
        claim(
            truce,
            location="Kupiansk",
            summary_uk="Обстріл поблизу Куп'янська",
            summary_ru="Обстрел вблизи Купянска",
            location_uk="Куп'янськ",
        ),
    )

    assert response.status_code == 201, response.content
    event = ComplianceEvent.objects.get()
    assert (event.summary_en, event.summary_uk, event.summary_ru) == (
        "Shelling near Kupiansk ten minutes into the truce",
        "Обстріл поблизу Куп'янська",
        "Обстрел вблизи Купянска",
    )
    assert (event.location_uk, event.location_ru) == ("Куп'янськ", None)
    assert response.json()["location_ru"] is None


def test_a_translation_of_a_public_claim_waits_for_a_reviewer(client, editor, truce):
    event = ComplianceEventFactory(commitment=truce["truce"], summary="Shelling")

    response = write(
        client,
        editor,
        "patch",
        f"{EVENTS}{event.pk}/",
        {"summary_uk": "Обстріл", "reason": "Ukrainian text"},
    )

    assert response.status_code == 202, response.content
    assert response.json()["summary_uk"] is None
    assert response.json()["pending_revision"]["changes"]["summary_uk"]["to"] == "Обстріл"


def test_a_source_title_is_written_in_every_language(client, editor, truce):
    response = write(
        client,
        editor,
        "post",
        SOURCES,
        {
            "url": "https://www.kremlin.ru/events/president/news/76719",
            "title": "Easter truce announcement",
            "title_ru": "Объявление пасхального перемирия",
            "reason": "The announcement itself",
        },
    )

    assert response.status_code == 201, response.content
    assert Source.objects.get().title_ru == "Объявление пасхального перемирия"


# What the API cannot mean ---------------------------------------------------------------


@pytest.mark.parametrize("reason", [0, 1.5, True, ["why"], {"why": "because"}])
def test_a_reason_that_is_not_text_is_refused(client, editor, truce, reason):
    response = write(client, editor, "post", EVENTS, claim(truce, reason=reason))

    assert response.status_code == 400
    assert response.json() == {"reason": ["Not a valid string."]}
    assert not ComplianceEvent.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_blank_reason_is_refused(client, editor, truce, reason):
    body = {"url": "https://a.example", "reason": reason}

    response = write(client, editor, "post", SOURCES, body)

    assert response.json() == {"reason": [REASON_NEEDED]}


def test_a_text_that_is_a_number_is_refused_not_turned_into_text(client, editor, truce):
    response = write(client, editor, "post", EVENTS, claim(truce, summary=2025))

    assert response.json() == {"summary": ["Not a valid string."]}


def test_control_characters_are_refused_in_every_text_and_translation(client, editor, truce):
    response = write(
        client,
        editor,
        "post",
        EVENTS,
        claim(truce, summary_ru="Обстрел\x1b[0m", location="Kupi\x00ansk", reason="Why\x07"),
    )

    assert response.json() == {
        "summary_ru": [CONTROL_CHARACTERS],
        "location": [CONTROL_CHARACTERS],
        "reason": [CONTROL_CHARACTERS],
    }


def test_a_long_text_may_break_lines(client, editor, truce):
    response = write(client, editor, "post", EVENTS, claim(truce, summary="Shelling.\n\tAgain."))

    assert response.status_code == 201, response.content
