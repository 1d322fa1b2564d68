"""The outsiders' verifier passes on an honest log and names each way of tampering with it.

The verifier reads the site through the test client, as it would over HTTP; one test runs
it over a real socket against a live server, and one runs the management command.
"""

import json
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import ComplianceEventFactory
from tests.ledger_support import published_record, use_new_key
from tracker.ledger import checkpoints, merkle
from tracker.management.commands.verify_ledger import verifier
from tracker.models import (
    Commitment,
    LedgerCheckpoint,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    StatusChange,
)
from tracker.services import change_status

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
tool = verifier()


def through_client(url):
    """The site as the verifier reads it: a fresh node, nothing cached."""
    parts = urlsplit(url)
    cache.clear()
    response = Client().get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    return response.status_code, response.content


def verify(fetch=through_client, **options):
    said = []
    problems = tool.verify(SITE, fetch=fetch, say=said.append, **options)
    return problems, said


@pytest.fixture
def site(settings, reviewer):
    use_new_key(settings)
    record = published_record(reviewer)
    change_status(record[1], "suspended", actor=reviewer, reason="Strikes resumed")
    checkpoints.sign()
    return record


@pytest.fixture
def saved(site, tmp_path):
    path = tmp_path / "checkpoint.json"
    problems, _ = verify(save=str(path))
    assert problems == []
    return path


def rebuild_tree():
    """What a site rewriting its past would do: the tree built again from the entries as they
    are now, so its proofs and a new checkpoint agree with the rewritten entries."""
    LedgerNode.objects.all().delete()
    frontier = []
    for index, leaf in LedgerEntry.objects.order_by("index").values_list("index", "leaf_hash"):
        nodes, frontier = merkle.merges(index, bytes(leaf), frontier)
        LedgerNode.objects.bulk_create(
            LedgerNode(level=lv, position=pos, hash=h) for lv, pos, h in nodes if lv
        )
    LedgerHead.objects.filter(pk=1).update(frontier=[h.hex() if h else None for h in frontier])


def rewrite_entry(index, old, new):
    entry = LedgerEntry.objects.get(index=index)
    entry.leaf = entry.leaf.replace(old, new)
    entry.leaf_hash = merkle.leaf_hash(entry.leaf.encode())
    entry.save()


def test_an_honest_log_passes_and_the_verifier_says_what_it_checked(site):
    problems, said = verify()
    assert problems == []
    size = LedgerCheckpoint.objects.get().size
    assert f"ok: {size} entries recomputed to the signed root" in said
    assert any("is signed by its key" in line for line in said)
    assert any("each as its latest entry" in line for line in said)


def test_a_later_run_proves_the_log_grew_from_the_saved_checkpoint(saved, reviewer, site):
    change_status(site[1], "in_force", actor=reviewer, reason="Strikes stopped")
    checkpoints.sign()
    problems, said = verify(since=str(saved))
    assert problems == []
    old = json.loads(saved.read_text())["size"]
    assert any(f"extends the saved one of {old}" in line for line in said)


def test_an_entry_edited_in_the_database_is_named(site):
    entry = LedgerEntry.objects.get(index=1)
    LedgerEntry.objects.filter(index=1).update(leaf=entry.leaf.replace("Pause", "Truce"))
    problems, _ = verify()
    assert "entry 1: its text does not match its hash (it was edited)" in problems


def test_an_entry_edited_with_its_hash_still_breaks_the_signed_root(site):
    rewrite_entry(1, "Pause", "Truce")
    problems, _ = verify()
    assert any("is not the signed root" in p for p in problems)


def test_a_history_row_edited_in_the_database_is_named(site):
    commitment = site[1]
    StatusChange.objects.filter(commitment=commitment).update(reason="Nothing happened")
    problems, _ = verify()
    entries = LedgerEntry.objects.filter(kind="commitment", record_id=commitment.pk)
    assert problems == [
        f"commitment {commitment.pk}: the public API differs from its latest entry, "
        f"{entries.latest('index').index} (in status_history)"
    ]


def test_a_record_whose_public_page_differs_from_its_latest_entry_is_named(site):
    commitment = site[1]
    Commitment.objects.filter(pk=commitment.pk).update(title_en="A different promise")
    problems, _ = verify()
    assert len(problems) == 1
    assert problems[0].startswith(f"commitment {commitment.pk}: the public API differs")
    assert "title" in problems[0]


def test_a_record_shown_but_never_logged_is_named(site):
    claim = ComplianceEventFactory(commitment=site[1], is_published=True)  # around the services
    problems, _ = verify()
    assert f"claim {claim.pk}: shown by the public API but not in the log" in problems


