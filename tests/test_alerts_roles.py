"""Reviewers look after the alerts: they see and retry deliveries and see subscriptions.

Subscribers' addresses are shown to them shortened; whole only to someone
granted ``alerts.view_subscriber_address``. Editors do not see the alerts.
"""

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.core.management import call_command

from tests.alerts_support import SubscriptionFactory, window_ending
from tracker.alerts.addresses import shortened
from tracker.alerts.models import Delivery

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, tzinfo=UTC)
ADDRESS = "olena.kovalenko@example.org"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def failed():
    return Delivery.objects.create(
        subscription=SubscriptionFactory(target=ADDRESS),
        commitment=window_ending(NOW + dt.timedelta(days=7)),
        topic="expiring",
        refers_to="deadline:failed",
        state=Delivery.State.FAILED,
        attempts=6,
        last_error="HTTP 500 from the webhook.",
    )


def test_a_reviewer_sees_failed_deliveries_with_shortened_addresses_and_retries_them(
    client, reviewer, failed
):
    client.force_login(reviewer)

    listing = client.get("/admin/alerts/delivery/?state__exact=failed").text
    assert "HTTP 500 from the webhook." in listing
    assert "o•••@example.org" in listing
    assert ADDRESS not in listing
    detail = client.get(f"/admin/alerts/delivery/{failed.pk}/change/").text
    assert "o•••@example.org" in detail and ADDRESS not in detail

    done = client.post(
        "/admin/alerts/delivery/", {"action": "retry", "_selected_action": [failed.pk]}, follow=True
    )
    assert "1 queued again with the same delivery id" in done.text
    failed.refresh_from_db()
    assert failed.state == Delivery.State.PENDING


def test_a_reviewer_sees_subscriptions_read_only_without_whole_addresses(client, reviewer, failed):
    client.force_login(reviewer)
    subscription = failed.subscription

    listing = client.get("/admin/alerts/subscription/").text
    assert "o•••@example.org" in listing and ADDRESS not in listing
    detail = client.get(f"/admin/alerts/subscription/{subscription.pk}/change/")
    assert detail.status_code == 200
    assert "o•••@example.org" in detail.text and ADDRESS not in detail.text
    assert 'name="target"' not in detail.text
    assert client.get("/admin/alerts/subscription/add/").status_code == 403
    assert client.get("/admin/alerts/endpoint/").status_code == 200


def test_whole_addresses_need_a_permission_of_their_own(client, reviewer, failed):
    reviewer.user_permissions.add(Permission.objects.get(codename="view_subscriber_address"))
    reviewer = User.objects.get(pk=reviewer.pk)  # permissions are cached on the user
    client.force_login(reviewer)

    assert ADDRESS in client.get("/admin/alerts/subscription/").text
    assert ADDRESS in client.get("/admin/alerts/delivery/").text


def test_editors_do_not_see_the_alerts(client, editor, failed):
    client.force_login(editor)

    for page in ("delivery", "subscription", "endpoint"):
        assert client.get(f"/admin/alerts/{page}/").status_code == 403


def test_the_demo_reviewer_reaches_the_deliveries(client, settings, failed):
    settings.DEBUG = True
    call_command("ensure_demo_staff", stdout=io.StringIO())
    client.force_login(User.objects.get(username="demo-reviewer"))

    assert client.get("/admin/alerts/delivery/").status_code == 200
    assert "Deliveries" in client.get("/admin/").text


@pytest.mark.parametrize(
    ("channel", "target", "shown"),
    [
        ("email", "olena@example.org", "o•••@example.org"),
        ("webhook", "https://hooks.example.org/T0/secret-path?k=1", "https://hooks.example.org/…"),
        ("chat", "tgram://123456:token/-100200", "tgram://…"),
        ("email", "not an address", "•••"),
    ],
)
def test_an_address_is_shortened_to_what_tells_it_apart(channel, target, shown):
    assert shortened(channel, target) == shown


def test_an_address_in_a_title_is_shortened_too(failed):
    assert ADDRESS not in str(failed.subscription)
    assert ADDRESS not in str(failed)
