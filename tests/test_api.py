"""The read-only JSON API: what it lists, how it filters, and how it refuses bad input."""

import datetime as dt

import pytest
from django.utils.html import escape

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker.models import CommitmentParty, DeliveredQuantity, StatusChange
from tracker.opendata.api.views import ENDPOINTS

UTC = dt.UTC
LIST_ENDPOINTS = [
    "/api/commitments/",
    "/api/readings/",
    "/api/events/",
    "/api/agreements/",
    "/api/parties/",
]


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def energy_pause(db):
    russia = PartyFactory(name="Russia", slug="russia")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    commitment = CommitmentFactory(
        slug="energy-pause",
        title="Pause on strikes against energy infrastructure",
        agreement=AgreementFactory(slug="call-18-march", held_on=dt.date(2025, 3, 18)),
    )
    CommitmentPartyFactory(commitment=commitment, party=russia)
    CommitmentPartyFactory(commitment=commitment, party=ukraine)
    ReadingFactory(
        commitment=commitment,
        label="Kremlin's count",
        read_by=russia,
        ends_at=dt.datetime(2025, 4, 16, 21, tzinfo=UTC),
    )
    ReadingFactory(
        commitment=commitment,
        label="Ukraine's count",
        read_by=ukraine,
        is_working=False,
        starts_at=dt.datetime(2025, 3, 24, 22, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 23, 21, tzinfo=UTC),
    )
    return commitment


def test_commitment_list_shows_the_working_window_parties_and_compliance_counts(
    client, energy_pause
):
    ComplianceEventFactory(commitment=energy_pause)
    ComplianceEventFactory(commitment=energy_pause, verification="verified")

    [commitment] = results(client.get("/api/commitments/"))

    assert commitment["slug"] == "energy-pause"
    assert commitment["agreement"] == "call-18-march"
    assert commitment["status"] == "in_force"
    assert commitment["working_window"]["ends_at"] == "2025-04-16T21:00:00Z"
    assert {p["party"] for p in commitment["parties"]} == {"russia", "ukraine"}
    assert commitment["compliance"] == {
        "events": 2,
        "alleged_violations": 1,
        "verified_violations": 1,
    }
    assert commitment["page"] == "http://testserver/commitments/energy-pause/"


def test_commitment_detail_shows_every_reading_and_the_status_history_by_role(
    client, energy_pause, reviewer
):
    StatusChange.objects.create(
        commitment=energy_pause,
        from_status="in_force",
        to_status="expired",
        effective_at=dt.datetime(2025, 4, 17, 9, tzinfo=UTC),
        reason="The month ran out.",
        actor=StatusChange.Actor.REVIEWER,
        user=reviewer,
    )

    response = client.get("/api/commitments/energy-pause/")

    assert response.status_code == 200
    detail = response.json()
    assert [r["label"] for r in detail["readings"]] == ["Kremlin's count", "Ukraine's count"]
    assert detail["status_history"] == [
        {
            "from_status": "in_force",
            "to_status": "expired",
            "effective_at": "2025-04-17T09:00:00Z",
            # The day it was given as, how exactly and on which clock.
            "effective_on": "2025-04-17",
            "precision": "minute",
            "time_zone": "UTC",
            "reason": "The month ran out.",
            "is_correction": False,
            "actor": "reviewer",
            # Translations beside the English reason, null while not translated.
            "reason_uk": None,
            "reason_ru": None,
        }
    ]
    assert "reviewer@example.org" not in response.content.decode()


def test_working_window_is_empty_while_the_working_reading_is_unpublished(client, db):
    commitment = CommitmentFactory(slug="draft-terms")
    ReadingFactory(commitment=commitment, is_published=False)

    [listed] = results(client.get("/api/commitments/"))

    assert set(listed["working_window"].values()) == {None}
    assert list(listed["working_window"]) == [
        "starts_at",
        "ends_at",
        "due_at",
        "starts_on",
        "ends_on",
        "due_on",
        "precision",
        "time_zone",
    ]


def test_unknown_commitment_is_404(client, db):
    assert client.get("/api/commitments/no-such-thing/").status_code == 404


