"""The changelog as readers read it: one entry per record and day, the demo data as one.

Each entry names what changed (the kind of record, who claims it against
whom, its commitment) and lists that day's changes to it with their times
and reasons. Loading the demo data set is one entry that counts what it
published.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.core.management import call_command

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    UserFactory,
)
from tracker import changelog_groups, services

UTC = dt.UTC
SET_UP = dt.datetime(2025, 3, 1, 9, tzinfo=UTC)
MORNING = dt.datetime(2025, 3, 20, 9, tzinfo=UTC)
NOW = dt.datetime(2025, 3, 25, 12, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def reviewer(db):
    return UserFactory(username="olena.k", role="Reviewers")


@pytest.fixture
def pause(db):
    with at(SET_UP):
        return CommitmentFactory(title="Pause on energy strikes", slug="energy-pause")


@pytest.fixture
def claim(pause):
    with at(SET_UP):
        russia = PartyFactory(name="Russia", slug="russia")
        ukraine = PartyFactory(name="Ukraine", slug="ukraine")
        return ComplianceEventFactory(
            commitment=pause, claimant=russia, accused=ukraine, is_published=False
        )


def entries(client, language: str = "en", **query) -> list[str]:
    """Each entry of /changes/ as the reader reads it, leaving out the records' creation."""
    with time_machine.travel(NOW, tick=False):
        response = client.get("/changes/", query, headers={"accept-language": language})
    assert response.status_code == 200
    page = response.content.decode()
    items = page.split('<li class="change')[1:]
    items[-1] = items[-1][: items[-1].index("</ol>")]
    said = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", "<" + item)).split()) for item in items]
    return [entry for entry in said if not re.search(r"\b1 (March|березня|марта) 2025,", entry)]


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


def test_a_mornings_work_on_one_claim_is_one_entry_listing_each_change(client, claim, reviewer):
    with at(MORNING):
        services.publish(claim, actor=reviewer, reason="Two sources agree")
    with at(MORNING + dt.timedelta(hours=1)):
        services.verify_event(claim, "corroborated", actor=reviewer, reason="A third source")
    with at(MORNING + dt.timedelta(hours=2)):
        claim.count = 3
        services.save_record(claim, actor=reviewer, reason="The report counts three strikes")

    (entry,) = entries(client)

    assert entry.startswith(
        "Alleged violation, claimed by Russia against Ukraine, "
        "on “Pause on energy strikes” (19 March 2025)"
    )
    steps = re.findall(r"20 March 2025, (\d\d:\d\d) UTC · (\w+)", entry)
    assert steps == [("11:00", "change"), ("10:00", "change"), ("09:00", "published")]
    for reason in ("Two sources agree", "A third source", "The report counts three strikes"):
        assert f"Reason: {reason}" in entry
    assert "count was — → 3" in entry


def test_the_same_record_on_another_day_is_another_entry(client, claim, reviewer):
    with at(MORNING):
        services.publish(claim, actor=reviewer, reason="Two sources agree")
    with at(MORNING + dt.timedelta(days=2)):
        services.verify_event(claim, "corroborated", actor=reviewer, reason="A third source")

    newer, older = entries(client)

    assert "22 March 2025" in newer and "A third source" in newer
    assert "20 March 2025" in older and "Two sources agree" in older


def test_a_day_is_the_day_on_the_readers_clock(client, claim, reviewer):
    # 23:30 and 00:30 UTC are 01:30 and 02:30 on the same day in Kyiv (UTC+2 in March).
    with at(dt.datetime(2025, 3, 20, 23, 30, tzinfo=UTC)):
        services.publish(claim, actor=reviewer, reason="Two sources agree")
    with at(dt.datetime(2025, 3, 21, 0, 30, tzinfo=UTC)):
        services.verify_event(claim, "corroborated", actor=reviewer, reason="A third source")

    assert len(entries(client)) == 2
    assert len(entries(client, tz="Europe/Kyiv")) == 1


def test_an_entry_names_the_claim_in_the_readers_language(client, claim, reviewer):
    with at(MORNING):
        services.publish(claim, actor=reviewer, reason="Two sources agree")

    (ukrainian,) = entries(client, "uk")
    (russian,) = entries(client, "ru")

    assert ukrainian.startswith(
        "Заявлене порушення: заявник — Russia, звинувачена сторона — Ukraine, "
        "щодо «Pause on energy strikes» (19 березня 2025)"
    )
    assert "опубліковано" in ukrainian
    assert russian.startswith(
        "Заявленное нарушение: заявитель — Russia, обвиняемая сторона — Ukraine, "
        "по обязательству «Pause on energy strikes» (19 марта 2025)"
    )


