"""A small published record built through the services, so the log holds it as the public sees
it: an agreement, a commitment in force with a working reading, and a claim against it."""

import datetime as dt
import json

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ComplianceEventFactory,
    ReadingFactory,
)
from tracker.services import publish


def published_record(reviewer):
    agreement = AgreementFactory(is_published=False)
    commitment = CommitmentFactory(agreement=agreement, is_published=False, status="in_force")
    reading = ReadingFactory(commitment=commitment, is_published=False)
    claim = ComplianceEventFactory(
        commitment=commitment,
        is_published=False,
        occurred_at=dt.datetime(2025, 3, 20, 4, tzinfo=dt.UTC),
    )
    for record in (agreement, commitment, reading, claim):
        publish(record, actor=reviewer, reason="Checked against the readouts")
    return agreement, commitment, reading, claim


def api_json(client, url: str) -> dict:
    data = json.loads(client.get(url).content)
    data.pop("page", None)
    return data


def use_new_key(settings):
    """Sign with a fresh key for this test; returns it."""
    from tracker.ledger import checkpoints

    settings.LEDGER_ORIGIN = "tracker.example.org/ledger"
    settings.LEDGER_SIGNING_KEY = checkpoints.new_key_text(settings.LEDGER_ORIGIN)
    return checkpoints.signing_key()
