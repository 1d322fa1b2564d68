"""Webhooks against a real HTTP receiver on 127.0.0.1."""

import base64
import datetime as dt
import hashlib
import hmac

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.alerts_support import LocalReceiver, SubscriptionFactory, window_ending
from tracker.alerts.models import Channel, Delivery, Subscription
from tracker.alerts.sweep import sweep

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)
DUE = END - dt.timedelta(days=7)
MINUTE = dt.timedelta(minutes=1)
SECRET = "a-long-shared-secret-for-tests"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def records_made_before_the_story(request):
    """Records are created at a fixed instant; each test moves the clock from there."""
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        yield


@pytest.fixture(autouse=True)
def local_targets_allowed(settings):
    settings.ALERTS_ALLOW_PRIVATE_TARGETS = True
    settings.ALERTS_WEBHOOK_TIMEOUT = 0.3


def sweep_at(instant):
    with time_machine.travel(instant, tick=False):
        return sweep()


def webhook_for(receiver):
    window_ending(END, title="Energy pause", slug="energy-pause")
    return SubscriptionFactory(
        channel=Channel.WEBHOOK, target=receiver.url, secret=SECRET, lead_times="7d"
    )


def test_a_webhook_gets_a_signed_json_alert_with_its_delivery_id():
    with LocalReceiver() as receiver:
        webhook_for(receiver)
        sweep_at(DUE)

    [request] = receiver.requests
    delivery = Delivery.objects.get()
    expected = hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Tracker-Signature"] == f"sha256={expected}"
    assert request["headers"]["X-Tracker-Delivery"] == str(delivery.delivery_id)
    assert request["headers"]["Content-Type"] == "application/json"
    body = receiver.json_bodies()[0]
    assert body["delivery_id"] == str(delivery.delivery_id)
    assert body["topic"] == "expiring"
    assert body["deadline"] == "2025-04-17T00:00:00+00:00"
    assert body["lead_time"] == "7d"
    assert body["commitment"]["slug"] == "energy-pause"
    assert body["unsubscribe_url"].endswith(delivery.subscription.get_unsubscribe_url())
    assert (delivery.state, delivery.outcome) == (Delivery.State.SENT, "HTTP 200")


def test_a_signature_made_with_another_secret_does_not_verify():
    with LocalReceiver() as receiver:
        webhook_for(receiver)
        sweep_at(DUE)

    [request] = receiver.requests
    forged = hmac.new(b"another-secret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Tracker-Signature"] != f"sha256={forged}"


def test_a_server_error_is_retried_later_with_the_same_delivery_id():
    with LocalReceiver(answers=[500]) as receiver:
        webhook_for(receiver)
        sweep_at(DUE)
        delivery = Delivery.objects.get()
        assert (delivery.state, delivery.last_error) == (
            Delivery.State.PENDING,
            "HTTP 500 from the webhook.",
        )
        sweep_at(DUE + MINUTE)

    ids = [request["headers"]["X-Tracker-Delivery"] for request in receiver.requests]
    assert ids == [str(delivery.delivery_id)] * 2
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_a_receiver_that_does_not_answer_in_time_is_retried():
    with LocalReceiver(answers=["hang"], hang_for=1.5) as receiver:
        webhook_for(receiver)
        sweep_at(DUE)
        delivery = Delivery.objects.get()
        assert delivery.state == Delivery.State.PENDING
        assert "timed out" in delivery.last_error
        sweep_at(DUE + MINUTE)

    assert len(receiver.requests) == 2
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_a_redirect_is_not_followed():
    with LocalReceiver(answers=[302, 302]) as receiver:
        webhook_for(receiver)
        sweep_at(DUE)

    assert len(receiver.requests) == 1
    delivery = Delivery.objects.get()
    assert delivery.last_error == "HTTP 302: redirects are not followed."


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
    ],
)
def test_a_private_address_is_refused_when_the_subscription_is_saved(target, settings):
    settings.ALERTS_ALLOW_PRIVATE_TARGETS = False
    subscription = Subscription(channel=Channel.WEBHOOK, target=target, secret=SECRET)

    with pytest.raises(ValidationError) as refused:
        subscription.full_clean()

    [message] = refused.value.message_dict["target"]
    assert "points into a private, loopback or link-local network" in message


def test_a_public_address_is_accepted():
    subscription = Subscription(
        channel=Channel.WEBHOOK, target="https://93.184.215.14/hook", secret=SECRET
    )
    subscription.full_clean()


def test_a_target_that_turned_private_is_refused_at_send_time(settings):
    with LocalReceiver() as receiver:
        webhook_for(receiver)
        settings.ALERTS_ALLOW_PRIVATE_TARGETS = False
        sweep_at(DUE)

    assert receiver.requests == []
    assert "private, loopback or link-local" in Delivery.objects.get().last_error


@pytest.mark.parametrize(
    "target, secret, field, message",
    [
        ("not a url", SECRET, "target", "Enter a valid http(s) URL."),
        ("ftp://example.org/hook", SECRET, "target", "Enter a valid http(s) URL."),
        ("https://example.org/hook", "short", "secret", "24 to 64 printable ASCII"),
        ("https://example.org/hook", "ünïcødé-secret-that-is-long", "secret", "ASCII"),
        ("https://example.org/hook", "whsec_not*base64", "secret", "the base64 of 24 to 64"),
        ("https://example.org/hook", "whsec_c2hvcnQ=", "secret", "the base64 of 24 to 64"),
    ],
)
def test_a_bad_url_or_secret_is_refused_with_a_clear_message(target, secret, field, message):
    subscription = Subscription(channel=Channel.WEBHOOK, target=target, secret=secret)

    with pytest.raises(ValidationError) as refused:
        subscription.full_clean()

    assert message in " ".join(refused.value.message_dict[field])


def test_a_webhook_saved_without_a_secret_gets_a_strong_one_in_the_standard_form(db):
    subscription = SubscriptionFactory(channel=Channel.WEBHOOK, target="https://example.org/h")

    assert subscription.secret.startswith("whsec_")
    assert len(base64.b64decode(subscription.secret.removeprefix("whsec_"))) == 32


def test_a_secret_typed_as_text_is_kept_as_the_same_key_in_the_standard_form():
    subscription = Subscription(
        channel=Channel.WEBHOOK, target="https://93.184.215.14/h", secret=SECRET
    )

    subscription.full_clean()

    assert subscription.secret == "whsec_" + base64.b64encode(SECRET.encode()).decode()
