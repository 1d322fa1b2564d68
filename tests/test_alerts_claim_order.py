"""Claiming alerts from a large outbox: oldest first, lapsed claims before them, and read along
the index, so a claim costs the same with a hundred alerts waiting or a hundred thousand."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.alerts_support import SubscriptionFactory, window_ending
from tracker.alerts.claims import claim_batch
from tracker.alerts.models import Delivery
from tracker.alerts.sweep import derive

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)
LATER = END + dt.timedelta(minutes=1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox():
    """Thirty expiry alerts to thirty email subscribers, derived a minute after the end."""
    with time_machine.travel(END - dt.timedelta(days=30), tick=False):
        window_ending(END, title="Energy pause")
        SubscriptionFactory.create_batch(30, on_status_changed=False)
    with time_machine.travel(LATER, tick=False):
        derive(LATER)
    return list(Delivery.objects.order_by("next_attempt_at", "pk"))


def test_a_claim_takes_the_oldest_due_alerts_first(outbox):
    Delivery.objects.filter(pk=outbox[-1].pk).update(next_attempt_at=END)

    with time_machine.travel(LATER, tick=False):
        batch = claim_batch("worker-a", LATER, size=3)

    assert batch[0].pk == outbox[-1].pk
    endpoint = batch[0].subscription.endpoint_id
    same_lane = [d.pk for d in outbox[:-1] if d.subscription.endpoint_id == endpoint]
    assert [d.pk for d in batch[1:]] == same_lane[:2]


def test_a_claim_whose_worker_died_is_taken_over_before_alerts_still_waiting(outbox):
    dead = outbox[-1]
    Delivery.objects.filter(pk=dead.pk).update(
        state=Delivery.State.SENDING, claimed_by="dead-worker", claimed_until=END
    )

    with time_machine.travel(LATER, tick=False):
        batch = claim_batch("worker-b", LATER, size=1)

    assert [d.pk for d in batch] == [dead.pk]
    assert batch[0].claimed_by == "worker-b"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")
def test_a_claim_reads_the_outbox_along_its_index_and_sorts_nothing(outbox):
    with (
        time_machine.travel(LATER, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert claim_batch("worker-c", LATER, size=5)

    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and "LIMIT" in q["sql"]]
    assert reads
    with connection.cursor() as cursor:
        for sql in reads:
            plan = " ".join(
                str(row[-1]) for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            )
            assert "delivery_claim_order" in plan, sql
            assert "TEMP B-TREE" not in plan, plan


def test_the_health_probe_counts_a_lapsed_claim_among_the_alerts_waiting(outbox):
    from tracker.alerts.health import oldest_waiting

    long_ago = END - dt.timedelta(hours=1)
    Delivery.objects.filter(pk=outbox[-1].pk).update(
        state=Delivery.State.SENDING,
        claimed_by="dead-worker",
        claimed_until=END,
        next_attempt_at=long_ago,
    )

    assert oldest_waiting(LATER) == long_ago
    Delivery.objects.filter(pk=outbox[-1].pk).update(claimed_until=LATER + dt.timedelta(hours=1))
    assert oldest_waiting(LATER) == outbox[0].next_attempt_at


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")
def test_the_health_probe_reads_the_outbox_along_the_claims_index_and_sorts_nothing(outbox):
    from tracker.alerts.health import oldest_waiting

    with CaptureQueriesContext(connection) as queries:
        assert oldest_waiting(LATER) == outbox[0].next_attempt_at

    assert len(queries) == 2
    with connection.cursor() as cursor:
        for query in queries:
            plan = " ".join(
                str(row[-1])
                for row in cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}").fetchall()
            )
            assert "delivery_claim_order" in plan, query["sql"]
            assert "TEMP B-TREE" not in plan, plan
