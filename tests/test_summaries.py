"""A commitment's compliance summary follows every change to its events, in one transaction."""

import datetime as dt
import json

import pytest
import time_machine
from django.db import transaction

from tests.factories import CommitmentFactory, ComplianceEventFactory, PartyFactory
from tracker import services, summaries
from tracker.models import ComplianceEvent, ComplianceSummary, DeliveredQuantity, EventKind

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def summary_of(commitment) -> ComplianceSummary:
    return ComplianceSummary.objects.get(commitment=commitment)


def claim(commitment, **fields) -> ComplianceEvent:
    return ComplianceEvent(
        commitment=commitment,
        kind=fields.pop("kind", EventKind.ALLEGED_VIOLATION),
        occurred_at=fields.pop("occurred_at", dt.datetime(2025, 3, 19, 2, tzinfo=UTC)),
        summary=fields.pop("summary", "Drones struck a substation."),
        **fields,
    )


def test_a_claim_counts_once_it_is_published_and_not_before(editor, reviewer):
    pause = CommitmentFactory()
    event = services.record_event(claim(pause), actor=editor, reason="Reported")
    assert not ComplianceSummary.objects.filter(commitment=pause, claims__gt=0).exists()

    services.publish(event, actor=reviewer, reason="Sourced")

    summary = summary_of(pause)
    assert summary.claims == 1
    assert summary.cells == [["alleged_violation", "unverified", None, 1, None]]
    assert summary.days == [
        [
            "2025-03-19",
            "alleged",
            1,
            "2025-03-19T02:00:00+00:00",
            {"en": "Drones struck a substation."},
        ]
    ]
    assert summary.worst_days == {"2025-03-19": "alleged"}
    assert summary.last_event_at == dt.datetime(2025, 3, 19, 2, tzinfo=UTC)


def test_the_summary_counts_claims_by_who_claims_and_against_whom():
    russia, ukraine = PartyFactory(), PartyFactory()
    pause = CommitmentFactory()
    ComplianceEventFactory.create_batch(2, commitment=pause, claimant=russia, accused=ukraine)
    ComplianceEventFactory(commitment=pause, claimant=russia, accused=None)

    cells = sorted(summary_of(pause).cells, key=str)

    assert cells == sorted(
        [
            ["alleged_violation", "unverified", russia.pk, 2, ukraine.pk],
            ["alleged_violation", "unverified", russia.pk, 1, None],
        ],
        key=str,
    )


def test_verifying_and_unpublishing_change_the_summary_at_once(reviewer):
    event = ComplianceEventFactory()

    services.verify_event(event, "verified", actor=reviewer, reason="Seen")
    assert summary_of(event.commitment).cells[0][1] == "verified"

    services.unpublish(event, actor=reviewer, reason="Source withdrawn")
    assert summary_of(event.commitment).cells == []
    assert summary_of(event.commitment).claims == 0


def test_an_answer_to_a_published_claim_is_not_listed_as_a_claim_of_its_own():
    claim_made = ComplianceEventFactory()
    ComplianceEventFactory(
        commitment=claim_made.commitment, kind=EventKind.STATEMENT, in_response_to=claim_made
    )

    summary = summary_of(claim_made.commitment)
    assert summary.claims == 1
    assert sum(cell[3] for cell in summary.cells) == 2


def test_moving_an_event_to_another_commitment_counts_it_there_and_only_there(reviewer):
    event = ComplianceEventFactory()
    first, second = event.commitment, CommitmentFactory()

    event = ComplianceEvent.objects.get(pk=event.pk)
    event.commitment = second
    services.save_record(event, actor=reviewer, reason="Filed under the wrong pause")

    assert summary_of(first).claims == 0
    assert summary_of(second).claims == 1


def test_deleting_an_event_takes_it_out_of_the_summary():
    event = ComplianceEventFactory()

    event.delete()

    assert summary_of(event.commitment).claims == 0


def test_a_change_that_rolls_back_leaves_the_summary_as_it_was():
    pause = CommitmentFactory()
    ComplianceEventFactory(commitment=pause)

    with pytest.raises(RuntimeError), transaction.atomic():
        ComplianceEventFactory(commitment=pause)
        assert summary_of(pause).claims == 2
        raise RuntimeError("the import failed half-way")

    assert summary_of(pause).claims == 1


