"""The migration that takes a draft's reason out of the history of the reading it replaced."""

import importlib

from django.apps import apps

from tests.factories import CommitmentFactory, ReadingFactory, UserFactory
from tracker import services
from tracker.models import Reading

migration = importlib.import_module("tracker.migrations.0022_unquote_draft_reasons")


def replaced_reason(reading) -> str:
    return Reading.objects.get(pk=reading.pk).history.first().history_change_reason


def quote_as_before(reading, reason: str) -> None:
    """Write the reason as the services wrote it before they stopped quoting drafts."""
    row = Reading.objects.get(pk=reading.pk).history.first()
    row.history_change_reason = f"No longer the working reading: {reason}"
    row.save()


def test_stored_quotes_of_a_drafts_reason_are_taken_out_of_the_history(db):
    reviewer = UserFactory(username="reviewer", role="Reviewers")
    # Drafts, so the readings can be switched as freely as before reviewers kept the public
    # dates; what the migration reads is whether the new working reading was published.
    by_a_draft = CommitmentFactory(is_published=False)
    by_a_public_reading = CommitmentFactory(is_published=False)
    old_ones = []
    for commitment, published in ((by_a_draft, False), (by_a_public_reading, True)):
        old = ReadingFactory(commitment=commitment)
        new = ReadingFactory(commitment=commitment, is_working=False, is_published=published)
        services.make_working(new, actor=reviewer, reason="Memo of 20 March")
        quote_as_before(old, "Memo of 20 March")
        old_ones.append(old)

    migration.unquote_draft_reasons(apps, None)

    assert replaced_reason(old_ones[0]) == "No longer the working reading."
    assert replaced_reason(old_ones[1]) == "No longer the working reading: Memo of 20 March"
