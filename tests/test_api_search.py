"""``?q=`` on the API's lists: the records holding every word, best first, within its filters."""

import datetime as dt

import pytest

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
)
from tracker import search, services
from tracker.search.words import MAX_LENGTH

UTC = dt.UTC

pytestmark = pytest.mark.django_db

LISTS = ["commitments", "readings", "events", "agreements", "parties"]


def listed(client, url: str, key: str = "slug") -> list:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]


@pytest.fixture
def pause():
    russia = PartyFactory(name="Russia", name_uk="Росія", slug="russia")
    agreement = AgreementFactory(
        slug="call", title="Phone call", summary_uk="Розмова про енергетичну паузу"
    )
    agreement.parties.add(russia)
    commitment = CommitmentFactory(
        agreement=agreement,
        slug="energy-pause",
        title="Pause on strikes against energy infrastructure",
        title_ru="Пауза в ударах по энергетической инфраструктуре",
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    ReadingFactory(commitment=commitment, label="Kremlin's count", read_by=russia)
    return commitment


@pytest.mark.parametrize(
    ("url", "key", "expected"),
    [
        ("/api/commitments/?q=энерг", "slug", ["energy-pause"]),
        ("/api/agreements/?q=енергет", "slug", ["call"]),
        ("/api/readings/?q=kreml", "label", ["Kremlin's count"]),
        ("/api/parties/?q=росі", "slug", ["russia"]),
        ("/api/commitments/?q=maritime", "slug", []),
    ],
)
def test_each_list_finds_its_records_by_the_beginning_of_their_words_in_any_language(
    client, pause, url, key, expected
):
    assert listed(client, url, key) == expected


def test_events_are_found_best_match_first(client, pause):
    in_place = ComplianceEventFactory(commitment=pause, summary="Strike", location="Sloviansk")
    in_summary = ComplianceEventFactory(commitment=pause, summary="Strike on Sloviansk")

    assert listed(client, "/api/events/?q=sloviansk", "id") == [in_summary.pk, in_place.pk]


def test_the_search_is_within_the_other_filters(client, pause):
    other = CommitmentFactory(slug="black-sea", title="Black Sea navigation")
    here = ComplianceEventFactory(commitment=pause, summary="Strike on a substation")
    ComplianceEventFactory(commitment=other, summary="Strike on a substation")

    assert listed(client, "/api/events/?q=substation&commitment=energy-pause", "id") == [here.pk]
    assert listed(client, "/api/commitments/?q=pause&category=maritime") == []
    assert listed(client, "/api/commitments/?q=pause&party=russia") == ["energy-pause"]


def test_the_search_is_within_filters_on_the_working_window(client, pause):
    late = CommitmentFactory(slug="late-pause", title="Pause on strikes, later")
    ReadingFactory(commitment=late, ends_at=dt.datetime(2026, 1, 1, tzinfo=UTC))

    assert listed(client, "/api/commitments/?q=pause&ends_after=2025-12-01") == ["late-pause"]


def test_search_results_are_paged_best_first(client, pause):
    ComplianceEventFactory(commitment=pause, summary="Substation hit")
    ComplianceEventFactory(commitment=pause, summary="Strike", location="Near a substation")

    first = client.get("/api/events/?q=substation&page_size=1").json()
    second = client.get("/api/events/?q=substation&page_size=1&page=2").json()

    assert first["count"] == second["count"] == 2
    assert first["results"][0]["summary"] == "Substation hit"
    assert second["results"][0]["location"] == "Near a substation"


def test_unpublished_records_are_never_found(client, pause, reviewer):
    hidden = ComplianceEventFactory(commitment=pause, summary="Zebra crossing", is_published=False)

    assert listed(client, "/api/events/?q=zebra", "id") == []

    services.publish(hidden, actor=reviewer, reason="Checked")

    assert listed(client, "/api/events/?q=zebra", "id") == [hidden.pk]


def test_at_most_the_ranked_number_is_listed(client, pause, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 3)
    events = [ComplianceEventFactory(commitment=pause, summary="Zebra") for _ in range(5)]

    assert listed(client, "/api/events/?q=zebra", "id") == [e.pk for e in events[:1:-1]]


@pytest.mark.parametrize("name", LISTS)
def test_an_empty_search_is_refused_rather_than_listing_everything(client, pause, name):
    response = client.get(f"/api/{name}/?q=")

    assert response.status_code == 400
    assert response.json() == {"q": ["Give a value, or leave the parameter out."]}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x" * (MAX_LENGTH + 1), f"A search can be at most {MAX_LENGTH} characters long"),
        (" ".join(f"w{n}" for n in range(11)), "A search can have at most 10 words"),
        ("*&|!", "Give at least one word of letters or digits."),
    ],
)
@pytest.mark.parametrize("name", LISTS)
def test_a_search_that_cannot_be_run_is_refused_with_the_reason(
    client, pause, name, query, message
):
    response = client.get(f"/api/{name}/", {"q": query})

    assert response.status_code == 400
    assert message in response.json()["q"][0]


@pytest.mark.parametrize(
    "query",
    ['"pause', "pause*", "NEAR(pause)", "pause AND OR NOT", "' OR 1=1 --", "pause:*", "&|!x"],
)
def test_syntax_of_any_kind_is_only_words(client, pause, query):
    response = client.get("/api/commitments/", {"q": query})

    assert response.status_code == 200


def test_q_is_documented_on_every_list(client):
    schema = client.get("/api/schema/?format=json").json()

    for name in LISTS:
        parameters = {p["name"]: p for p in schema["paths"][f"/api/{name}/"]["get"]["parameters"]}
        assert parameters["q"]["schema"] == {"type": "string", "minLength": 1, "maxLength": 200}
        assert "the beginning of a word is enough" in parameters["q"]["description"]
