"""Chat services through Apprise, against a local receiver speaking Apprise's JSON."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.alerts_support import LocalReceiver, SubscriptionFactory, window_ending
from tracker.alerts.models import Channel, Delivery, Subscription
from tracker.alerts.sweep import sweep

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def records_made_before_the_story(request):
    """Records are created at a fixed instant; each test moves the clock from there."""
    with time_machine.travel(END - dt.timedelta(days=30), tick=False):
        yield


def apprise_url(receiver) -> str:
    return receiver.url.replace("http://", "json://")


def test_a_chat_subscription_gets_the_alert_through_apprise(settings):
    settings.ALERTS_ALLOW_PRIVATE_TARGETS = True
    window_ending(END, title="Energy pause")
    with LocalReceiver() as receiver:
        SubscriptionFactory(channel=Channel.CHAT, target=apprise_url(receiver), lead_times="7d")
        with time_machine.travel(END - dt.timedelta(days=7), tick=False):
            sweep()

    [message] = receiver.json_bodies()
    assert message["title"] == "Ends in 7 days: Energy pause"
    assert "Stop these alerts with one click:" in message["message"]
    assert Delivery.objects.get().outcome == "Accepted by the chat service."


def test_a_chat_service_that_refuses_is_retried(settings):
    settings.ALERTS_ALLOW_PRIVATE_TARGETS = True
    window_ending(END)
    with LocalReceiver(answers=[500]) as receiver:
        SubscriptionFactory(channel=Channel.CHAT, target=apprise_url(receiver), lead_times="7d")
        with time_machine.travel(END - dt.timedelta(days=7), tick=False):
            sweep()

    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING
    assert "did not accept the message" in delivery.last_error


def test_an_address_apprise_does_not_understand_is_refused_at_save_time():
    subscription = Subscription(channel=Channel.CHAT, target="carrier-pigeon://loft/7")

    with pytest.raises(ValidationError) as refused:
        subscription.full_clean()

    assert "Apprise does not understand this address" in refused.value.message_dict["target"][0]


@pytest.mark.parametrize("target", ["json://127.0.0.1:8080/", "matrix://user:pass@10.0.0.7/"])
def test_a_chat_server_on_a_private_address_is_refused_at_save_time(target):
    subscription = Subscription(channel=Channel.CHAT, target=target)

    with pytest.raises(ValidationError) as refused:
        subscription.full_clean()

    assert "private, loopback or link-local" in refused.value.message_dict["target"][0]


def test_a_hosted_chat_service_address_is_accepted():
    subscription = Subscription(
        channel=Channel.CHAT, target="tgram://123456789:AABBccDDeeFFggHHiiJJ/-1001234567"
    )
    subscription.full_clean()
