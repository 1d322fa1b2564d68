"""Each commitment and claim page names its latest entry in the public log and a checkpoint."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from tests.ledger_support import published_record, use_new_key
from tracker.ledger import checkpoints
from tracker.models import LedgerEntry

pytestmark = pytest.mark.django_db

SIGNED = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)


@pytest.fixture
def record(settings, reviewer):
    use_new_key(settings)
    record = published_record(reviewer)
    with time_machine.travel(SIGNED, tick=False):
        checkpoints.sign()
    cache.clear()
    return record


def latest(kind, pk):
    return LedgerEntry.objects.filter(kind=kind, record_id=pk).latest("index")


@pytest.mark.parametrize(
    ("language", "entry", "checkpoint"),
    [
        ("en", "entry {} in the public log", "checkpoint of 6 December 2026"),
        ("uk", "запис {} у публічному журналі", "контрольна точка від 6 грудня 2026"),
        ("ru", "запись {} в публичном журнале", "контрольная точка от 6 декабря 2026"),
    ],
)
def test_the_commitment_and_its_claims_link_their_entries_and_proofs(
    client, record, language, entry, checkpoint
):
    _agreement, commitment, _reading, claim = record
    page = client.get(commitment.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()
    size = checkpoints.latest().size
    for kind, pk in (("commitment", commitment.pk), ("claim", claim.pk)):
        index = latest(kind, pk).index
        assert entry.format(index) in html
        assert f'href="/ledger/entries?start={index}&amp;end={index + 1}"' in html
        assert f'href="/ledger/proof/inclusion?index={index}&amp;size={size}"' in html
    assert checkpoint in html


def test_a_change_not_yet_in_a_checkpoint_says_so(client, record, reviewer):
    from tracker.services import change_status

    commitment = record[1]
    change_status(commitment, "suspended", actor=reviewer, reason="Strikes resumed")
    html = client.get(commitment.get_absolute_url()).content.decode()
    index = latest("commitment", commitment.pk).index
    assert f"entry {index} in the public log</a>, not yet in a signed checkpoint" in html


def test_large_entry_numbers_are_grouped_as_the_reader_writes_numbers(record):
    from django.utils import translation

    from tracker.ledger.marks import Mark

    mark = Mark(4123, None)
    with translation.override("en"):
        assert mark.number == "4,123"
    with translation.override("uk"):
        assert mark.number == "4\xa0123"


def test_a_past_day_names_the_checkpoint_signed_by_its_end(client, record):
    size = checkpoints.latest().size
    with time_machine.travel(SIGNED + dt.timedelta(days=2), tick=False):
        html = client.get("/as-of/2026-12-07/").content.decode()
    link = f'href="/ledger/checkpoint?size={size}"'
    assert link in html
    assert f"The public log's checkpoint of that day: its first {size} entries." in html
    note = client.get(f"/ledger/checkpoint?size={size}").content.decode()
    assert note == checkpoints.latest().note


@pytest.mark.parametrize(("size", "status"), [("x", 400), ("-1", 400), ("99999", 404)])
def test_a_checkpoint_asked_for_by_size_that_is_not_there_is_refused_clearly(
    client, record, size, status
):
    assert client.get(f"/ledger/checkpoint?size={size}").status_code == status
