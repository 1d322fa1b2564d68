"""The review queue: one page of everything that waits for a reviewer, oldest first.

Each claim comes with its sources and the other side's claims of that day;
one form verifies and publishes it (the reviewer choosing the verification)
or sends it back with a reason; ticked items are decided together, each
keeping its own history.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import (
    CommitmentFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker import public, services
from tracker.models import ComplianceEvent, Revision, SentBack

UTC = dt.UTC
QUEUE = "/admin/review/"


@pytest.fixture
def sides(db):
    return PartyFactory(name="Ukraine", slug="ukraine"), PartyFactory(name="Russia", slug="russia")


@pytest.fixture
def pause(db):
    return CommitmentFactory(title="Energy pause", slug="energy-pause")


def draft_claim(pause, claimant, accused, summary, recorded: dt.datetime, **fields):
    with time_machine.travel(recorded, tick=False):
        return ComplianceEventFactory(
            commitment=pause,
            claimant=claimant,
            accused=accused,
            summary=summary,
            is_published=False,
            occurred_at=dt.datetime(2025, 3, 19, 2, tzinfo=UTC),
            **fields,
        )


@pytest.fixture
def waiting(pause, sides):
    """Two draft claims, each side's, about the same night, recorded a day apart."""
    ukraine, russia = sides
    kyiv = draft_claim(
        pause, ukraine, russia, "Drone strike on a substation in Sumy.",
        dt.datetime(2025, 3, 20, tzinfo=UTC),
    )  # fmt: skip
    kyiv.sources.set([SourceFactory(url="https://mod.example.org/ua/19-march", title="MoD daily")])
    moscow = draft_claim(
        pause, russia, ukraine, "Ukraine struck the Sudzha gas station.",
        dt.datetime(2025, 3, 19, 12, tzinfo=UTC),
    )  # fmt: skip
    return kyiv, moscow


def item_ids(response) -> list[str]:
    return [item.key for item in response.context["items"]]


def test_the_queue_lists_what_waits_oldest_first(client, reviewer, waiting, pause):
    kyiv, moscow = waiting
    client.force_login(reviewer)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert item_ids(response) == [f"claim:{moscow.pk}", f"claim:{kyiv.pk}"]


def test_each_claim_comes_with_its_sources_and_the_other_sides_claims_that_day(
    client, reviewer, waiting
):
    kyiv, moscow = waiting
    client.force_login(reviewer)

    response = client.get(QUEUE)

    item = next(i for i in response.context["items"] if i.pk == kyiv.pk)
    assert [other.pk for other in item.other_side] == [moscow.pk]
    html = response.text
    assert 'href="https://mod.example.org/ua/19-march"' in html
    assert "Ukraine struck the Sudzha gas station." in html


def test_unpublished_records_revisions_and_possible_duplicates_wait_too(
    client, reviewer, editor, pause, sides
):
    ukraine, russia = sides
    reading = ReadingFactory(commitment=pause, is_published=False, is_working=False)
    published = ComplianceEventFactory(commitment=pause, verification="verified")
    services.edit_record(published, {"count": 2}, actor=editor, reason="Two strikes")
    original = ComplianceEventFactory(commitment=pause, verification="verified")
    repeat = ComplianceEventFactory(
        commitment=pause, is_published=False, possible_duplicate_of=original
    )
    client.force_login(reviewer)

    everything = set(item_ids(client.get(QUEUE)))
    duplicates = item_ids(client.get(QUEUE, {"show": "duplicates"}))
    revisions = item_ids(client.get(QUEUE, {"show": "revisions"}))

    revision = Revision.objects.get()
    assert {f"reading:{reading.pk}", f"revision:{revision.pk}", f"claim:{repeat.pk}"} <= everything
    assert f"claim:{published.pk}" not in everything  # verified; its revision stands for it
    assert duplicates == [f"claim:{repeat.pk}"]
    assert revisions == [f"revision:{revision.pk}"]


