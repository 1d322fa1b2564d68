"""Deriving alerts for a large audience: the same few queries for ten subscribers or two hundred."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.alerts_support import SubscriptionFactory, deliverable_due, window_ending
from tracker.alerts.models import Delivery, Topic
from tracker.alerts.sweep import derive

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)
DAY = dt.timedelta(days=1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def records_made_before_the_story():
    with time_machine.travel(END - 30 * DAY, tick=False):
        yield


def derive_at(instant) -> int:
    """Derive at ``instant``; returns how many queries it took."""
    with time_machine.travel(instant, tick=False), CaptureQueriesContext(connection) as queries:
        derive(instant)
    return len(queries)


def scenario(subscribers: int, **fields):
    """A window ending at END, a deliverable due at END, and ``subscribers`` following all."""
    window_ending(END, title="Energy pause")
    deliverable_due(END, title="Prisoner exchange")
    SubscriptionFactory.create_batch(subscribers, **fields)


@pytest.mark.parametrize(
    "moment, topics",
    [
        (END - 3 * DAY, {Topic.EXPIRING}),
        (END + dt.timedelta(minutes=1), {Topic.EXPIRED, Topic.DEADLINE_PASSED}),
    ],
    ids=["warnings", "expiry and a passed due date"],
)
def test_deriving_costs_the_same_queries_for_ten_subscribers_as_for_two_hundred(moment, topics):
    from tracker.ledger import changes

    # The public log records an expiry like any change to the public record; its work
    # depends on what it held before, not on subscribers, so both passes start from a log
    # in step with the records (made here by factories, around the services).
    scenario(10)
    changes.reconcile()
    with_ten = derive_at(moment)
    assert Delivery.objects.exclude(state=Delivery.State.CANCELLED).count() == 10 * 2
    assert set(Delivery.objects.values_list("topic", flat=True)) == topics

    Delivery.objects.all().delete()
    # Undo what the first pass noticed, so the second finds the same deadlines due.
    from tracker.alerts.models import PassedDeadline
    from tracker.models import Commitment, StatusChange

    PassedDeadline.objects.all().delete()
    StatusChange.objects.filter(to_status="expired").delete()
    Commitment.objects.update(status="in_force")
    SubscriptionFactory.create_batch(190)
    changes.reconcile()

    with_two_hundred = derive_at(moment)
    assert Delivery.objects.exclude(state=Delivery.State.CANCELLED).count() == 200 * 2
    assert with_two_hundred == with_ten


def test_every_subscriber_gets_one_expiry_alert_with_an_id_of_its_own():
    scenario(50, on_status_changed=False)
    derive_at(END + dt.timedelta(minutes=1))
    derive_at(END + dt.timedelta(minutes=2))  # a second pass, or a second worker, adds nothing

    expired = Delivery.objects.filter(topic=Topic.EXPIRED)
    assert expired.count() == 50
    assert expired.values("subscription").distinct().count() == 50
    ids = [delivery.delivery_id for delivery in expired]
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)
    assert len(set(ids)) == 50
    assert set(expired.values_list("state", flat=True)) == {Delivery.State.PENDING}


def test_those_who_asked_only_for_status_changes_hear_of_the_expiry_as_one():
    window_ending(END, title="Energy pause")
    SubscriptionFactory.create_batch(3, on_expired=False)
    SubscriptionFactory.create_batch(2)
    derive_at(END + dt.timedelta(minutes=1))

    topics = sorted(Delivery.objects.values_list("topic", flat=True))
    assert topics == [Topic.EXPIRED] * 2 + [Topic.STATUS_CHANGED] * 3


def test_a_warning_is_late_only_for_those_already_listening_when_its_moment_came():
    window_ending(END, title="Energy pause")
    early = SubscriptionFactory(lead_times="7d")
    newcomer = SubscriptionFactory(lead_times="7d", confirmed_at=END - 6 * DAY)
    derive_at(END - 6 * DAY + dt.timedelta(minutes=5))

    late = dict(Delivery.objects.values_list("subscription_id", "is_late"))
    assert late == {early.pk: True, newcomer.pk: False}


def sweep_at(instant) -> tuple[list[str], list[str]]:
    """Sweep at ``instant``: the statements made once for each alert (its mark before it
    leaves and its outcome after), and the rest."""
    from tracker.alerts.sweep import sweep

    with time_machine.travel(instant, tick=False), CaptureQueriesContext(connection) as queries:
        sweep()
    statements = [query["sql"] for query in queries.captured_queries]
    per_alert = (
        'UPDATE "alerts_delivery" SET "state" = \'sent\'',
        'UPDATE "alerts_delivery" SET "send_mark"',
    )
    return (
        [sql for sql in statements if sql.startswith(per_alert)],
        [sql for sql in statements if not sql.startswith(per_alert)],
    )


def test_the_sweep_costs_the_same_queries_for_ten_due_alerts_as_for_a_hundred(settings):
    """All but the two statements of each alert: the mark committed before it leaves and the
    outcome recorded as soon as it is sent, so that a worker killed mid-batch leaves every
    alert either known to be sent or known to be in doubt (``tracker.alerts.delivery``).

    Alerts are claimed ``ALERTS_BATCH`` at a time; each further batch costs the same few
    statements again, so both passes here are one batch.
    """
    from tracker.alerts.models import PassedDeadline
    from tracker.ledger import changes
    from tracker.models import Commitment, StatusChange

    settings.ALERTS_MAIL_CONNECTIONS = 1  # every address in the same lane, however many
    settings.ALERTS_BATCH = 100
    moment = END + dt.timedelta(minutes=1)
    window_ending(END, title="Energy pause")
    SubscriptionFactory.create_batch(10, on_status_changed=False)
    changes.reconcile()
    recorded_ten, rest_ten = sweep_at(moment)
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 10

    # Undo the first pass, so that the second finds the same window due.
    Delivery.objects.all().delete()
    PassedDeadline.objects.all().delete()
    StatusChange.objects.filter(to_status="expired").delete()
    Commitment.objects.update(status="in_force")
    SubscriptionFactory.create_batch(90, on_status_changed=False)
    changes.reconcile()
    recorded_hundred, rest_hundred = sweep_at(moment)
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 100

    assert (len(recorded_ten), len(recorded_hundred)) == (20, 200)
    assert len(rest_hundred) == len(rest_ten)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
@pytest.mark.django_db(transaction=True)
def test_a_large_fan_out_leaves_the_planner_knowing_how_many_alerts_wait(monkeypatch):
    """Workers claim at once; the planner must not take the outbox for the nearly empty table it
    last saw, or it sorts every waiting alert for each batch claimed."""
    from tracker.alerts import fanout

    monkeypatch.setattr(fanout, "ANALYZE_AFTER", 20)

    def rows_the_planner_counts() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'alerts_delivery'")
            return cursor.fetchone()[0]

    scenario(30, on_status_changed=False)
    derive_at(END + dt.timedelta(minutes=1))

    assert Delivery.objects.count() == 30 * 2
    assert rows_the_planner_counts() == 30 * 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
@pytest.mark.django_db(transaction=True)
def test_statistics_that_cannot_be_gathered_lose_no_alert_and_fail_no_one(monkeypatch, caplog):
    from django.db import OperationalError

    from tracker.alerts import fanout

    monkeypatch.setattr(fanout, "ANALYZE_AFTER", 20)

    def refuse_analyze(execute, sql, params, many, context):
        if sql.startswith("ANALYZE"):
            raise OperationalError("canceling statement due to lock timeout")
        return execute(sql, params, many, context)

    scenario(30, on_status_changed=False)
    with connection.execute_wrapper(refuse_analyze):
        derive_at(END + dt.timedelta(minutes=1))

    assert Delivery.objects.count() == 30 * 2
    assert "Could not gather the outbox's statistics again" in caplog.text
