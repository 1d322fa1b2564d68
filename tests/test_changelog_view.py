"""The recent-changes page: what changed in published records, and why; tombstones for the rest."""

import datetime as dt

import pytest
import time_machine

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    UserFactory,
)
from tracker import changelog, services

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)


@pytest.fixture
def reviewer(db):
    return UserFactory(username="olena.k", first_name="Olena", role="Reviewers")


@pytest.fixture
def pause(db):
    return CommitmentFactory(title="Pause on energy strikes", slug="energy-pause")


def changes_page(client) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client.get("/changes/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_status_change_shows_old_and_new_values_and_the_reason(client, pause, reviewer):
    services.change_status(pause, "suspended", actor=reviewer, reason="Talks broke down")

    page = changes_page(client)

    assert '<a href="/commitments/energy-pause/">Commitment “Pause on energy strikes”</a>' in page
    assert "UTC</time> · change" in page
    assert "<dt>status</dt>" in page
    assert 'in force</span> → <span class="new">suspended</span>' in page
    assert "Reason: Talks broke down" in page


def test_staff_names_and_internal_notes_never_appear(client, pause, reviewer):
    pause.internal_note = "Desk thinks the Kremlin will walk away"
    services.save_record(pause, actor=reviewer, reason="Note for the desk")
    services.change_status(pause, "suspended", actor=reviewer, reason="Talks broke down")

    page = changes_page(client)

    assert "olena" not in page.lower()
    assert "walk away" not in page
    assert "Note for the desk" not in page  # a change to internal fields only is not listed


def test_publishing_an_event_is_listed_with_a_link_to_it(client, pause, reviewer):
    russia, ukraine = PartyFactory(name="Russia"), PartyFactory(name="Ukraine")
    event = ComplianceEventFactory(
        commitment=pause, claimant=russia, accused=ukraine, is_published=False
    )
    services.publish(event, actor=reviewer, reason="Two sources agree")

    page = changes_page(client)

    assert (
        "Alleged violation, claimed by Russia against Ukraine, "
        "on “Pause on energy strikes” (19 March 2025)"
    ) in page
    assert "UTC</time> · published" in page
    assert f'href="/commitments/energy-pause/#event-{event.pk}"' in page
    assert "Reason: Two sources agree" in page


def test_an_unpublished_event_leaves_a_tombstone_without_its_content(client, pause, reviewer):
    event = ComplianceEventFactory(
        commitment=pause, summary="Strike on the Sloviansk substation", is_published=False
    )
    services.publish(event, actor=reviewer, reason="Looked solid")
    services.verify_event(event, "corroborated", actor=reviewer, reason="Second source")
    services.unpublish(event, actor=reviewer, reason="The source withdrew its report")

    page = changes_page(client)

    assert "A claim on “Pause on energy strikes”" in page
    assert "withdrawn from publication" in page
    assert "Reason: The source withdrew its report" in page
    assert "Sloviansk" not in page
    assert "corroborated" not in page
    assert "Looked solid" not in page


def test_drafts_never_appear(client, reviewer):
    draft = CommitmentFactory(title="Secret draft commitment", is_published=False)
    draft.terms = "Draft wording"
    services.save_record(draft, actor=reviewer, reason="Working on it")

    page = changes_page(client)

    assert "Secret draft" not in page
    assert "Working on it" not in page


def test_an_unpublished_commitment_names_only_its_agreement(client, pause, reviewer):
    services.unpublish(pause, actor=reviewer, reason="Published by mistake")

    page = changes_page(client)

    agreement = pause.agreement.title
    assert f"A commitment under “{agreement}”" in page
    assert "withdrawn from publication" in page
    assert "Pause on energy strikes" not in page


def test_a_correction_shows_the_record_as_it_is_now_not_what_it_said_before(
    client, pause, reviewer
):
    services.change_status(pause, "expired", actor=services.CLOCK, reason="window ended")
    services.change_status(
        pause, "in_force", actor=reviewer, reason="It was extended", correction=True
    )

    page = changes_page(client)

    corrected = page[page.index("· correction") :]
    assert '<span class="new">in force</span>' in corrected
    assert "Reason: Correction: It was extended" in corrected
    assert '<span class="old">' not in corrected[: corrected.index("</li>")]


def test_a_retraction_is_called_one(client, pause, reviewer):
    event = ComplianceEventFactory(commitment=pause)
    services.verify_event(event, "retracted", actor=reviewer, reason="Claimant took it back")

    page = changes_page(client)

    assert "· retraction" in page
    assert "Reason: Claimant took it back" in page


def test_an_accusation_shows_party_names_not_ids(pause, reviewer):
    russia, ukraine = PartyFactory(name="Russia"), PartyFactory(name="Ukraine")
    event = ComplianceEventFactory(commitment=pause, claimant=russia, accused=ukraine)
    event.accused = russia
    event.claimant = ukraine
    services.save_record(event, actor=reviewer, reason="Sides were swapped")

    (entry,) = [e for e in changelog.recent_changes() if e.reason == "Sides were swapped"]

    assert {(f.label, f.old, f.new) for f in entry.fields} == {
        ("claimant", "Russia", "Ukraine"),
        ("accused", "Ukraine", "Russia"),
    }


def test_entries_are_newest_first_with_stable_keys_and_a_limit(pause, reviewer):
    for status in ("suspended", "in_force", "suspended"):
        services.change_status(pause, status, actor=reviewer, reason=f"Now {status}")

    entries = changelog.recent_changes(limit=2)

    assert [e.reason for e in entries] == ["Now suspended", "Now in_force"]
    assert entries == changelog.recent_changes(limit=2)
    assert len({e.key for e in changelog.recent_changes()}) == len(changelog.recent_changes())


def test_the_page_runs_a_fixed_number_of_queries(
    client, pause, reviewer, django_assert_max_num_queries
):
    for _ in range(10):
        event = ComplianceEventFactory(commitment=pause, is_published=False)
        services.publish(event, actor=reviewer, reason="Checked")

    with django_assert_max_num_queries(12):
        changes_page(client)


def test_long_texts_are_named_but_not_quoted(client, pause, reviewer):
    event = ComplianceEventFactory(commitment=pause, summary="First wording of the claim")
    event.summary = "Second wording of the claim"
    event.count = 14
    services.save_record(event, actor=reviewer, reason="Source updated its report")

    page = changes_page(client)

    assert "<dt>summary</dt><dd>reworded</dd>" in page
    assert "wording of the claim" not in page
    assert '<span class="new">14</span>' in page


def test_older_changes_are_a_page_away(client, pause, reviewer):
    for n in range(changelog.DEFAULT_LIMIT + 2):
        # A day apart, so each is an entry of its own.
        with time_machine.travel(NOW - dt.timedelta(days=60 - n), tick=False):
            services.change_status(
                pause,
                "suspended" if n % 2 == 0 else "in_force",
                actor=reviewer,
                reason=f"Step {n}",
            )

    first = changes_page(client)
    with time_machine.travel(NOW, tick=False):
        older = client.get("/changes/?page=2").content.decode()

    assert "Reason: Step 51<" in first
    assert 'href="?page=2"' in first
    assert "Reason: Step 1<" in older and "Reason: Step 51<" not in older
    assert 'href="?page=1"' in older


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?page=x", "The page number must be a whole number."),
        ("?page=0", "Pages are numbered from 1."),
        ("?page=999999", "Only the latest 20 pages of changes are listed"),
    ],
)
def test_bad_page_numbers_get_a_clear_400(client, db, query, message):
    response = client.get(f"/changes/{query}")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_moved_end_is_said_on_the_readers_clock_as_precisely_as_the_reading(
    client, pause, reviewer
):
    ReadingFactory(
        commitment=pause,
        ends_at=dt.datetime(2025, 4, 16, 21, tzinfo=UTC),
        time_zone="Europe/Moscow",
        precision="minute",
    )
    services.extend_window(pause, actor=reviewer, reason="Extended by a week", extra_days=7)

    with time_machine.travel(NOW, tick=False):
        page = client.get("/changes/", {"tz": "Europe/Kyiv"}).content.decode()

    assert (
        '17 April 2025, 00:00 Kyiv time</span> → <span class="new">24 April 2025, 00:00 Kyiv time'
    ) in page


