"""One bad endpoint cannot stop the alerts: deadlines, one worker per endpoint, rest, retries.

Receivers that trickle, mail servers that accept and say nothing, ports that
refuse: every send ends by its deadline, the endpoint rests while the
others go on, and the alert is retried for a day with the same id.
"""

import datetime as dt
import time

import apprise
import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail

from tests.alerts_support import (
    RawServer,
    SubscriptionFactory,
    closed_port,
    prompt_answer,
    silent,
    trickling_answer,
    trickling_greeting,
    window_ending,
)
from tracker.alerts.delivery import claim_next, deliver, lease, retry_failed
from tracker.alerts.models import Channel, Delivery, Endpoint
from tracker.alerts.outbox import queue_expiry_warnings
from tracker.alerts.sweep import sweep

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)
DUE = END - dt.timedelta(days=7)
MINUTE, HOUR = dt.timedelta(minutes=1), dt.timedelta(hours=1)
# Seconds a test send may take. Each read may wait a minute, and the trickling peers below
# never let one wait even a second: without the deadline those sends would go on for ever. A
# sweep around the send (composing, recording) on a busy machine takes a few seconds more.
DEADLINE = 1.5
ENDED_WITHIN = 10

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def records_made_before_the_story(request):
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        yield


@pytest.fixture(autouse=True)
def short_deadlines(settings):
    settings.ALERTS_ALLOW_PRIVATE_TARGETS = True
    settings.ALERTS_SEND_DEADLINE = DEADLINE
    # Each read may wait a minute: only the deadline can stop these sends in seconds.
    settings.ALERTS_WEBHOOK_TIMEOUT = 60
    settings.EMAIL_TIMEOUT = 60


@pytest.fixture
def smtp_at(settings):
    def point_mail_at(port: int):
        settings.EMAIL_BACKEND = "tracker.alerts.mail.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port

    return point_mail_at


def sweep_at(instant):
    with time_machine.travel(instant, tick=False):
        started = time.monotonic()
        report = sweep()
        return report, time.monotonic() - started


def webhook_to(url: str, **fields):
    return SubscriptionFactory(channel=Channel.WEBHOOK, target=url, lead_times="7d", **fields)


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_deadline_and_retried():
    window_ending(END, title="Energy pause")
    with RawServer(trickling_answer) as receiver:
        webhook_to(receiver.url)
        _report, took = sweep_at(DUE)

    assert took < ENDED_WITHIN
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING
    assert delivery.last_error == f"No complete answer within {DEADLINE:g} s; the send was stopped."
    assert delivery.next_attempt_at == DUE + MINUTE
    assert len(receiver.requests) == 1


def test_a_chat_service_trickling_its_answer_is_cut_off_at_the_deadline():
    apprise.Apprise.instantiate("json://127.0.0.1/")  # Apprise loads its plugins once, slowly
    window_ending(END)
    with RawServer(trickling_answer) as service:
        SubscriptionFactory(
            channel=Channel.CHAT, target=service.url.replace("http://", "json://"), lead_times="7d"
        )
        _report, took = sweep_at(DUE)

    assert took < ENDED_WITHIN
    assert len(service.requests) == 1
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING
    assert delivery.last_error == f"No complete answer within {DEADLINE:g} s; the send was stopped."


def test_a_mail_server_that_accepts_and_never_answers_is_cut_off_at_the_deadline(smtp_at):
    window_ending(END)
    with RawServer(silent) as server:
        smtp_at(server.port)
        SubscriptionFactory(lead_times="7d")
        _report, took = sweep_at(DUE)

    assert took < ENDED_WITHIN
    assert server.connections == 1
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 1)
    assert "No complete answer within 1.5 s" in delivery.last_error


def test_a_mail_server_trickling_its_greeting_is_cut_off_at_the_deadline(smtp_at):
    window_ending(END)
    with RawServer(trickling_greeting) as server:
        smtp_at(server.port)
        SubscriptionFactory(lead_times="7d")
        _report, took = sweep_at(DUE)

    assert took < ENDED_WITHIN
    assert Delivery.objects.get().state == Delivery.State.PENDING


