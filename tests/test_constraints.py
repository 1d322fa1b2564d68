"""The database refuses bad data even when the services are bypassed.

Each rule below is also checked, with a readable message, by model
validation; the constraint is the last line of defence for code (or a
person at a SQL prompt) that skips it.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from tests.factories import (
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
)
from tracker.models import (
    Commitment,
    ComplianceEvent,
    DeliveredQuantity,
    Reading,
    Source,
    StatusChange,
)

UTC = dt.UTC


def refused_by_the_database(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


# Readings ----------------------------------------------------------------------------


def test_the_database_refuses_a_second_working_reading(db):
    first = ReadingFactory()

    refused_by_the_database(lambda: ReadingFactory(commitment=first.commitment))

    assert Reading.objects.filter(commitment=first.commitment, is_working=True).count() == 1


def test_many_readings_that_are_not_working_are_fine(db):
    first = ReadingFactory()
    ReadingFactory.create_batch(3, commitment=first.commitment, is_working=False)

    assert first.commitment.readings.count() == 4


def test_validation_explains_a_second_working_reading_before_the_database_refuses_it(db):
    first = ReadingFactory()
    second = Reading(commitment=first.commitment, label="Second", is_working=True)

    with pytest.raises(ValidationError, match="already has a working reading"):
        second.full_clean()


@pytest.mark.parametrize(
    "bad",
    [
        {"ends_at": F("starts_at")},
        {"ends_at": dt.datetime(2025, 3, 1, tzinfo=UTC)},
        {"duration_days": 0},
        {"is_open_ended": True},
    ],
    ids=["end-equals-start", "end-before-start", "zero-duration", "open-ended-with-an-end"],
)
def test_the_database_refuses_impossible_reading_terms(db, bad):
    reading = ReadingFactory()

    refused_by_the_database(lambda: Reading.objects.filter(pk=reading.pk).update(**bad))


# Events ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"count": -1},
        {"occurred_until": dt.datetime(2025, 3, 1, tzinfo=UTC)},
        {"accused": F("claimant")},
        {"kind": "rumour"},
        {"verification": "probable"},
    ],
    ids=["negative-count", "period-ends-first", "self-accusation", "kind", "verification"],
)
def test_the_database_refuses_a_bad_event(db, bad):
    event = ComplianceEventFactory()

    refused_by_the_database(lambda: ComplianceEvent.objects.filter(pk=event.pk).update(**bad))


def test_an_event_without_an_accused_party_is_fine(db):
    ComplianceEventFactory(accused=None, kind="statement")


def test_the_database_refuses_a_negative_quantity(db):
    event = ComplianceEventFactory(kind="delivery")

    refused_by_the_database(
        lambda: DeliveredQuantity.objects.create(
            event=event, received_by=PartyFactory(), quantity=-1
        )
    )


def test_the_database_refuses_the_same_side_twice_in_one_unit(db):
    event = ComplianceEventFactory(kind="delivery")
    ukraine = PartyFactory()
    DeliveredQuantity.objects.create(event=event, received_by=ukraine, quantity=390)

    refused_by_the_database(
        lambda: DeliveredQuantity.objects.create(event=event, received_by=ukraine, quantity=1)
    )


# Commitments, sources, the status log ----------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [{"status": "paused"}, {"shape": "treaty"}, {"category": "cyber"}, {"renews": F("pk")}],
    ids=["status", "shape", "category", "renews-itself"],
)
def test_the_database_refuses_a_bad_commitment(db, bad):
    commitment = CommitmentFactory()

    refused_by_the_database(lambda: Commitment.objects.filter(pk=commitment.pk).update(**bad))


def test_the_database_refuses_the_same_role_twice(db):
    role = CommitmentPartyFactory()

    refused_by_the_database(
        lambda: CommitmentPartyFactory(commitment=role.commitment, party=role.party, role=role.role)
    )


def test_the_database_refuses_a_source_without_a_url(db):
    refused_by_the_database(lambda: Source.objects.create(url="", title="Anonymous leak"))


def test_validation_asks_for_a_sources_url_in_plain_words(db):
    with pytest.raises(ValidationError) as refused:
        Source(url="").full_clean()

    assert refused.value.message_dict["url"] == ["Every source needs a URL."]


@pytest.mark.parametrize(
    "bad",
    [{"reason": ""}, {"to_status": "in_force"}],
    ids=["without-a-reason", "to-the-same-status"],
)
def test_the_database_refuses_a_status_change_without_a_reason_or_a_change(db, bad):
    commitment = CommitmentFactory()
    change = {
        "commitment": commitment,
        "from_status": "in_force",
        "to_status": "suspended",
        "effective_at": dt.datetime(2025, 4, 1, tzinfo=UTC),
        "reason": "Paused",
        "actor": "reviewer",
    }

    refused_by_the_database(lambda: StatusChange.objects.create(**{**change, **bad}))


def test_an_event_is_stored_with_the_day_its_source_meant(db):
    kyiv_midnight_of_20_march = dt.datetime(2025, 3, 19, 22, tzinfo=dt.UTC)

    event = ComplianceEventFactory(
        occurred_at=kyiv_midnight_of_20_march,
        occurred_until=kyiv_midnight_of_20_march + dt.timedelta(days=2),
        precision="day",
    )

    event.refresh_from_db()
    assert event.occurred_on == dt.date(2025, 3, 20)
    assert event.occurred_until_on == dt.date(2025, 3, 22)


def test_an_event_known_to_the_minute_is_dated_in_utc(db):
    event = ComplianceEventFactory(
        occurred_at=dt.datetime(2025, 3, 19, 22, tzinfo=dt.UTC), precision="minute"
    )

    event.refresh_from_db()
    assert event.occurred_on == dt.date(2025, 3, 19)
    assert event.occurred_until_on is None


def test_saving_only_the_instant_moves_the_stored_day_with_it(db):
    event = ComplianceEventFactory(
        occurred_at=dt.datetime(2025, 3, 19, 12, tzinfo=dt.UTC), precision="minute"
    )

    event.occurred_at = dt.datetime(2025, 3, 25, 12, tzinfo=dt.UTC)
    event.save(update_fields=["occurred_at"])

    event.refresh_from_db()
    assert event.occurred_on == dt.date(2025, 3, 25)