def test_a_deleted_entry_is_named(site):
    LedgerEntry.objects.filter(index=2).delete()
    problems, _ = verify()
    assert problems == ["entry 2 is missing or out of order: found entry 3"]


def test_reordered_entries_break_the_signed_root(site):
    first, second = LedgerEntry.objects.filter(index__in=[1, 2]).order_by("index")
    LedgerEntry.objects.filter(index=1).update(leaf=second.leaf, leaf_hash=second.leaf_hash)
    LedgerEntry.objects.filter(index=2).update(leaf=first.leaf, leaf_hash=first.leaf_hash)
    problems, _ = verify()
    assert any("is not the signed root" in p for p in problems)


def test_a_forked_checkpoint_of_the_same_size_is_named(saved):
    rewrite_entry(1, "Pause", "Truce")
    rebuild_tree()
    LedgerCheckpoint.objects.all().delete()
    checkpoints.sign()  # the site signs its rewritten log: a second root for one size
    problems, _ = verify(since=str(saved))
    size = json.loads(saved.read_text())["size"]
    assert f"two different roots for size {size}: the log has forked" in problems


def test_a_rewritten_log_that_grew_fails_against_the_saved_checkpoint(saved, site, reviewer):
    rewrite_entry(1, "Pause", "Truce")
    rebuild_tree()
    change_status(site[1], "in_force", actor=reviewer, reason="Strikes stopped")
    checkpoints.sign()
    problems, _ = verify(since=str(saved))
    assert any("the log was rewritten since the saved checkpoint" in p for p in problems)


def test_a_checkpoint_signed_by_another_key_is_named(saved, settings):
    use_new_key(settings)  # the site now signs, and serves, a key the reader never trusted
    LedgerCheckpoint.objects.all().delete()
    checkpoints.sign()
    problems, _ = verify(since=str(saved))
    assert any("not the key" in p and "trusted before" in p for p in problems)
    assert any(p.startswith("checkpoint: the checkpoint carries no signature by") for p in problems)


def test_a_checkpoint_whose_text_was_altered_fails_its_signature(site):
    checkpoint = LedgerCheckpoint.objects.get()
    lines = checkpoint.note.split("\n")
    lines[1] = str(int(lines[1]) - 1)
    LedgerCheckpoint.objects.filter(pk=checkpoint.pk).update(note="\n".join(lines))
    problems, _ = verify()
    assert any("does not verify: the note was altered" in p for p in problems)


def test_a_truncated_entries_response_is_named(site):
    def truncating(url):
        status, body = through_client(url)
        if "/ledger/entries" in url:
            data = json.loads(body)
            data["entries"] = data["entries"][:-2]
            body = json.dumps(data).encode()
        return status, body

    problems, _ = verify(fetch=truncating)
    assert len(problems) == 1 and "the entries response was truncated" in problems[0]


def test_nothing_is_saved_when_a_check_fails(site, tmp_path):
    LedgerEntry.objects.filter(index=2).delete()
    path = tmp_path / "checkpoint.json"
    verify(save=str(path))
    assert not path.exists()


def test_the_command_line_exits_non_zero_naming_the_mismatch(site, monkeypatch, capsys):
    monkeypatch.setattr(tool, "http_fetch", through_client)
    monkeypatch.setattr(tool.verify, "__defaults__", (None, None, None, through_client, print))
    assert tool.main([SITE]) == 0
    LedgerEntry.objects.filter(index=2).delete()
    assert tool.main([SITE]) == 1
    out = capsys.readouterr()
    assert "MISMATCH: entry 2 is missing" in out.out
    assert "1 mismatch(es) found." in out.err


# The flush after the test would drop the staff roles the migrations made; put them back.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_management_command_checks_a_live_server_over_http(live_server, settings, reviewer):
    use_new_key(settings)
    published_record(reviewer)
    checkpoints.sign()
    call_command("verify_ledger", live_server.url)
    Commitment.objects.update(title_en="A different promise")
    cache.clear()
    with pytest.raises(CommandError, match="1 mismatch"):
        call_command("verify_ledger", live_server.url)


def test_the_standalone_script_needs_nothing_but_python_and_cryptography():
    with open(tool.__file__) as file:
        source = file.read()
    imports = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from ")) and "__future__" not in line
    }
    assert imports <= {
        "argparse",
        "base64",
        "hashlib",
        "hmac",
        "json",
        "sys",
        "urllib",
        "collections",
        "cryptography",
    }
