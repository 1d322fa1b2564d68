"""Every change to what the public sees enters the log, in its transaction, as the API shows it."""

import datetime as dt
import json

import pytest
import time_machine
from django.db import transaction

from tests.factories import CommitmentFactory, ComplianceEventFactory, ReadingFactory
from tests.ledger_support import api_json, published_record
from tracker.ledger import changes, log, merkle
from tracker.models import LedgerEntry, LedgerNode
from tracker.services import (
    add_reading,
    change_status,
    create_commitment,
    publish,
    save_record,
    unpublish,
    verify_event,
)

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)


def entries(**where):
    return list(LedgerEntry.objects.filter(**where).order_by("index"))


def latest(kind, pk):
    entry = LedgerEntry.objects.filter(kind=kind, record_id=pk).order_by("-index").first()
    return entry, json.loads(entry.leaf)


@time_machine.travel(NOON, tick=False)
def test_publishing_appends_each_record_as_the_api_shows_it(reviewer, client):
    agreement, commitment, reading, claim = published_record(reviewer)

    entry, leaf = latest("commitment", commitment.pk)
    assert leaf["record"] == api_json(client, f"/api/commitments/{commitment.slug}/")
    assert leaf["at"] == "2026-12-06T12:00:00.000000Z"
    _, claim_leaf = latest("claim", claim.pk)
    events = json.loads(client.get("/api/events/").content)["results"]
    assert claim_leaf["record"] == events[0]
    assert claim_leaf["change"] == "published"
    kinds = [(e.kind, e.change) for e in entries()]
    assert kinds[:2] == [("agreement", "published"), ("commitment", "published")]
    assert ("reading", "published") in kinds


def test_the_entries_indexes_run_from_zero_without_gaps_and_the_tree_matches(reviewer):
    published_record(reviewer)
    rows = entries()
    assert [e.index for e in rows] == list(range(len(rows)))
    tree = merkle.MemoryTree()
    for row in rows:
        tree.append(row.leaf.encode())
    assert log.root(len(rows)) == tree.root() == log.head_root()[1]
    assert bytes(rows[0].leaf_hash) == merkle.leaf_hash(rows[0].leaf.encode())


def test_unpublished_records_never_enter_the_log(reviewer):
    commitment = CommitmentFactory(is_published=False)
    save_record(commitment, actor=reviewer, reason="Draft")
    draft = create_commitment(
        agreement=commitment.agreement,
        actor=reviewer,
        reason="Draft",
        title="Prisoner exchange",
        slug="prisoner-exchange",
        category="humanitarian",
        shape="window",
    )
    add_reading(draft, actor=reviewer, reason="Draft", label="As read")
    assert entries() == []


def test_a_record_published_later_enters_the_log_then(reviewer):
    agreement, commitment, _reading, _claim = published_record(reviewer)
    draft = ComplianceEventFactory(commitment=commitment, is_published=False)
    before = len(entries())
    assert not LedgerEntry.objects.filter(kind="claim", record_id=draft.pk).exists()

    publish(draft, actor=reviewer, reason="Checked")

    new = entries()[before:]
    assert [(e.kind, e.record_id, e.change) for e in new] == [
        ("commitment", commitment.pk, "updated"),  # its counts
        ("claim", draft.pk, "published"),
    ]


def test_a_status_change_is_an_entry_of_its_own_kind(reviewer, client):
    _agreement, commitment, _reading, _claim = published_record(reviewer)
    change_status(commitment, "suspended", actor=reviewer, reason="Strikes resumed")
    entry, leaf = latest("commitment", commitment.pk)
    assert entry.change == "status_changed"
    assert leaf["record"]["status"] == "suspended"
    assert leaf["record"] == api_json(client, f"/api/commitments/{commitment.slug}/")


def test_verifying_a_published_claim_is_an_entry(reviewer):
    _agreement, _commitment, _reading, claim = published_record(reviewer)
    verify_event(claim, "verified", actor=reviewer, reason="Two sources agree")
    entry, leaf = latest("claim", claim.pk)
    assert (entry.change, leaf["record"]["verification"]) == ("verification_changed", "verified")


