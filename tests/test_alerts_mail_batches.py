"""Mail in batches over one connection, and a mail server that refuses, stalls or hangs up
in the middle of one: every alert is sent once or waits for its retry, none lost, none twice."""

import datetime as dt
import time

import pytest
import time_machine

from tests.alerts_support import SubscriptionFactory, window_ending
from tests.smtp_support import CountingMailServer
from tracker.alerts.models import Delivery, Endpoint
from tracker.alerts.sweep import sweep

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)
DUE = END - dt.timedelta(days=7)
LATER = DUE + dt.timedelta(hours=2)  # past every retry's wait and the endpoint's rest
READERS = 20

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def records_made_before_the_story():
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        yield


@pytest.fixture
def mail_server(settings):
    settings.ALERTS_SEND_DEADLINE = 1
    settings.EMAIL_TIMEOUT = 60  # only the deadline stops a stalled send in a second
    settings.ALERTS_MAIL_CONNECTIONS = 1
    settings.ALERTS_BATCH = 50
    with CountingMailServer() as server:
        settings.EMAIL_BACKEND = "tracker.alerts.mail.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        yield server


@pytest.fixture
def readers(mail_server):
    window_ending(END, title="Energy pause")
    return SubscriptionFactory.create_batch(READERS, lead_times="7d")


def sweep_at(instant):
    with time_machine.travel(instant, tick=False):
        started = time.monotonic()
        report = sweep()
        return report, time.monotonic() - started


def sent_ids() -> set[str]:
    return {
        str(i) for i in Delivery.objects.filter(state="sent").values_list("delivery_id", flat=True)
    }


def assert_each_reader_has_one_alert_or_waits(server):
    """What the server accepted is exactly what is recorded as sent; the rest wait."""
    copies = server.per_delivery()
    assert set(copies.values()) <= {1}, "an alert reached the mail server twice"
    assert set(copies) == sent_ids()
    waiting = Delivery.objects.exclude(state="sent")
    assert set(waiting.values_list("state", flat=True)) <= {"pending"}


def test_a_batch_of_alerts_goes_out_over_one_connection(readers, mail_server):
    report, _took = sweep_at(DUE)

    assert len(report.delivered.sent) == READERS
    assert mail_server.connections == 1
    assert sorted(to for to, _id in mail_server.received) == sorted(r.target for r in readers)
    assert_each_reader_has_one_alert_or_waits(mail_server)


@pytest.mark.parametrize("how", ["drop", "refuse", "stall"])
@pytest.mark.parametrize("at", ["MAIL", "DATA"])
def test_a_mail_server_failing_mid_batch_leaves_each_alert_sent_once_or_queued(
    readers, mail_server, how, at
):
    mail_server.misbehave(how, after=7, at=at)

    report, took = sweep_at(DUE)

    assert len(report.delivered.sent) == 7
    assert took < 5, "a stalled server is cut off at one send's deadline"
    assert_each_reader_has_one_alert_or_waits(mail_server)
    tried = Delivery.objects.get(state="pending", attempts=1)
    assert tried.last_error
    untried = Delivery.objects.filter(state="pending", attempts=0)
    assert untried.count() == READERS - 8  # the rest of the batch went back as it was
    assert Endpoint.objects.get(key="email").resting_until is not None

    mail_server.behave()
    sweep_at(LATER)

    assert Delivery.objects.filter(state="sent").count() == READERS
    assert_each_reader_has_one_alert_or_waits(mail_server)
    assert len(mail_server.received) == READERS


def test_an_address_refused_mid_batch_waits_while_the_batch_goes_on(readers, mail_server):
    refused = readers[5].target
    mail_server.refused = {refused}

    report, _took = sweep_at(DUE)

    assert len(report.delivered.sent) == READERS - 1
    assert mail_server.connections == 1
    waiting = Delivery.objects.get(state="pending")
    assert waiting.subscription.target == refused
    assert "refused this address" in waiting.last_error
    assert Endpoint.objects.get(key="email").resting_until is None
    assert_each_reader_has_one_alert_or_waits(mail_server)


def test_the_mail_server_is_shared_by_as_many_workers_as_it_has_lanes(settings, mail_server):
    settings.ALERTS_MAIL_CONNECTIONS = 4
    window_ending(END, title="Energy pause")
    SubscriptionFactory.create_batch(40, lead_times="7d")

    sweep_at(DUE)

    lanes = Endpoint.objects.filter(key__startswith="email ").values_list("key", flat=True)
    assert set(lanes) == {"email 1/4", "email 2/4", "email 3/4", "email 4/4"}
    assert mail_server.connections == 4  # one connection for each lane's batch
    assert len(mail_server.received) == 40
    assert_each_reader_has_one_alert_or_waits(mail_server)


def test_subscriptions_made_before_the_lanes_are_spread_over_them(settings):
    from importlib import import_module

    from django.apps import apps

    from tracker.alerts.models import Subscription

    migration = import_module("tracker.alerts.migrations.0009_mail_server_lanes")
    settings.ALERTS_MAIL_CONNECTIONS = 1
    readers = SubscriptionFactory.create_batch(40)
    assert set(Subscription.objects.values_list("endpoint__key", flat=True)) == {"email"}

    settings.ALERTS_MAIL_CONNECTIONS = 4
    migration.move_to_lanes(apps, None)

    for reader in readers:
        moved = Subscription.objects.get(pk=reader.pk)
        assert moved.endpoint.key == Endpoint.key_for("email", reader.target)
    assert Subscription.objects.values("endpoint").distinct().count() == 4
    migration.back_to_one(apps, None)
    assert set(Subscription.objects.values_list("endpoint__key", flat=True)) == {"email"}
