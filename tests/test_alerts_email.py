"""What an alert email looks like to the person who gets it."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from tests.alerts_support import SubscriptionFactory, window_ending
from tests.factories import ComplianceEventFactory
from tracker import services
from tracker.alerts.models import Delivery
from tracker.alerts.sweep import sweep

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def records_made_before_the_story(request):
    """Records are created at a fixed instant; each test moves the clock from there."""
    with time_machine.travel(END - dt.timedelta(days=30), tick=False):
        yield


@pytest.fixture
def alert_email(settings):
    settings.SITE_URL = "https://tracker.example.org"
    window_ending(END, title="Energy pause", slug="energy-pause")
    subscription = SubscriptionFactory(target="reader@example.org", lead_times="7d")
    with time_machine.travel(END - dt.timedelta(days=7), tick=False):
        sweep()
    [message] = mail.outbox
    return message, subscription


def test_every_alert_email_has_one_click_unsubscribe_headers(alert_email):
    message, subscription = alert_email
    unsubscribe_url = f"https://tracker.example.org/alerts/unsubscribe/{subscription.token}/"

    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{unsubscribe_url}"' in html


def test_an_alert_email_links_to_the_commitment_and_says_why_it_was_sent(alert_email):
    message, _subscription = alert_email

    assert message.to == ["reader@example.org"]
    assert "https://tracker.example.org/commitments/energy-pause/" in message.body
    assert "you subscribed to alerts about every commitment" in message.body


def test_an_alert_email_carries_its_delivery_id_as_a_stable_message_id(alert_email):
    message, _subscription = alert_email
    delivery = Delivery.objects.get()

    assert message.extra_headers["X-Tracker-Delivery"] == str(delivery.delivery_id)
    assert message.extra_headers["Message-ID"] == (
        f"<alert-{delivery.delivery_id}@tracker.example.org>"
    )


def test_a_verified_violation_is_dated_as_precisely_as_its_report(reviewer):
    pause = window_ending(END, title="Energy pause")
    SubscriptionFactory(on_expiring=False)
    kyiv_midnight_of_20_march = dt.datetime(2025, 3, 19, 22, tzinfo=UTC)
    event = ComplianceEventFactory(
        commitment=pause, occurred_at=kyiv_midnight_of_20_march, precision="day"
    )

    with time_machine.travel(END - dt.timedelta(days=10), tick=False):
        services.verify_event(event, "verified", actor=reviewer, reason="Satellite imagery")
        sweep()

    [message] = mail.outbox
    assert "When: 20 March 2025." in message.body
    assert "19 March" not in message.body


def test_a_status_change_says_when_it_took_effect_in_the_words_the_pages_use(reviewer):
    pause = window_ending(END, title="Energy pause")
    SubscriptionFactory(on_expiring=False)

    with time_machine.travel(END - dt.timedelta(days=10), tick=False):
        services.change_status(
            pause,
            "suspended",
            actor=reviewer,
            reason="Talks broke down",
            effective_at=dt.datetime(2025, 4, 6, 9, 30, tzinfo=UTC),
        )
        sweep()

    [message] = mail.outbox
    assert "from 6 April 2025, 09:30 UTC." in message.body