def test_a_verified_violation_is_named_verified_never_alleged_in_every_language(
    client, claim, reviewer
):
    with at(MORNING):
        services.publish(claim, actor=reviewer, reason="Two sources agree")
    with at(MORNING + dt.timedelta(hours=1)):
        services.verify_event(claim, "verified", actor=reviewer, reason="The mission confirms it")

    (english,) = entries(client)
    (ukrainian,) = entries(client, "uk")
    (russian,) = entries(client, "ru")

    assert english.startswith("Verified violation, claimed by Russia against Ukraine, ")
    assert ukrainian.startswith("Перевірене порушення: заявник — Russia, ")
    assert russian.startswith("Проверенное нарушение: заявитель — Russia, ")
    for entry in (english, ukrainian, russian):
        assert not re.search("Alleged|Заявлене|Заявленное", entry)


def test_a_status_change_names_the_commitment_and_translates_the_clocks_reason(
    client, pause, reviewer
):
    with at(MORNING):
        services.change_status(pause, "expired", actor=services.CLOCK, reason="window ended")

    (english,) = entries(client)
    (ukrainian,) = entries(client, "uk")

    assert english.startswith("Commitment “Pause on energy strikes”")
    assert "Reason: its agreed period ended" in english
    assert "сплив узгоджений строк" in ukrainian
    assert "window ended" not in ukrainian


def test_a_withdrawn_claim_is_named_only_by_its_kind_and_commitment(client, claim, reviewer):
    with at(MORNING):
        services.publish(claim, actor=reviewer, reason="Two sources agree")
    with at(MORNING + dt.timedelta(hours=1)):
        services.unpublish(claim, actor=reviewer, reason="The source withdrew its report")

    (entry,) = entries(client)

    assert entry.startswith("A claim on “Pause on energy strikes”")
    assert "withdrawn from publication" in entry
    assert "Russia" not in entry and "Alleged" not in entry
    assert "Two sources agree" not in entry


def test_a_long_day_on_one_record_is_never_cut_in_two(pause, reviewer):
    with at(MORNING - dt.timedelta(days=1)):
        other = CommitmentFactory(title="Black Sea navigation")
        services.change_status(other, "suspended", actor=reviewer, reason="Yesterday's change")
    for n in range(12):
        with at(MORNING + dt.timedelta(minutes=n)):
            status = "suspended" if n % 2 == 0 else "in_force"
            services.change_status(pause, status, actor=reviewer, reason=f"Step {n}")

    groups = changelog_groups.recent_groups(limit=1)
    (today,) = groups
    both = changelog_groups.recent_groups(limit=2)

    assert [c.reason for c in today.changes] == [f"Step {n}" for n in reversed(range(12))]
    assert [len(g.changes) for g in both] == [12, 2]  # yesterday's: created, then suspended


def test_the_feed_has_one_entry_per_record_and_day_that_keeps_its_id(client, claim, reviewer):
    with at(MORNING):
        services.publish(claim, actor=reviewer, reason="Two sources agree")
    with at(NOW):
        first = ET.fromstring(client.get("/changes/feed/").content)
    with at(MORNING + dt.timedelta(hours=3)):
        services.verify_event(claim, "corroborated", actor=reviewer, reason="A third source")
    with at(NOW):
        second = ET.fromstring(client.get("/changes/feed/").content)

    def about_the_claim(feed):
        return [e for e in feed.findall(f"{ATOM}entry") if "Alleged" in e.findtext(f"{ATOM}title")]

    (before,), (after,) = about_the_claim(first), about_the_claim(second)
    assert before.findtext(f"{ATOM}id") == after.findtext(f"{ATOM}id")
    assert after.findtext(f"{ATOM}title").startswith("Alleged violation, claimed by Russia")
    assert "A third source" in after.findtext(f"{ATOM}summary")
    assert after.findtext(f"{ATOM}updated") > before.findtext(f"{ATOM}updated")


def test_loading_the_demo_data_is_one_entry_that_counts_what_it_published(client, db, reviewer):
    with at(dt.datetime(2025, 7, 1, 12, tzinfo=UTC)):
        call_command("load_demo", stdout=io.StringIO())
    with at(dt.datetime(2025, 7, 2, 9, tzinfo=UTC)):
        from tracker.models import Commitment

        services.change_status(
            Commitment.objects.get(slug="return-of-bodies-6000"),
            "fulfilled",
            actor=reviewer,
            reason="Both sides confirmed the last handover",
        )

    with at(dt.datetime(2025, 7, 3, tzinfo=UTC)):
        response = client.get("/changes/")
        ukrainian = client.get("/changes/", headers={"accept-language": "uk"})
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    uk_page = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", ukrainian.content.decode())).split())

    # The demo is dated as it unfolded: one entry for each day it published something.
    assert page.count("The demonstration data set was loaded") == 16
    assert (
        "The demonstration data set was loaded 18 March 2025, 17:00 UTC "
        "Published: 1 agreement, 2 commitments, 4 readings of the terms, 1 claim."
    ) in page
    assert "Commitment “Return of 6,000 bodies each way”" in page
    assert page.index("Return of 6,000") < page.index("The demonstration data set")
    assert "Reason: Demo data" not in page
    assert "Завантажено демонстраційний набір даних" in uk_page
    assert "Опубліковано: 1 угода, 2 зобов'язання, 4 тлумачення умов, 1 заява." in uk_page