def test_a_new_public_reading_enters_with_its_commitment(reviewer):
    _agreement, commitment, _reading, _claim = published_record(reviewer)
    reading = ReadingFactory(commitment=commitment, is_published=False, is_working=False)
    assert not LedgerEntry.objects.filter(kind="reading", record_id=reading.pk).exists()
    publish(reading, actor=reviewer, reason="Checked")
    assert latest("reading", reading.pk)[0].change == "published"
    assert latest("commitment", commitment.pk)[0].change == "reading_added"


def test_a_correction_of_a_public_record_is_an_entry(reviewer):
    agreement, _commitment, _reading, _claim = published_record(reviewer)
    agreement.title = "Riyadh talks"
    save_record(agreement, actor=reviewer, reason="Typo")
    entry, leaf = latest("agreement", agreement.pk)
    assert (entry.change, leaf["record"]["title"]) == ("corrected", "Riyadh talks")


def test_withdrawing_a_commitment_leaves_tombstones_for_it_and_what_showed_with_it(reviewer):
    _agreement, commitment, reading, claim = published_record(reviewer)
    unpublish(commitment, actor=reviewer, reason="Published in error")
    for kind, pk in [("commitment", commitment.pk), ("reading", reading.pk), ("claim", claim.pk)]:
        entry, leaf = latest(kind, pk)
        assert (entry.change, leaf["record"]) == ("withdrawn", None)
    publish(commitment, actor=reviewer, reason="Checked again")
    assert latest("claim", claim.pk)[0].change == "published"


def test_a_change_that_fails_leaves_no_entry(reviewer):
    _agreement, commitment, _reading, _claim = published_record(reviewer)
    before = log.size()
    with pytest.raises(RuntimeError), transaction.atomic():
        change_status(commitment, "suspended", actor=reviewer, reason="Strikes resumed")
        raise RuntimeError("the request failed after the change")
    assert log.size() == before == LedgerEntry.objects.count()


def test_saving_without_a_change_the_public_sees_appends_nothing(reviewer):
    agreement, _commitment, _reading, _claim = published_record(reviewer)
    before = log.size()
    save_record(agreement, actor=reviewer, reason="Nothing changed")
    assert log.size() == before


def test_reconciling_enters_public_records_written_around_the_services(db):
    commitment = CommitmentFactory()  # published directly, as an old database holds it
    new = changes.reconcile()
    assert {(e.kind, e.record_id) for e in new} == {
        ("agreement", commitment.agreement_id),
        ("commitment", commitment.pk),
    }
    assert changes.reconcile() == []


def test_appending_writes_about_one_interior_node_a_leaf(db):
    for i in range(64):
        log.append("claim", i, "published", {"id": i})
    assert LedgerNode.objects.count() == 63
    tree = merkle.MemoryTree()
    for entry in entries():
        tree.append(entry.leaf.encode())
    for old in (1, 5, 32, 63):
        proof = log.consistency_proof(old, 64)
        merkle.verify_consistency(old, 64, tree.root(old), tree.root(), proof)
    proof = log.inclusion_proof(17, 40)
    merkle.verify_inclusion(17, 40, tree.node(0, 17), proof, tree.root(40))


def test_a_change_in_a_database_the_log_never_held_enters_only_what_it_shows(reviewer):
    commitment = CommitmentFactory()  # public, written around the services, never logged
    others = [CommitmentFactory(agreement=commitment.agreement) for _ in range(5)]
    claim = ComplianceEventFactory(commitment=commitment)
    change_status(commitment, "suspended", actor=reviewer, reason="Strikes resumed")
    logged = {(e.kind, e.record_id) for e in entries()}
    assert logged == {
        ("commitment", commitment.pk),
        ("agreement", commitment.agreement_id),
        ("claim", claim.pk),
    }
    assert not logged & {("commitment", other.pk) for other in others}