def test_a_refused_connection_fails_at_once_and_is_retried(smtp_at):
    window_ending(END)
    smtp_at(closed_port())
    SubscriptionFactory(lead_times="7d")

    _report, took = sweep_at(DUE)

    assert took < 1
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING
    assert "refused" in delivery.last_error.lower()


def test_a_failing_endpoint_rests_while_every_other_alert_goes_out():
    window_ending(END, title="Energy pause")
    with RawServer(trickling_answer) as bad, RawServer(prompt_answer) as good:
        webhook_to(bad.url)
        webhook_to(good.url)
        SubscriptionFactory(lead_times="7d")
        sweep_at(DUE)
        resting = Endpoint.objects.get(key=f"webhook http://127.0.0.1:{bad.port}")
        assert resting.resting_until == DUE + MINUTE
        assert resting.failures == 1

        sweep_at(DUE + 30 * dt.timedelta(seconds=1))
        assert len(bad.requests) == 1  # resting: not tried again yet
        sweep_at(DUE + MINUTE)
        assert len(bad.requests) == 2

    assert len(good.requests) == 1
    assert len(mail.outbox) == 1
    states = dict(Delivery.objects.values_list("subscription__target", "state"))
    assert states.pop(bad.url) == "pending"
    assert set(states.values()) == {"sent"}
    assert Endpoint.objects.get(key=resting.key).failures == 2


def test_a_rested_endpoint_that_answers_again_gets_its_alerts_with_their_ids():
    window_ending(END, title="Energy pause")
    port = closed_port()
    webhook_to(f"http://127.0.0.1:{port}/hook")
    sweep_at(DUE)
    first = Delivery.objects.get()
    assert first.state == Delivery.State.PENDING

    with RawServer(prompt_answer) as back:
        Endpoint.objects.update(key=f"webhook http://127.0.0.1:{back.port}")
        first.subscription.__class__.objects.update(target=back.url)
        sweep_at(DUE + MINUTE)

    [request] = back.requests
    assert request["headers"]["webhook-id"] == str(first.delivery_id)
    endpoint = Endpoint.objects.get()
    assert (endpoint.failures, endpoint.resting_until) == (0, None)
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_an_endpoint_held_by_one_worker_is_passed_over_by_the_next():
    window_ending(END, title="Energy pause")
    window_ending(END, title="Black Sea")
    slow = webhook_to("http://127.0.0.1:9/slow")
    same_origin = webhook_to("http://127.0.0.1:9/another-path")
    mailed = SubscriptionFactory(lead_times="7d")
    with time_machine.travel(DUE, tick=False):
        queue_expiry_warnings(DUE)
        claims = [claim_next(worker) for worker in ("first", "second", "third", "fourth")]

    assert Delivery.objects.count() == 6
    assert slow.endpoint_id == same_origin.endpoint_id != mailed.endpoint_id
    held = [claim.subscription.endpoint_id for claim in claims if claim is not None]
    assert sorted(held) == sorted([slow.endpoint_id, mailed.endpoint_id])
    assert claims[2:] == [None, None]  # every other alert waits for its endpoint


def test_the_lease_is_always_longer_than_the_longest_send(settings):
    settings.ALERTS_LEASE = dt.timedelta(seconds=10)
    settings.ALERTS_SEND_DEADLINE = 30

    assert lease() > dt.timedelta(seconds=30)

    window_ending(END)
    SubscriptionFactory(lead_times="7d")
    with time_machine.travel(DUE, tick=False):
        queue_expiry_warnings(DUE)
        claimed = claim_next("worker")
    assert claimed.claimed_until - DUE > dt.timedelta(seconds=30)
    assert claimed.subscription.endpoint.held_until == claimed.claimed_until


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("Connection refused")