def test_events_show_sources_quantities_and_the_claim_they_answer(client, energy_pause):
    russia, ukraine = energy_pause.parties.order_by("name")
    claim = ComplianceEventFactory(commitment=energy_pause, claimant=russia, accused=ukraine)
    denial = ComplianceEventFactory(
        commitment=energy_pause,
        kind="statement",
        claimant=ukraine,
        accused=None,
        in_response_to=claim,
        occurred_at=dt.datetime(2025, 3, 28, 12, tzinfo=UTC),
    )
    denial.sources.add(SourceFactory(url="https://example.org/denial"))
    DeliveredQuantity.objects.create(event=denial, received_by=russia, quantity=5)

    newest, oldest = results(client.get("/api/events/"))

    assert newest["id"] == denial.pk
    assert newest["in_response_to"] == claim.pk
    assert newest["sources"][0]["url"] == "https://example.org/denial"
    assert newest["quantities"] == [
        {"received_by": "russia", "quantity": 5, "unit": "people", "unit_uk": None, "unit_ru": None}
    ]
    assert oldest["claimant"] == "russia"
    assert oldest["accused"] == "ukraine"


def test_an_event_does_not_name_the_claim_it_answers_while_that_claim_is_unpublished(
    client, energy_pause
):
    claim = ComplianceEventFactory(commitment=energy_pause, is_published=False)
    ComplianceEventFactory(commitment=energy_pause, kind="statement", in_response_to=claim)

    [answer] = results(client.get("/api/events/"))

    assert answer["in_response_to"] is None


def test_commitments_filter_by_status_category_and_party(client, energy_pause):
    exchange = CommitmentFactory(
        slug="exchange-175", category="prisoners", shape="deliverable", status="fulfilled"
    )
    CommitmentPartyFactory(
        commitment=exchange, party=PartyFactory(slug="uae"), role=CommitmentParty.Role.MEDIATOR
    )

    def slugs(query):
        return sorted(c["slug"] for c in results(client.get(f"/api/commitments/?{query}")))

    assert slugs("status=fulfilled") == ["exchange-175"]
    assert slugs("status=fulfilled&status=in_force") == ["energy-pause", "exchange-175"]
    assert slugs("category=energy") == ["energy-pause"]
    assert slugs("party=uae") == ["exchange-175"]
    assert slugs("party=russia") == ["energy-pause"]
    assert slugs("ends_after=2025-04-16&ends_before=2025-04-17") == ["energy-pause"]
    assert slugs("ends_after=2025-04-17") == []


def test_events_filter_by_verification_party_and_date_range(client, energy_pause):
    russia, ukraine = energy_pause.parties.order_by("name")
    night = ComplianceEventFactory(
        commitment=energy_pause,
        claimant=ukraine,
        accused=russia,
        occurred_at=dt.datetime(2025, 3, 18, 23, tzinfo=UTC),
    )
    sudzha = ComplianceEventFactory(
        commitment=energy_pause,
        claimant=russia,
        accused=ukraine,
        occurred_at=dt.datetime(2025, 3, 28, 6, tzinfo=UTC),
        verification="disputed",
    )

    def ids(query):
        return [e["id"] for e in results(client.get(f"/api/events/?{query}"))]

    assert ids("verification=disputed") == [sudzha.pk]
    assert ids("claimant=ukraine") == [night.pk]
    assert ids("party=ukraine") == [sudzha.pk, night.pk]
    assert ids("occurred_after=2025-03-18&occurred_before=2025-03-19") == [night.pk]
    assert ids("occurred_after=2025-03-28T06:00:00Z") == [sudzha.pk]
    assert ids("commitment=energy-pause&kind=alleged_violation") == [sudzha.pk, night.pk]


def test_readings_filter_by_working_and_party(client, energy_pause):
    def labels(query):
        return [r["label"] for r in results(client.get(f"/api/readings/?{query}"))]

    assert labels("working=true") == ["Kremlin's count"]
    assert labels("working=false") == ["Ukraine's count"]
    assert labels("party=ukraine") == ["Ukraine's count"]


def test_agreements_filter_by_date_and_list_only_public_commitments(client, energy_pause):
    CommitmentFactory(agreement=energy_pause.agreement, slug="draft", is_published=False)
    AgreementFactory(slug="istanbul", held_on=dt.date(2025, 5, 16))

    assert [a["slug"] for a in results(client.get("/api/agreements/?held_after=2025-05-01"))] == [
        "istanbul"
    ]
    [call] = results(client.get("/api/agreements/?held_before=2025-05-01"))
    assert call["commitments"] == ["energy-pause"]


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("/api/commitments/?status=paused", "status", "paused is not one of the available"),
        ("/api/commitments/?category=weather", "category", "not one of the available"),
        ("/api/commitments/?party=atlantis", "party", "not one of the available"),
        ("/api/commitments/?ends_after=soon", "ends_after", "Enter a valid date/time"),
        ("/api/commitments/?stauts=expired", "stauts", "Unknown parameter"),
        ("/api/events/?verification=maybe", "verification", "not one of the available"),
        ("/api/events/?kind=rumour", "kind", "not one of the available"),
        ("/api/events/?occurred_after=yesterday", "occurred_after", "Enter a valid date/time"),
        (
            "/api/events/?occurred_after=2025-04-01&occurred_before=2025-03-01",
            "occurred_after",
            "must be earlier than occurred_before",
        ),
        ("/api/readings/?working=yes", "working", "not one of the available"),
        ("/api/agreements/?held_after=2025-13-01", "held_after", "Enter a valid date"),
        ("/api/parties/?kind=person", "kind", "not one of the available"),
        ("/api/commitments/?page=0", "page", "less than 1"),
        ("/api/commitments/?page=two", "page", "not an integer"),
        ("/api/commitments/?page=9", "page", "contains no results"),
        ("/api/commitments/?page_size=0", "page_size", "at least 1"),
        ("/api/commitments/?page_size=many", "page_size", "whole number"),
    ],
)
def test_bad_input_is_a_400_that_names_the_parameter(
    client, energy_pause, query, parameter, message
):
    response = client.get(query)

    assert response.status_code == 400
    assert message in " ".join(response.json()[parameter])


