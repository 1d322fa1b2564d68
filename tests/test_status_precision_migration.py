"""The migration that gives status changes a precision and a zone, read from their causes."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tracker", "0015_regions")]
AFTER = [("tracker", "0016_status_change_precision_and_zone")]
UTC = dt.UTC

KREMLIN_START = dt.datetime(2025, 3, 17, 21, tzinfo=UTC)  # 18 March, Moscow's midnight
KREMLIN_END = dt.datetime(2025, 4, 16, 21, tzinfo=UTC)  # 17 April, Moscow's midnight
KYIV_19_MARCH = dt.datetime(2025, 3, 18, 22, tzinfo=UTC)  # 19 March, Kyiv's midnight
SUSPENDED = dt.datetime(2025, 3, 25, 14, 37, tzinfo=UTC)  # typed to the minute


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_recorded_changes_take_the_precision_and_zone_of_what_caused_them():
    old = _migrate(BEFORE)
    agreement = old.get_model("tracker", "Agreement").objects.create(
        title="Call", slug="call", held_on="2025-03-18"
    )
    commitment = old.get_model("tracker", "Commitment").objects.create(
        agreement=agreement,
        title="Pause",
        slug="pause",
        category="energy",
        shape="window",
        status="expired",
        status_changed_at=KREMLIN_END,
    )
    ukraine = old.get_model("tracker", "Party").objects.create(
        name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv"
    )
    old.get_model("tracker", "CommitmentParty").objects.create(
        commitment=commitment, party=ukraine, role="obligor"
    )
    old.get_model("tracker", "Reading").objects.create(
        commitment=commitment,
        label="Kremlin's count",
        is_working=True,
        starts_at=KREMLIN_START,
        ends_at=KREMLIN_END,
        time_zone="Europe/Moscow",
        precision="day",
    )
    changes = old.get_model("tracker", "StatusChange").objects
    for to_status, effective_at in [
        ("in_force", KREMLIN_START),  # at the reading's start
        ("suspended", SUSPENDED),
        ("in_force", KYIV_19_MARCH),  # midnight on a party's clock
        ("expired", KREMLIN_END),  # the clock, at the reading's end
    ]:
        changes.create(
            commitment=commitment,
            from_status="announced",
            to_status=to_status,
            effective_at=effective_at,
            reason="Recorded",
            actor="import",
        )
    old.get_model("tracker", "HistoricalCommitment").objects.create(
        id=commitment.pk,
        agreement_id=agreement.pk,
        title="Pause",
        slug="pause",
        category="energy",
        shape="window",
        status="suspended",
        status_changed_at=SUSPENDED,
        is_published=True,
        regions=[],
        created_at=KREMLIN_START,
        updated_at=SUSPENDED,
        history_date=SUSPENDED,
        history_type="~",
    )

    new = _migrate(AFTER)

    given = {
        c.effective_at: (c.precision, c.time_zone)
        for c in new.get_model("tracker", "StatusChange").objects.all()
    }
    assert given == {
        KREMLIN_START: ("day", "Europe/Moscow"),
        SUSPENDED: ("minute", "Europe/Moscow"),
        KYIV_19_MARCH: ("day", "Europe/Kyiv"),
        KREMLIN_END: ("day", "Europe/Moscow"),
    }
    now = new.get_model("tracker", "Commitment").objects.get()
    assert (now.status_changed_precision, now.status_changed_zone) == ("day", "Europe/Moscow")
    then = new.get_model("tracker", "HistoricalCommitment").objects.get()
    assert (then.status_changed_precision, then.status_changed_zone) == (
        "minute",
        "Europe/Moscow",
    )
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
