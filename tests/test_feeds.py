"""Atom feeds: the changelog and one per commitment."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    SourceFactory,
)
from tracker import services
from tracker.models import StatusChange

UTC = dt.UTC
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "id": entry.findtext(f"{ATOM}id"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def energy_pause(db):
    with time_machine.travel(dt.datetime(2025, 3, 18, 12, tzinfo=UTC), tick=False):
        return CommitmentFactory(slug="energy-pause", title="Pause on energy strikes")


def test_commitment_feed_lists_status_changes_and_published_events_newest_first(
    client, energy_pause, reviewer
):
    russia = PartyFactory(name="Russia")
    ukraine = PartyFactory(name="Ukraine")
    with time_machine.travel(dt.datetime(2025, 3, 19, 8, tzinfo=UTC), tick=False):
        claim = ComplianceEventFactory(
            commitment=energy_pause,
            claimant=ukraine,
            accused=russia,
            summary="Strike on a substation in Sloviansk",
        )
        claim.sources.add(SourceFactory(url="https://example.org/sloviansk", title="Report"))
        ComplianceEventFactory(commitment=energy_pause, summary="Draft", is_published=False)
    with time_machine.travel(dt.datetime(2025, 4, 17, 0, tzinfo=UTC), tick=False):
        StatusChange.objects.create(
            commitment=energy_pause,
            from_status="in_force",
            to_status="expired",
            effective_at=dt.datetime(2025, 4, 17, tzinfo=UTC),
            reason="window ended",
            actor=StatusChange.Actor.CLOCK,
        )

    expiry, event = entries(client.get("/commitments/energy-pause/feed/"))

    assert expiry["title"] == "Status: in force → expired"
    assert "its agreed period ended" in expiry["summary"]
    assert "the clock" in expiry["summary"]
    assert event["title"] == "Alleged violation: Ukraine against Russia (unverified)"
    assert "Strike on a substation in Sloviansk" in event["summary"]
    assert 'href="https://example.org/sloviansk"' in event["summary"]
    assert event["link"] == f"http://testserver/commitments/energy-pause/#event-{claim.pk}"


def test_status_changes_show_the_role_never_the_person(client, energy_pause):
    StatusChange.objects.create(
        commitment=energy_pause,
        from_status="in_force",
        to_status="suspended",
        effective_at=dt.datetime(2025, 4, 1, tzinfo=UTC),
        reason="Talks paused",
        actor=StatusChange.Actor.REVIEWER,
    )

    [change] = entries(client.get("/commitments/energy-pause/feed/"))

    assert "a reviewer" in change["summary"]


def test_an_entry_keeps_its_id_and_shows_as_updated_when_the_event_is_verified(
    client, energy_pause, reviewer
):
    with time_machine.travel(dt.datetime(2025, 3, 19, 8, tzinfo=UTC), tick=False):
        event = ComplianceEventFactory(commitment=energy_pause)
        [first] = entries(client.get("/commitments/energy-pause/feed/"))
    with time_machine.travel(dt.datetime(2025, 3, 21, 8, tzinfo=UTC), tick=False):
        services.verify_event(event, "verified", actor=reviewer, reason="Confirmed by monitors")
        [second] = entries(client.get("/commitments/energy-pause/feed/"))

    assert first["id"] == second["id"]
    assert first["id"].startswith("tag:")
    assert "(verified)" in second["title"]
    assert second["updated"].startswith("2025-03-21T08:00:00")


def test_a_verified_violation_is_titled_verified_never_alleged_in_every_language(
    client, energy_pause, reviewer
):
    russia = PartyFactory(name="Russia", name_uk="Росія", name_ru="Россия")
    ukraine = PartyFactory(name="Ukraine", name_uk="Україна", name_ru="Украина")
    event = ComplianceEventFactory(commitment=energy_pause, claimant=ukraine, accused=russia)
    services.verify_event(event, "verified", actor=reviewer, reason="Confirmed by monitors")

    titles = {
        language: entries(
            client.get("/commitments/energy-pause/feed/", headers={"accept-language": language})
        )[0]["title"]
        for language in ("en", "uk", "ru")
    }

    assert titles["en"] == "Verified violation: Ukraine against Russia (verified)"
    assert titles["uk"].startswith("Перевірене порушення: заявник — Україна")
    assert titles["ru"].startswith("Проверенное нарушение: заявитель — Украина")


def test_commitment_feed_of_an_unpublished_or_unknown_commitment_is_404(client, db):
    CommitmentFactory(slug="draft", is_published=False)

    assert client.get("/commitments/draft/feed/").status_code == 404
    assert client.get("/commitments/no-such-thing/feed/").status_code == 404


def test_changes_feed_shows_publications_and_withdrawals_with_their_reasons(
    client, energy_pause, reviewer
):
    with time_machine.travel(dt.datetime(2025, 3, 19, 9, tzinfo=UTC), tick=False):
        event = ComplianceEventFactory(commitment=energy_pause, is_published=False)
    with time_machine.travel(dt.datetime(2025, 3, 20, 9, tzinfo=UTC), tick=False):
        services.publish(event, actor=reviewer, reason="Two sources agree")
    publication = entries(client.get("/changes/feed/"))[0]
    with time_machine.travel(dt.datetime(2025, 3, 22, 9, tzinfo=UTC), tick=False):
        services.unpublish(event, actor=reviewer, reason="The source withdrew its report")
    withdrawal = entries(client.get("/changes/feed/"))[0]

    assert publication["title"].endswith("on “Pause on energy strikes” (19 March 2025)")
    assert publication["title"].startswith("Alleged violation, claimed by ")
    assert "Two sources agree" in publication["summary"]
    assert withdrawal["title"] == "A claim on “Pause on energy strikes”"
    assert "withdrawn from publication" in withdrawal["summary"]
    assert "The source withdrew its report" in withdrawal["summary"]
    assert withdrawal["link"] == "http://testserver/commitments/energy-pause/"


def test_feeds_answer_conditional_gets_with_304(client, energy_pause):
    for url in ("/changes/feed/", "/commitments/energy-pause/feed/"):
        first = client.get(url)
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

        assert "public" in first["Cache-Control"]
        assert again.status_code == 304


def test_feeds_name_the_site_as_author_never_a_person(client, energy_pause):
    feed = ET.fromstring(client.get("/commitments/energy-pause/feed/").content)

    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Ceasefire Commitment Tracker"
