"""Claims, leases, retries and failures in the outbox."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from tests.alerts_support import SubscriptionFactory, window_ending
from tracker.alerts import channels
from tracker.alerts.claims import mark_sending
from tracker.alerts.delivery import claim_next, deliver, retry_failed
from tracker.alerts.models import Delivery
from tracker.alerts.outbox import queue_expiry_warnings
from tracker.alerts.subscriptions import unsubscribe
from tracker.alerts.sweep import sweep

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)
DUE = END - dt.timedelta(days=7)
MINUTE = dt.timedelta(minutes=1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def records_made_before_the_story(request):
    """Records are created at a fixed instant; each test moves the clock from there."""
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        yield


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("Connection refused")


def sweep_at(instant):
    with time_machine.travel(instant, tick=False):
        return sweep()


def delivery_ids():
    return [message.extra_headers["X-Tracker-Delivery"] for message in mail.outbox]


@pytest.fixture
def one_due_warning(db):
    window_ending(END, title="Energy pause")
    SubscriptionFactory(lead_times="7d")


def test_a_worker_killed_between_claim_and_mark_leads_to_one_retry_with_the_same_id(
    one_due_warning, settings
):
    settings.ALERTS_LEASE = dt.timedelta(minutes=5)
    with time_machine.travel(DUE, tick=False):
        queue_expiry_warnings(DUE)
        claimed = claim_next("worker-that-dies")  # ...and never records an outcome
    assert claimed.state == Delivery.State.SENDING

    sweep_at(DUE + 4 * MINUTE)
    assert mail.outbox == []  # the lease still holds

    sweep_at(DUE + 6 * MINUTE)
    sweep_at(DUE + 7 * MINUTE)

    assert delivery_ids() == [str(claimed.delivery_id)]
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.SENT, 2)
    assert delivery.tries_in_doubt == 0  # it died before anything left: no copy possible
    assert delivery.send_mark is None


def test_an_alert_a_worker_was_killed_sending_is_in_doubt_and_goes_again_with_its_ids(
    one_due_warning,
):
    with time_machine.travel(DUE, tick=False):
        queue_expiry_warnings(DUE)
        claimed = claim_next("worker-that-dies")
        assert mark_sending(claimed, "worker-that-dies")
        first_try = claimed.send_mark
        # ...the alert leaves, the server answers 250, and the worker is killed.

    assert Delivery.objects.get().send_mark == first_try  # committed before it left
    sweep_at(DUE + 6 * MINUTE)

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.tries_in_doubt) == ("sent", 2, 1)
    assert delivery.send_mark is None
    assert "Sent again with the same id: 1 earlier try may have arrived." in delivery.outcome
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == channels.message_id(delivery)
    assert message.extra_headers["X-Tracker-Attempt"] not in ("", str(first_try))


def test_a_claimed_alert_cannot_be_claimed_again_while_its_lease_holds(one_due_warning):
    with time_machine.travel(DUE, tick=False):
        queue_expiry_warnings(DUE)
        first = claim_next("first")
        second = claim_next("second")

    assert first is not None
    assert second is None


def test_a_worker_whose_lease_ran_out_does_not_overwrite_the_new_owner(one_due_warning):
    with time_machine.travel(DUE, tick=False):
        queue_expiry_warnings(DUE)
        slow = claim_next("slow")
    with time_machine.travel(DUE + 10 * MINUTE, tick=False):
        fast = claim_next("fast")
        assert deliver(fast, "fast") == Delivery.State.SENT
        # The slow worker wakes up: its mark finds the claim gone, and it sends nothing.
        assert deliver(slow, "slow") == Delivery.State.SENDING

    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SENT
    assert delivery.claimed_by == "fast"
    assert delivery_ids() == [str(delivery.delivery_id)]


def test_failures_are_retried_with_growing_waits_then_shown_as_failed(one_due_warning, settings):
    settings.EMAIL_BACKEND = "tests.test_alerts_delivery.RefusingBackend"
    settings.ALERTS_RETRY_FOR = 3 * MINUTE

    sweep_at(DUE)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 1)
    assert (delivery.next_attempt_at, delivery.retrying_since) == (DUE + MINUTE, DUE)
    assert "Connection refused" in delivery.last_error

    sweep_at(DUE + MINUTE - dt.timedelta(seconds=1))
    assert Delivery.objects.get().attempts == 1  # not yet

    sweep_at(DUE + MINUTE)
    assert Delivery.objects.get().next_attempt_at == DUE + 3 * MINUTE

    sweep_at(DUE + 3 * MINUTE)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.FAILED, 3)

    sweep_at(DUE + dt.timedelta(days=1))
    assert Delivery.objects.get().attempts == 3  # failed stays failed


def test_a_failed_alert_retried_by_staff_is_sent_with_the_same_id(one_due_warning, settings):
    settings.EMAIL_BACKEND = "tests.test_alerts_delivery.RefusingBackend"
    settings.ALERTS_RETRY_FOR = dt.timedelta(0)
    sweep_at(DUE)
    failed = Delivery.objects.get(state=Delivery.State.FAILED)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(DUE + dt.timedelta(hours=1), tick=False):
        assert retry_failed(Delivery.objects.all()) == 1
        sweep()

    assert delivery_ids() == [str(failed.delivery_id)]
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_retrying_leaves_alerts_that_did_not_fail_alone(one_due_warning):
    sweep_at(DUE)
    assert retry_failed(Delivery.objects.all()) == 0
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_unsubscribing_cancels_what_was_waiting(one_due_warning, settings):
    settings.EMAIL_BACKEND = "tests.test_alerts_delivery.RefusingBackend"
    sweep_at(DUE)
    unsubscribe(Delivery.objects.get().subscription.token)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sweep_at(DUE + dt.timedelta(hours=1))

    assert mail.outbox == []
    assert Delivery.objects.get().state == Delivery.State.CANCELLED