def test_many_changes_in_a_deferred_block_rebuild_each_summary_once():
    pause = CommitmentFactory()
    russia = PartyFactory()

    with summaries.deferred():
        for _ in range(30):
            ComplianceEventFactory(commitment=pause, claimant=russia, accused=None)
        assert not ComplianceSummary.objects.filter(commitment=pause, claims__gt=0).exists()

    assert summary_of(pause).claims == 30
    assert summary_of(pause).cells == [["alleged_violation", "unverified", russia.pk, 30, None]]


def test_rebuilding_every_summary_repairs_rows_written_around_the_models():
    event = ComplianceEventFactory()
    ComplianceEvent.objects.filter(pk=event.pk).update(verification="refuted")

    summaries.refresh_all()

    assert summary_of(event.commitment).cells[0][1] == "refuted"


def test_what_deliveries_handed_over_is_summed_by_side_and_unit():
    ukraine = PartyFactory()
    delivery = ComplianceEventFactory(kind=EventKind.DELIVERY, claimant=None, accused=None)
    DeliveredQuantity.objects.create(event=delivery, received_by=ukraine, quantity=390)
    later = ComplianceEventFactory(
        commitment=delivery.commitment, kind=EventKind.DELIVERY, claimant=None, accused=None
    )
    DeliveredQuantity.objects.create(event=later, received_by=ukraine, quantity=307)
    DeliveredQuantity.objects.create(event=later, received_by=ukraine, quantity=6, unit="bodies")

    assert summary_of(delivery.commitment).handovers == [
        [ukraine.pk, "bodies", 6],
        [ukraine.pk, "people", 697],
    ]


def test_a_claim_about_a_period_marks_every_day_and_the_worst_report_wins():
    pause = CommitmentFactory()
    ComplianceEventFactory(
        commitment=pause,
        occurred_at=dt.datetime(2025, 3, 18, tzinfo=UTC),
        occurred_until=dt.datetime(2025, 3, 20, tzinfo=UTC),
    )
    ComplianceEventFactory(
        commitment=pause,
        occurred_at=dt.datetime(2025, 3, 19, 6, tzinfo=UTC),
        verification="verified",
    )
    ComplianceEventFactory(
        commitment=pause,
        occurred_at=dt.datetime(2025, 3, 21, 6, tzinfo=UTC),
        verification="refuted",
    )

    assert summaries.worst_days(summary_of(pause), dt.date(2025, 3, 17), dt.date(2025, 3, 22)) == {
        dt.date(2025, 3, 18): "alleged",
        dt.date(2025, 3, 19): "verified",
        dt.date(2025, 3, 20): "alleged",
    }


def test_a_claim_about_a_period_is_kept_whole_however_long_the_period():
    pause = CommitmentFactory()
    ComplianceEventFactory(
        commitment=pause,
        occurred_at=dt.datetime(1, 1, 1, tzinfo=UTC),
        occurred_until=dt.datetime(2025, 3, 31, tzinfo=UTC),
        precision="minute",
    )

    stored = summary_of(pause)

    assert stored.worst_days == {"0001-01-01/2025-03-31": "alleged"}
    assert len(json.dumps([stored.cells, stored.days, stored.worst_days])) < 1000
    march = summaries.worst_days(stored, dt.date(2025, 3, 30), dt.date(2025, 4, 2))
    assert march == {dt.date(2025, 3, 30): "alleged", dt.date(2025, 3, 31): "alleged"}


def test_a_days_summary_is_kept_in_every_language_it_has(editor, reviewer):
    pause = CommitmentFactory()
    event = services.record_event(
        claim(pause, summary_uk="Дрони вдарили по підстанції."), actor=editor, reason="Reported"
    )
    services.publish(event, actor=reviewer, reason="Sourced")

    assert summary_of(pause).days[0][4] == {
        "en": "Drones struck a substation.",
        "uk": "Дрони вдарили по підстанції.",
    }


def test_summaries_stored_with_every_day_of_a_period_are_built_again_with_the_period_whole():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tracker.migrations.0023_summaries_keep_periods_whole")
    pause = CommitmentFactory()
    ComplianceEventFactory(
        commitment=pause,
        occurred_at=dt.datetime(2025, 3, 18, tzinfo=UTC),
        occurred_until=dt.datetime(2025, 3, 20, tzinfo=UTC),
    )
    every_day = {"2025-03-18": "alleged", "2025-03-19": "alleged", "2025-03-20": "alleged"}
    ComplianceSummary.objects.filter(commitment=pause).update(worst_days=every_day)

    migration.keep_periods_whole(apps, None)

    assert summary_of(pause).worst_days == {"2025-03-18/2025-03-20": "alleged"}