def test_an_outage_of_half_an_hour_no_longer_fails_an_alert(settings, smtp_at):
    window_ending(END)
    SubscriptionFactory(lead_times="7d")
    smtp_at(closed_port())
    instant = DUE
    while instant < DUE + 40 * MINUTE:
        sweep_at(instant)
        delivery = Delivery.objects.get()
        instant = max(delivery.next_attempt_at, delivery.subscription.endpoint.resting_until)
    assert Delivery.objects.get().state == Delivery.State.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sweep_at(instant)

    assert Delivery.objects.get().state == Delivery.State.SENT
    assert len(mail.outbox) == 1


def test_an_alert_is_retried_for_a_day_then_failed_and_staff_are_told_once(smtp_at, settings):
    User.objects.create_superuser("chief", "chief@example.org", "pw")
    window_ending(END, title="Energy pause")
    webhook_to(f"http://127.0.0.1:{closed_port()}/hook")
    instant, tries, state = DUE, 0, Delivery.State.PENDING
    while state == Delivery.State.PENDING:
        sweep_at(instant)
        tries += 1
        delivery = Delivery.objects.get()
        state = delivery.state
        instant = max(delivery.next_attempt_at, delivery.subscription.endpoint.resting_until)

    failed = Delivery.objects.get()
    assert failed.state == Delivery.State.FAILED
    assert dt.timedelta(days=1) <= instant - DUE < dt.timedelta(days=1, hours=2)
    assert failed.attempts == tries
    assert 20 < tries < 40
    [notice] = mail.outbox
    assert notice.to == ["chief@example.org"]
    assert notice.subject == "1 alert could not be delivered"
    assert "Energy pause" in notice.body
    assert "/admin/alerts/delivery/?state__exact=failed" in notice.body

    sweep_at(instant + HOUR)
    assert len(mail.outbox) == 1  # told once


def test_the_admin_front_page_says_how_many_alerts_failed(client, settings):
    settings.ALERTS_RETRY_FOR = dt.timedelta(0)
    client.force_login(User.objects.create_superuser("chief", "chief@example.org", "pw"))
    window_ending(END)
    webhook_to(f"http://127.0.0.1:{closed_port()}/hook")
    sweep_at(DUE)

    page = client.get("/admin/").content.decode()

    assert "1 alert could not be delivered after a day of retries." in page
    assert 'href="http://127.0.0.1:8000/admin/alerts/delivery/?state__exact=failed"' in page


def test_a_failed_alert_retried_by_staff_gets_another_day_and_the_same_id(settings):
    settings.ALERTS_RETRY_FOR = dt.timedelta(0)
    window_ending(END)
    with RawServer(prompt_answer) as receiver:
        port = receiver.port
    webhook_to(f"http://127.0.0.1:{port}/hook")
    sweep_at(DUE)
    failed = Delivery.objects.get(state=Delivery.State.FAILED)

    settings.ALERTS_RETRY_FOR = dt.timedelta(days=1)
    assert retry_failed(Delivery.objects.all()) == 1
    retried = Delivery.objects.get()
    assert (retried.state, retried.attempts, retried.retrying_since) == ("pending", 0, None)
    with RawServer(prompt_answer) as receiver:
        Endpoint.objects.update(key=f"webhook http://127.0.0.1:{receiver.port}", resting_until=None)
        retried.subscription.__class__.objects.update(target=receiver.url)
        sweep_at(DUE + HOUR)

    [request] = receiver.requests
    assert request["headers"]["webhook-id"] == str(failed.delivery_id)
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_a_worker_that_outlives_its_deadline_never_sends_twice():
    """The send is stopped before the lease ends, so no second worker takes the alert over."""
    window_ending(END)
    with RawServer(trickling_answer) as receiver:
        webhook_to(receiver.url)
        with time_machine.travel(DUE, tick=False):
            queue_expiry_warnings(DUE)
            claimed = claim_next("slow")
            started = time.monotonic()
            deliver(claimed, "slow")
            took = time.monotonic() - started
            assert claim_next("next") is None  # retry not due yet, endpoint resting

    assert took < ENDED_WITHIN
    assert receiver.most_at_once() == 1
    assert Delivery.objects.get().claimed_until is None
