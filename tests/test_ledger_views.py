"""The public log's addresses: a signed checkpoint, the key, entries, proofs, and clear 400s."""

import base64
import datetime as dt
import json

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.ledger_support import published_record, use_new_key
from tracker.ledger import checkpoints, log, merkle
from tracker.models import LedgerCheckpoint

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)


@pytest.fixture
def key(settings):
    return use_new_key(settings)


@pytest.fixture
def signed(key, reviewer):
    published_record(reviewer)
    with time_machine.travel(NOON, tick=False):
        return checkpoints.sign()


def test_the_checkpoint_is_a_signed_note_the_served_key_verifies(client, signed, key):
    text = client.get("/ledger/checkpoint").content.decode()
    body, _, signature_line = text.partition("\n\n")
    origin, size, root, time = body.split("\n")
    assert (origin, int(size), time) == (
        "tracker.example.org/ledger",
        log.size(),
        "time 2026-12-06T12:00:00Z",
    )
    assert base64.b64decode(root) == log.root(log.size())
    dash, name, blob = signature_line.strip().split(" ")
    assert (dash, name) == ("\u2014", "tracker.example.org/ledger")
    raw = base64.b64decode(blob)
    verifier = client.get("/ledger/key").content.decode().strip()
    vname, vhash, vkey = verifier.split("+", 2)
    public = base64.b64decode(vkey)[1:]
    assert raw[:4].hex() == vhash and vname == name
    Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], (body + "\n").encode())


def test_signing_again_without_growth_keeps_one_checkpoint(signed):
    assert checkpoints.sign() == signed
    assert LedgerCheckpoint.objects.count() == 1


def test_without_a_key_nothing_is_signed_and_the_addresses_say_so(client, settings, db):
    settings.LEDGER_SIGNING_KEY = ""
    settings.LEDGER_SIGNING_KEY_FILE = ""
    with pytest.raises(checkpoints.NoSigningKey):
        checkpoints.sign()
    assert client.get("/ledger/checkpoint").status_code == 404
    assert client.get("/ledger/key").status_code == 404
    assert client.get("/ledger/").status_code == 200


def test_entries_are_the_hashed_leaves_and_stop_at_the_log_end(client, signed):
    size = log.size()
    data = client.get(f"/ledger/entries?start=0&end={size + 50}").json()
    assert (data["start"], data["end"], len(data["entries"])) == (0, size, size)
    tree = merkle.MemoryTree()
    for entry in data["entries"]:
        tree.append(entry["leaf"].encode())
    assert tree.root() == log.root(size)


def test_an_inclusion_proof_leads_to_the_checkpoint_root(client, signed):
    index = 2
    data = client.get(f"/ledger/proof/inclusion?index={index}&size={signed.size}").json()
    proof = [base64.b64decode(p) for p in data["proof"]]
    leaf = base64.b64decode(data["leaf_hash"])
    merkle.verify_inclusion(index, signed.size, leaf, proof, bytes(signed.root))


def test_a_consistency_proof_shows_the_log_grew_from_an_older_checkpoint(client, signed, reviewer):
    published_record(reviewer)
    newer = checkpoints.sign()
    data = client.get(f"/ledger/proof/consistency?old={signed.size}&new={newer.size}").json()
    proof = [base64.b64decode(p) for p in data["proof"]]
    merkle.verify_consistency(signed.size, newer.size, bytes(signed.root), bytes(newer.root), proof)


@pytest.mark.parametrize(
    "address",
    [
        "/ledger/entries",
        "/ledger/entries?start=0",
        "/ledger/entries?start=-1&end=3",
        "/ledger/entries?start=a&end=3",
        "/ledger/entries?start=3&end=3",
        "/ledger/entries?start=999999&end=1000000",
        "/ledger/entries?start=0&end=99999999999999999999999",
        "/ledger/entries?start=%EF%BC%91&end=3",  # a full-width digit
        "/ledger/proof/inclusion?index=0",
        "/ledger/proof/inclusion?index=5&size=5",
        "/ledger/proof/inclusion?index=0&size=0",
        "/ledger/proof/inclusion?index=0&size=999999",
        "/ledger/proof/consistency?old=0&new=3",
        "/ledger/proof/consistency?old=4&new=3",
        "/ledger/proof/consistency?old=1&new=999999",
        "/ledger/proof/consistency?old=1.5&new=3",
    ],
)
def test_bad_parameters_are_a_400_that_says_why(client, signed, address):
    response = client.get(address)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_an_empty_log_refuses_entries_clearly(client, db):
    assert client.get("/ledger/entries?start=0&end=10").status_code == 400


def test_the_changes_feed_carries_each_checkpoint(client, signed):
    feed = client.get("/changes/feed/").content.decode()
    assert f"Checkpoint of the public log: {signed.size} entries" in feed
    assert "tracker.example.org/ledger" in feed


@pytest.mark.parametrize(
    ("language", "heading", "limit"),
    [
        ("en", "The public log", "does not prove that a claim is true"),
        ("uk", "Публічний журнал", "не доводить, що твердження правдиве"),
        ("ru", "Публичный журнал", "не доказывает, что утверждение истинно"),
    ],
)
def test_the_log_page_explains_it_in_each_language(client, signed, language, heading, limit):
    page = client.get("/ledger/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert limit in page
    assert signed.note.split("\n")[2] in page  # the root, in the note shown


def test_the_page_names_the_checkpoint(client, signed):
    page = client.get("/ledger/").content.decode()
    assert f"The log holds {log.size()} entries" in page
    assert json.dumps(signed.size) in page
