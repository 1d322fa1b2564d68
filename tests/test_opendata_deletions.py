"""/data/deletions.csv: what left the files and when, so a mirror can stay in step.

Like ACLED's list of deleted events: each record that was in a file and is no
longer (unpublished, deleted, or taken out with its commitment or agreement),
by the id it had there, with the time it left. Records that were never public
are never named, not even by id.
"""

import csv
import datetime as dt
import io

import pytest
import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ComplianceEventFactory,
    ReadingFactory,
)
from tracker import services

UTC = dt.UTC
PUBLISHED = dt.datetime(2025, 3, 20, 9, tzinfo=UTC)
WITHDRAWN = dt.datetime(2025, 4, 2, 14, 30, tzinfo=UTC)
LATER = dt.datetime(2025, 4, 10, 8, tzinfo=UTC)


def withdrawals(client, query: str = "") -> list[tuple[str, str, str]]:
    response = client.get(f"/data/deletions.csv{query}")
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode()
    return [(r["file"], r["id"], r["withdrawn_at"]) for r in csv.DictReader(io.StringIO(text))]


def ids_in(client, filename: str) -> set[str]:
    text = b"".join(client.get(f"/data/{filename}").streaming_content).decode()
    return {row["id"] for row in csv.DictReader(io.StringIO(text))}


@pytest.fixture
def published(db):
    with time_machine.travel(PUBLISHED, tick=False):
        commitment = CommitmentFactory(slug="energy-pause")
        return {
            "commitment": commitment,
            "claim": ComplianceEventFactory(commitment=commitment),
            "other": ComplianceEventFactory(commitment=commitment),
            "reading": ReadingFactory(commitment=commitment),
        }


def test_nothing_is_listed_while_nothing_was_withdrawn(client, published):
    assert withdrawals(client) == []


def test_an_unpublished_claim_leaves_the_events_file_and_is_listed_by_its_id(
    client, published, reviewer
):
    claim = published["claim"]
    assert str(claim.pk) in ids_in(client, "events.csv")

    with time_machine.travel(WITHDRAWN, tick=False):
        services.unpublish(claim, actor=reviewer, reason="Source retracted its report")

    assert str(claim.pk) not in ids_in(client, "events.csv")
    assert withdrawals(client) == [("events", str(claim.pk), "2025-04-02T14:30:00Z")]


def test_a_claim_published_again_leaves_the_list_and_keeps_its_id(client, published, reviewer):
    claim = published["claim"]
    with time_machine.travel(WITHDRAWN, tick=False):
        services.unpublish(claim, actor=reviewer, reason="Checking the source")
    with time_machine.travel(LATER, tick=False):
        services.publish(claim, actor=reviewer, reason="Source confirmed")

    assert withdrawals(client) == []
    assert str(claim.pk) in ids_in(client, "events.csv")


def test_a_withdrawn_commitment_takes_its_claims_and_readings_with_it(client, published, reviewer):
    with time_machine.travel(WITHDRAWN, tick=False):
        services.unpublish(published["commitment"], actor=reviewer, reason="Not a commitment")

    listed = set(withdrawals(client))

    at = "2025-04-02T14:30:00Z"
    assert listed == {
        ("commitments", str(published["commitment"].pk), at),
        ("events", str(published["claim"].pk), at),
        ("events", str(published["other"].pk), at),
        ("readings", str(published["reading"].pk), at),
    }


def test_a_withdrawn_agreement_takes_everything_under_it(client, published, reviewer):
    agreement = published["commitment"].agreement
    with time_machine.travel(WITHDRAWN, tick=False):
        services.unpublish(agreement, actor=reviewer, reason="Duplicate of another record")

    files = sorted({file for file, _id, _at in withdrawals(client)})

    assert files == ["agreements", "commitments", "events", "readings"]


def test_a_deleted_claim_is_listed(client, published):
    claim_id = published["claim"].pk
    with time_machine.travel(WITHDRAWN, tick=False):
        published["claim"].delete()

    assert withdrawals(client) == [("events", str(claim_id), "2025-04-02T14:30:00Z")]


def test_drafts_are_never_named_however_often_they_change(client, published, reviewer):
    with time_machine.travel(PUBLISHED, tick=False):
        draft = ComplianceEventFactory(commitment=published["commitment"], is_published=False)
        draft.summary = "Edited draft"
        draft.save()
        draft.delete()
        draft_commitment = CommitmentFactory(is_published=False)
        draft_commitment.title = "Edited"
        draft_commitment.save()

    assert withdrawals(client) == []


def test_a_claim_published_under_a_commitment_that_never_was_public_is_never_named(
    client, db, reviewer
):
    with time_machine.travel(PUBLISHED, tick=False):
        hidden = CommitmentFactory(is_published=False)
        claim = ComplianceEventFactory(commitment=hidden, is_published=True)
        hidden_agreement = AgreementFactory(is_published=False)
        under_hidden = CommitmentFactory(agreement=hidden_agreement, is_published=True)
    with time_machine.travel(WITHDRAWN, tick=False):
        claim.is_published = False
        claim.save()
        under_hidden.delete()

    assert withdrawals(client) == []


def test_a_claim_public_only_while_its_commitment_was_is_withdrawn_with_it(client, db, reviewer):
    with time_machine.travel(PUBLISHED, tick=False):
        commitment = CommitmentFactory()
        claim = ComplianceEventFactory(commitment=commitment, is_published=False)
    with time_machine.travel(WITHDRAWN, tick=False):
        services.publish(claim, actor=reviewer, reason="Checked")
    with time_machine.travel(LATER, tick=False):
        services.unpublish(commitment, actor=reviewer, reason="Withdrawn")
        services.unpublish(claim, actor=reviewer, reason="And the claim")

    assert ("events", str(claim.pk), "2025-04-10T08:00:00Z") in withdrawals(client)


def test_a_mirror_asks_only_for_what_left_since_its_last_copy(client, published, reviewer):
    with time_machine.travel(WITHDRAWN, tick=False):
        services.unpublish(published["claim"], actor=reviewer, reason="One")
    with time_machine.travel(LATER, tick=False):
        services.unpublish(published["reading"], actor=reviewer, reason="Two")

    since = withdrawals(client, "?withdrawn_after=2025-04-05T00:00:00Z")
    events_only = withdrawals(client, "?file=events")

    assert since == [("readings", str(published["reading"].pk), "2025-04-10T08:00:00Z")]
    assert events_only == [("events", str(published["claim"].pk), "2025-04-02T14:30:00Z")]