def test_huge_page_sizes_are_capped(client, db):
    CommitmentFactory.create_batch(205)

    page = client.get("/api/commitments/?page_size=100000").json()

    assert page["count"] == 205
    assert len(page["results"]) == 200
    assert "page=2" in page["next"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_refuses_writes_even_for_staff(client, energy_pause, reviewer, method):
    client.force_login(reviewer)

    response = getattr(client, method)(
        "/api/commitments/energy-pause/", {"status": "collapsed"}, content_type="application/json"
    )

    assert response.status_code == 405
    energy_pause.refresh_from_db()
    assert energy_pause.status == "in_force"


def test_the_api_shows_staff_what_everyone_sees(client, db, reviewer):
    CommitmentFactory(slug="draft", is_published=False)
    client.force_login(reviewer)

    assert results(client.get("/api/commitments/")) == []


def test_a_conditional_get_is_answered_304_and_responses_may_be_cached(client, energy_pause):
    first = client.get("/api/commitments/")

    again = client.get("/api/commitments/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert "public" in first["Cache-Control"]
    assert first["Last-Modified"]
    assert again.status_code == 304


def make_rows(n: int) -> None:
    for i in range(n):
        commitment = CommitmentFactory()
        CommitmentPartyFactory(commitment=commitment)
        ReadingFactory(commitment=commitment)
        event = ComplianceEventFactory(commitment=commitment)
        event.sources.add(SourceFactory())
        DeliveredQuantity.objects.create(event=event, received_by=event.claimant, quantity=i)
        commitment.agreement.parties.add(event.claimant)


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_lists_run_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_max_num_queries, endpoint
):
    make_rows(2)
    with django_assert_max_num_queries(10) as small:
        assert client.get(endpoint).status_code == 200
    make_rows(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(endpoint).status_code == 200


def test_commitment_detail_runs_a_fixed_number_of_queries(
    client, energy_pause, django_assert_max_num_queries
):
    for _ in range(30):
        event = ComplianceEventFactory(commitment=energy_pause)
        event.sources.add(SourceFactory())
    with django_assert_max_num_queries(10):
        assert client.get("/api/commitments/energy-pause/").status_code == 200


def test_the_data_page_documents_every_endpoint_and_its_filters(client, db):
    page = client.get("/data/").content.decode()

    for endpoint in ENDPOINTS:
        assert f"<code>{escape(endpoint.path)}</code>" in page
        filterset = getattr(endpoint.view, "filterset_class", None)
        for name in filterset.base_filters if filterset else ():
            assert f"<code>{name}</code>" in page


def test_options_and_head_are_answered_and_name_only_reading_methods(client, energy_pause):
    options = client.options("/api/commitments/")
    head = client.head("/api/commitments/energy-pause/")

    assert options.status_code == 200
    assert options["Allow"] == "GET, HEAD, OPTIONS"
    assert head.status_code == 200


@pytest.mark.parametrize("language", ["en", "uk", "ru"])
def test_each_text_is_english_under_its_own_name_with_its_translations_beside(
    client, energy_pause, language
):
    energy_pause.title_uk = "Пауза в ударах по енергетиці"
    energy_pause.save()

    response = client.get(f"/api/commitments/{energy_pause.slug}/", HTTP_ACCEPT_LANGUAGE=language)

    body = response.json()
    assert body["title"] == energy_pause.title_en
    assert body["title_uk"] == "Пауза в ударах по енергетиці"
    assert body["title_ru"] is None
    assert {"terms_uk", "terms_ru", "conditions_uk", "conditions_ru"} <= body.keys()
    reading = body["readings"][0]
    assert {"wording", "wording_language", "label_uk", "label_ru", "scope_uk"} <= reading.keys()
