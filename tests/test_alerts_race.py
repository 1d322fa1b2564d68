"""Several workers sweeping the same due set at once deliver every alert exactly once."""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import connection

from tests.alerts_support import SubscriptionFactory, window_ending
from tracker.alerts.models import Delivery
from tracker.alerts.sweep import sweep
from tracker.models import StatusChange

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, tzinfo=UTC)
WORKERS = 4
PASSES = 5

pytestmark = [
    pytest.mark.postgres,
    # Serialized rollback puts back what the migrations created (the staff
    # roles) after the flush, for the transactional tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def records_made_before_the_story(request):
    """Records are created at a fixed instant; each test moves the clock from there."""
    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        yield


@pytest.fixture(autouse=True)
def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no concurrent writers to race")


def race(worker_count: int, passes: int) -> list[BaseException]:
    """Start ``worker_count`` threads together, each with its own connection, each sweeping."""
    start = threading.Barrier(worker_count)
    errors = []

    def work():
        try:
            start.wait()
            for _ in range(passes):
                sweep()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(worker_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_every_due_alert_is_delivered_exactly_once_by_racing_workers():
    ending_soon = [window_ending(NOW + dt.timedelta(days=7)) for _ in range(6)]
    already_ended = [window_ending(NOW - dt.timedelta(minutes=1)) for _ in range(3)]
    subscribers = SubscriptionFactory.create_batch(4, lead_times="7d")

    with time_machine.travel(NOW, tick=False):
        errors = race(WORKERS, PASSES)

    assert errors == []
    sent_ids = Counter(message.extra_headers["X-Tracker-Delivery"] for message in mail.outbox)
    assert set(sent_ids.values()) == {1}
    expected = len(subscribers) * (len(ending_soon) + len(already_ended))
    assert len(sent_ids) == expected
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == expected
    assert Delivery.objects.exclude(state=Delivery.State.SENT).count() == 0
    assert StatusChange.objects.filter(to_status="expired").count() == len(already_ended)
