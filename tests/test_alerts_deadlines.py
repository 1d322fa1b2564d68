"""Deadlines of every shape warn before they come and alert once when they pass.

A window's end passing expires it (see test_alerts_sweep). A deliverable's
due date, or a process's milestone, passing leaves the commitment in force,
overdue: its subscribers are told so once.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from tests.alerts_support import (
    LocalReceiver,
    SubscriptionFactory,
    deliverable_due,
)
from tests.factories import CommitmentFactory, ReadingFactory
from tracker import services
from tracker.alerts.models import Channel, Delivery, PassedDeadline, Topic
from tracker.alerts.outbox import queue_expiry_warnings
from tracker.alerts.sweep import sweep
from tracker.models import Commitment

UTC = dt.UTC
DUE = dt.datetime(2025, 3, 19, 12, tzinfo=UTC)
DAY, HOUR, MINUTE = dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(minutes=1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def records_made_before_the_story(request):
    """Records are created at a fixed instant; each test moves the clock from there."""
    with time_machine.travel(DUE - 10 * DAY, tick=False):
        yield


def sweep_at(instant):
    with time_machine.travel(instant, tick=False):
        return sweep()


def subjects():
    return [message.subject for message in mail.outbox]


def test_an_exchange_due_in_five_minutes_warns_before_and_alerts_once_after_its_due_date():
    exchange = deliverable_due(DUE, title="Prisoner exchange")
    SubscriptionFactory(lead_times="24h, 1h")

    sweep_at(DUE - DAY)
    sweep_at(DUE - HOUR)
    sweep_at(DUE - 5 * MINUTE)
    assert subjects() == ["Due in 1 day: Prisoner exchange", "Due in 1 h: Prisoner exchange"]
    assert (
        "“Prisoner exchange” is due in 1 h.\nDue: 19 March 2025, 12:00 UTC" in mail.outbox[1].body
    )

    sweep_at(DUE + MINUTE)
    sweep_at(DUE + HOUR)
    sweep_at(DUE + DAY)

    assert subjects()[2:] == ["Due date passed: Prisoner exchange"]
    body = mail.outbox[2].body
    assert "was due, and its due date has passed" in body
    assert "It is not recorded as done: it is still in force." in body
    assert "Due: 19 March 2025, 12:00 UTC" in body
    assert exchange.get_absolute_url() in body
    assert Commitment.objects.get(pk=exchange.pk).status == "in_force"
    passed = Delivery.objects.get(topic=Topic.DEADLINE_PASSED)
    assert (passed.state, passed.is_late) == (Delivery.State.SENT, False)


def test_a_process_milestone_warns_before_its_due_date_and_alerts_when_it_passes():
    talks = CommitmentFactory(shape="process", title="Technical talks")
    ReadingFactory(commitment=talks, starts_at=None, ends_at=None, due_at=DUE)
    SubscriptionFactory(lead_times="7d")

    sweep_at(DUE - 7 * DAY)
    sweep_at(DUE)

    assert subjects() == [
        "Due in 7 days: Technical talks",
        "Due date passed: Technical talks",
    ]


def test_a_process_with_an_end_warns_before_it_and_says_when_it_passes_without_expiring():
    talks = CommitmentFactory(shape="process", title="Technical talks")
    ReadingFactory(commitment=talks, ends_at=DUE)
    SubscriptionFactory(lead_times="7d")

    sweep_at(DUE - 7 * DAY)
    sweep_at(DUE)

    assert subjects() == ["Ends in 7 days: Technical talks", "End date passed: Technical talks"]
    assert Commitment.objects.get(pk=talks.pk).status == "in_force"


def test_a_new_due_date_re_arms_the_warnings_and_the_passed_alert(reviewer):
    exchange = deliverable_due(DUE, title="Prisoner exchange")
    SubscriptionFactory(lead_times="24h")
    sweep_at(DUE - DAY)
    sweep_at(DUE)
    assert subjects() == ["Due in 1 day: Prisoner exchange", "Due date passed: Prisoner exchange"]

    later = DUE + 3 * DAY
    with time_machine.travel(DUE + HOUR, tick=False):
        reading = exchange.readings.get()
        services.update_reading(reading, actor=reviewer, reason="Postponed", due_at=later)
    sweep_at(later - DAY)
    sweep_at(later)

    assert subjects()[2:] == [
        "Due in 1 day: Prisoner exchange",
        "Due date passed: Prisoner exchange",
    ]
    assert PassedDeadline.objects.filter(commitment=exchange).count() == 2


def test_a_warning_for_a_due_date_that_moved_is_cancelled_never_sent(reviewer):
    exchange = deliverable_due(DUE)
    SubscriptionFactory(lead_times="24h")
    with time_machine.travel(DUE - DAY, tick=False):
        queue_expiry_warnings(DUE - DAY)
        reading = exchange.readings.get()
        services.update_reading(reading, actor=reviewer, reason="Postponed", due_at=DUE + 7 * DAY)
        sweep()

    assert mail.outbox == []
    stale = Delivery.objects.get()
    assert stale.state == Delivery.State.CANCELLED
    assert stale.outcome == "The deadline moved; this alert was for the old one."


def test_an_exchange_fulfilled_before_its_due_date_gets_no_passed_alert(reviewer):
    exchange = deliverable_due(DUE)
    SubscriptionFactory(on_expiring=False, on_status_changed=False)

    with time_machine.travel(DUE - HOUR, tick=False):
        services.change_status(exchange, "fulfilled", actor=reviewer, reason="Exchange took place")
    sweep_at(DUE + HOUR)

    assert mail.outbox == []


def test_a_due_date_that_passed_while_nothing_ran_is_announced_once_marked_late():
    deliverable_due(DUE, title="Prisoner exchange")
    SubscriptionFactory(on_expiring=False)

    sweep_at(DUE + 3 * HOUR)
    sweep_at(DUE + 4 * HOUR)

    assert subjects() == ["Due date passed: Prisoner exchange"]
    assert Delivery.objects.get().is_late


def test_a_due_date_long_past_before_any_sweep_is_no_news():
    deliverable_due(DUE)
    SubscriptionFactory()

    sweep_at(DUE + 60 * DAY)

    assert mail.outbox == []
    assert Delivery.objects.count() == 0


@pytest.mark.parametrize("unpublished", [{"is_published": False}])
def test_an_unpublished_due_date_alerts_nobody(unpublished):
    exchange = CommitmentFactory(shape="deliverable")
    ReadingFactory(commitment=exchange, ends_at=None, due_at=DUE, **unpublished)
    SubscriptionFactory()

    sweep_at(DUE - DAY)
    sweep_at(DUE + HOUR)

    assert mail.outbox == []


def test_a_subscriber_who_did_not_ask_for_passed_deadlines_is_only_warned():
    deliverable_due(DUE, title="Prisoner exchange")
    SubscriptionFactory(lead_times="24h", on_expired=False)

    sweep_at(DUE - DAY)
    sweep_at(DUE + HOUR)

    assert subjects() == ["Due in 1 day: Prisoner exchange"]


def test_a_webhook_is_told_which_kind_of_deadline_it_is_about(settings):
    settings.ALERTS_ALLOW_PRIVATE_TARGETS = True
    with LocalReceiver() as receiver:
        deliverable_due(DUE, slug="exchange")
        SubscriptionFactory(channel=Channel.WEBHOOK, target=receiver.url, lead_times="24h")
        sweep_at(DUE - DAY)
        sweep_at(DUE)

    warning, passed = receiver.json_bodies()
    assert (warning["topic"], warning["deadline_kind"]) == ("expiring", "due")
    assert (passed["topic"], passed["deadline_kind"]) == ("deadline_passed", "due")
    assert passed["deadline"] == "2025-03-19T12:00:00+00:00"
