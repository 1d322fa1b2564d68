"""Staff manage subscriptions and see, and retry, what the outbox did."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User

from tests.alerts_support import SubscriptionFactory, window_ending
from tracker.alerts.models import Channel, Delivery, Subscription

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("chief", "chief@example.org", "pw")
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        yield client


def add_form(**overrides):
    data = {
        "channel": "email",
        "target": "desk@example.org",
        "secret": "",
        "scope": "everything",
        "category": "",
        "on_expiring": "on",
        "lead_times": "7d, 72h, 24h",
        "on_expired": "on",
        "on_status_changed": "on",
        "on_violation_verified": "on",
        "language": "en",
        "time_zone": "UTC",
        "confirmed_at_0": "",
        "confirmed_at_1": "",
    }
    data.update(overrides)
    return data


def test_the_subscription_pages_open(admin_client):
    subscription = SubscriptionFactory()
    for url in [
        "/admin/alerts/subscription/",
        "/admin/alerts/subscription/add/",
        f"/admin/alerts/subscription/{subscription.pk}/change/",
        f"/admin/alerts/subscription/{subscription.pk}/history/",
        "/admin/alerts/delivery/",
        "/admin/alerts/endpoint/",
        f"/admin/alerts/endpoint/{subscription.endpoint_id}/change/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_a_subscription_added_by_staff_is_active_at_once_and_its_history_says_so(admin_client):
    response = admin_client.post("/admin/alerts/subscription/add/", add_form())

    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at == NOW
    assert subscription.history.get().history_change_reason == "Added in the admin"


def test_a_webhook_into_a_private_network_is_refused_with_a_clear_error(admin_client):
    response = admin_client.post(
        "/admin/alerts/subscription/add/",
        add_form(channel="webhook", target="http://169.254.169.254/latest/"),
    )

    assert response.status_code == 200
    assert "points into a private, loopback or link-local network" in response.content.decode()
    assert Subscription.objects.count() == 0


def test_a_bad_lead_time_is_refused_with_a_clear_error(admin_client):
    response = admin_client.post("/admin/alerts/subscription/add/", add_form(lead_times="tomorrow"))

    assert "“tomorrow” is not a lead time" in response.content.decode()
    assert Subscription.objects.count() == 0


def test_the_same_subscription_twice_is_refused(admin_client):
    SubscriptionFactory(target="desk@example.org", channel=Channel.EMAIL)

    response = admin_client.post("/admin/alerts/subscription/add/", add_form())

    assert response.status_code == 200
    assert "This address already has a live subscription" in response.content.decode()
    assert Subscription.objects.count() == 1


def make_delivery(state, **fields):
    return Delivery.objects.create(
        subscription=SubscriptionFactory(),
        commitment=window_ending(NOW + dt.timedelta(days=7)),
        topic="expiring",
        refers_to=f"deadline:{state}",
        state=state,
        **fields,
    )


def test_failed_deliveries_show_their_error_and_can_be_retried(admin_client):
    failed = make_delivery(
        Delivery.State.FAILED, attempts=6, last_error="HTTP 500 from the webhook."
    )
    sent = make_delivery(Delivery.State.SENT, attempts=1)

    listing = admin_client.get("/admin/alerts/delivery/?state=failed")
    assert "HTTP 500 from the webhook." in listing.content.decode()

    response = admin_client.post(
        "/admin/alerts/delivery/",
        {"action": "retry", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )

    content = response.content.decode()
    assert "1 queued again with the same delivery id" in content
    assert "1 skipped: only failed deliveries can be retried." in content
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.next_attempt_at) == (
        Delivery.State.PENDING,
        0,
        NOW,
    )
    sent.refresh_from_db()
    assert sent.state == Delivery.State.SENT


def test_deliveries_cannot_be_added_or_edited_by_hand(admin_client):
    delivery = make_delivery(Delivery.State.SENT)

    assert admin_client.get("/admin/alerts/delivery/add/").status_code == 403
    page = admin_client.get(f"/admin/alerts/delivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()


def test_the_subscription_form_names_the_chat_services_it_can_check(admin_client):
    page = admin_client.get("/admin/alerts/subscription/add/").text

    assert "tgram://" in page and "matrixs://" in page
    assert "Other Apprise services, e-mail through Apprise included, are refused." in page
