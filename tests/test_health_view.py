"""/health/ tells monitors whether the database, the cache and the alert workers are well."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine

from tests.alerts_support import SubscriptionFactory, closed_port, window_ending
from tracker.alerts.models import Delivery, Endpoint

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)

# The checks run in their own threads, with their own connections: they see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def get(client, path, **headers):
    """Ask from a thread of its own, as a WSGI server's would.

    The view is asynchronous, and the browser tests' Playwright keeps an event
    loop running in the main thread for the whole run, where Django will not
    start another.
    """
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(client.get, path, **headers).result()


def health(client, path="/health/"):
    response = get(client, path, HTTP_ACCEPT="application/json")
    return response.status_code, {
        key.split("(")[0]: value for key, value in response.json().items()
    }


def alert_due(at: dt.datetime, **subscription):
    commitment = window_ending(NOW + dt.timedelta(days=6))
    return Delivery.objects.create(
        subscription=SubscriptionFactory(**subscription),
        commitment=commitment,
        topic="expiring",
        refers_to=f"deadline:{at.isoformat()}",
        next_attempt_at=at,
    )


def test_a_healthy_site_answers_200_with_each_check(client):
    status, checks = health(client)

    assert status == 200
    assert checks == {"Database": "OK", "Cache": "OK", "OutboxLag": "OK"}


def test_the_answer_is_never_cached(client):
    response = get(client, "/health/")

    assert "no-store" in response.headers["Cache-Control"]


def test_alerts_waiting_a_little_are_healthy(client):
    alert_due(NOW - 9 * MINUTE)

    assert health(client)[0] == 200


def test_an_alert_waiting_longer_than_the_limit_fails_the_check(client):
    alert_due(NOW - 11 * MINUTE)

    status, checks = health(client)

    assert status == 500
    assert checks["OutboxLag"] == (
        "Unavailable: The oldest alert due has waited 11 min (more than 10 min): "
        "are the alert workers running?"
    )
    assert (checks["Database"], checks["Cache"]) == ("OK", "OK")


def test_the_limit_is_a_setting(client, settings):
    settings.ALERTS_HEALTH_MAX_LAG = dt.timedelta(minutes=2)
    alert_due(NOW - 3 * MINUTE)

    assert health(client)[0] == 500


def test_alerts_sent_cancelled_or_failed_do_not_count(client):
    for state in ("sent", "cancelled", "failed"):
        Delivery.objects.filter(pk=alert_due(NOW - 60 * MINUTE).pk).update(state=state)

    assert health(client)[0] == 200


def test_alerts_to_a_resting_endpoint_do_not_make_the_site_unwell(client):
    waiting = alert_due(NOW - 60 * MINUTE, channel="webhook", target="https://hooks.example.org/x")
    Endpoint.objects.filter(pk=waiting.subscription.endpoint_id).update(
        resting_until=NOW + 30 * MINUTE
    )

    assert health(client)[0] == 200


def test_an_alert_held_by_a_worker_that_died_counts_once_its_lease_ran_out(client):
    held = alert_due(NOW - 20 * MINUTE)
    Delivery.objects.filter(pk=held.pk).update(state="sending", claimed_until=NOW + MINUTE)
    assert health(client)[0] == 200

    Delivery.objects.filter(pk=held.pk).update(claimed_until=NOW - MINUTE)
    assert health(client)[0] == 500


def test_a_cache_that_cannot_be_reached_fails_the_check(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }

    status, checks = health(client)

    assert status == 500
    assert checks["Cache"] != "OK"


def test_the_load_balancers_check_leaves_the_alert_workers_out(client):
    alert_due(NOW - 60 * MINUTE)

    status, checks = health(client, "/health/web/")

    assert status == 200
    assert checks == {"Database": "OK", "Cache": "OK"}