def test_one_step_verifies_and_publishes_a_claim_as_the_reviewer_chose(client, reviewer, waiting):
    kyiv, _ = waiting
    client.force_login(reviewer)

    response = client.post(
        QUEUE,
        {
            "selected": f"claim:{kyiv.pk}",
            "verification": "corroborated",
            "reason": "MoD list and local reports",
            "publish": "Verify and publish",
        },
    )

    assert response.status_code == 302
    stored = ComplianceEvent.objects.get(pk=kyiv.pk)
    assert (stored.verification, stored.is_published) == ("corroborated", True)
    reasons = list(stored.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["MoD list and local reports"] * 2  # verified, then published
    assert f"claim:{kyiv.pk}" not in item_ids(client.get(QUEUE))


def test_a_claim_is_not_published_until_the_reviewer_chooses_its_verification(
    client, reviewer, waiting
):
    kyiv, _ = waiting
    client.force_login(reviewer)

    response = client.post(
        QUEUE, {"selected": f"claim:{kyiv.pk}", "reason": "Looks right", "publish": "1"}
    )

    assert response.status_code == 200
    assert "choose its verification" in response.text
    stored = ComplianceEvent.objects.get(pk=kyiv.pk)
    assert (stored.verification, stored.is_published) == ("unverified", False)


def test_a_batch_is_verified_and_published_each_with_its_own_history(client, reviewer, waiting):
    client.force_login(reviewer)

    response = client.post(
        QUEUE,
        {
            "selected": [f"claim:{claim.pk}" for claim in waiting],
            "verification": "disputed",
            "reason": "Each side denies the other's",
            "publish": "Verify and publish the ticked",
        },
    )

    assert response.status_code == 302
    for claim in waiting:
        stored = ComplianceEvent.objects.get(pk=claim.pk)
        assert (stored.verification, stored.is_published) == ("disputed", True)
        rows = stored.history.filter(history_change_reason="Each side denies the other's")
        assert rows.count() == 2
    assert public.events().count() == 2


def test_a_batch_is_all_or_nothing(client, reviewer, waiting):
    kyiv, moscow = waiting
    client.force_login(reviewer)
    ComplianceEvent.objects.filter(pk=moscow.pk).update(
        commitment=CommitmentFactory(is_published=False)
    )

    response = client.post(
        QUEUE,
        {
            "selected": [f"claim:{kyiv.pk}", f"claim:{moscow.pk}"],
            "verification": "verified",
            "reason": "Checked",
            "publish": "1",
        },
    )

    assert response.status_code == 200
    assert "Publish the commitment first" in response.text
    assert not ComplianceEvent.objects.filter(is_published=True).exists()
    assert ComplianceEvent.objects.get(pk=kyiv.pk).verification == "unverified"


def test_sending_back_takes_an_item_out_of_the_queue_until_it_is_edited(
    client, reviewer, editor, waiting
):
    kyiv, _ = waiting
    client.force_login(reviewer)

    client.post(
        QUEUE,
        {"selected": f"claim:{kyiv.pk}", "reason": "Which substation?", "send_back": "1"},
    )

    assert SentBack.objects.get().reason == "Which substation?"
    assert f"claim:{kyiv.pk}" not in item_ids(client.get(QUEUE))
    services.edit_record(kyiv, {"location": "Sumy CHP"}, actor=editor, reason="Named it")
    assert f"claim:{kyiv.pk}" in item_ids(client.get(QUEUE))


def test_the_queue_publishes_a_revision_with_the_chosen_verification(
    client, reviewer, editor, pause
):
    claim = ComplianceEventFactory(commitment=pause, verification="verified")
    services.edit_record(claim, {"summary": "Two drones."}, actor=editor, reason="Correction")
    revision = Revision.objects.get()
    client.force_login(reviewer)

    client.post(
        QUEUE,
        {
            "selected": f"revision:{revision.pk}",
            "verification": "verified",
            "reason": "Same images",
            "publish": "1",
        },
    )

    stored = ComplianceEvent.objects.get(pk=claim.pk)
    assert (stored.summary, stored.verification) == ("Two drones.", "verified")


def test_editors_read_the_queue_but_cannot_decide(client, editor, waiting):
    kyiv, _ = waiting
    client.force_login(editor)

    page = client.get(QUEUE)
    response = client.post(
        QUEUE,
        {"selected": f"claim:{kyiv.pk}", "verification": "verified", "reason": "x", "publish": "1"},
    )

    assert page.status_code == 200 and 'name="publish"' not in page.text
    assert response.status_code == 403
    assert not ComplianceEvent.objects.get(pk=kyiv.pk).is_published


def test_the_queue_is_for_staff_only(client, outsider, db):
    assert client.get(QUEUE).status_code == 302  # to the login page
    client.force_login(outsider)
    assert client.get(QUEUE).status_code == 403


def test_every_staff_page_links_to_the_queue(client, reviewer, db):
    client.force_login(reviewer)

    assert reverse("review_queue") in client.get("/admin/").text


@pytest.mark.parametrize(
    "selected", ["claim:99999999999999999999999", "claim:x", "nothing:1", "revision:", ""]
)
def test_a_made_up_item_is_refused_clearly(client, reviewer, db, selected):
    client.force_login(reviewer)

    response = client.post(
        QUEUE, {"selected": selected, "verification": "verified", "reason": "x", "publish": "1"}
    )

    assert response.status_code == 200
    assert "errornote" in response.text


@pytest.mark.parametrize(
    "query", ["?page=99999999999999999999", "?show=x&commitment=1e9", "?page=-1"]
)
def test_made_up_queue_addresses_show_the_queue(client, reviewer, db, query):
    client.force_login(reviewer)

    assert client.get(QUEUE + query).status_code == 200


def test_a_made_up_revision_address_is_a_404(client, reviewer, db):
    client.force_login(reviewer)

    assert client.get("/admin/tracker/revision/99999999999999999999999/change/").status_code == 404