def test_a_drafts_reason_never_shows_when_it_is_offered_as_the_working_reading(
    client, pause, reviewer
):
    """The public's dates come from a public reading, so a draft cannot replace it; and
    the attempt leaves nothing of the draft, its reason least of all, on the changes page."""
    ReadingFactory(commitment=pause, label="Kremlin count")
    draft = ReadingFactory(commitment=pause, label="Draft count", is_working=False)
    draft.is_published = False
    draft.save()
    with pytest.raises(services.PublishingRefused):
        services.make_working(draft, actor=reviewer, reason="Leaked memo says the pause ends early")

    page = changes_page(client)
    with time_machine.travel(NOW, tick=False):
        feed = client.get("/changes/feed/").content.decode()

    for output in (page, feed):
        assert "Leaked memo" not in output
        assert "Draft count" not in output


@pytest.mark.parametrize("address", ["/changes/", "/changes/feed/"])
def test_a_claim_moved_through_an_unpublished_commitment_leaves_the_changes_readable(
    client, pause, reviewer, address
):
    draft = CommitmentFactory(title="Secret draft commitment", slug="draft", is_published=False)
    event = ComplianceEventFactory(commitment=pause)
    event.commitment = draft
    services.save_record(event, actor=reviewer, reason="Filed under the wrong commitment")
    event.commitment = pause
    event.count = 3
    services.save_record(event, actor=reviewer, reason="Back where it belongs, with a count")

    with time_machine.travel(NOW, tick=False):
        response = client.get(address)

    assert response.status_code == 200
    output = response.content.decode()
    assert "Back where it belongs" in output
    assert "Secret draft" not in output
