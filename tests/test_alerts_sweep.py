"""What the sweep sends, topic by topic, judged by the messages that arrive."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from tests.alerts_support import SubscriptionFactory, window_ending
from tests.factories import AgreementFactory, ComplianceEventFactory
from tracker import services
from tracker.alerts.models import Delivery, Scope
from tracker.alerts.outbox import queue_expiry_warnings
from tracker.alerts.sweep import sweep
from tracker.models import Category, Commitment, EventKind, StatusChange

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def records_made_before_the_story(request):
    """Records are created at a fixed instant; each test moves the clock from there."""
    with time_machine.travel(END - 30 * DAY, tick=False):
        yield


def sweep_at(instant):
    with time_machine.travel(instant, tick=False):
        return sweep()


def subjects():
    return [message.subject for message in mail.outbox]


@pytest.mark.parametrize(
    "lead_time, before_end, wording",
    [("7d", 7 * DAY, "7 days"), ("72h", 72 * HOUR, "3 days"), ("24h", 24 * HOUR, "1 day")],
)
def test_each_lead_time_sends_its_warning_at_its_moment(lead_time, before_end, wording):
    pause = window_ending(END, title="Energy pause")
    SubscriptionFactory(lead_times=lead_time)

    sweep_at(END - before_end - dt.timedelta(minutes=1))
    assert mail.outbox == []

    sweep_at(END - before_end)
    assert subjects() == [f"Ends in {wording}: Energy pause"]
    assert "End: 17 April 2025\n" in mail.outbox[0].body
    assert pause.get_absolute_url() in mail.outbox[0].body


def test_the_default_lead_times_warn_three_times_before_the_end():
    window_ending(END, title="Energy pause")
    SubscriptionFactory()

    for before_end in (7 * DAY, 72 * HOUR, 24 * HOUR):
        sweep_at(END - before_end)

    assert subjects() == [
        "Ends in 7 days: Energy pause",
        "Ends in 3 days: Energy pause",
        "Ends in 1 day: Energy pause",
    ]


def test_a_second_sweep_sends_nothing_new():
    window_ending(END)
    SubscriptionFactory(lead_times="7d")

    sweep_at(END - 7 * DAY)
    sweep_at(END - 7 * DAY)
    sweep_at(END - 6 * DAY)

    assert len(mail.outbox) == 1
    assert Delivery.objects.count() == 1


def test_a_warning_whose_moment_passed_while_nothing_ran_is_sent_once_marked_late():
    window_ending(END, title="Energy pause")
    SubscriptionFactory(lead_times="7d")

    sweep_at(END - 2 * HOUR)
    sweep_at(END - HOUR)

    assert subjects() == ["Ends in 2 h: Energy pause (late warning)"]
    assert "This is the 7 days warning, sent 6 days 22 h late" in mail.outbox[0].body
    assert Delivery.objects.get().is_late


def test_warnings_overtaken_while_nothing_ran_are_recorded_and_only_the_tightest_is_sent():
    window_ending(END, title="Energy pause")
    SubscriptionFactory()

    sweep_at(END - 2 * HOUR)

    assert subjects() == ["Ends in 2 h: Energy pause (late warning)"]
    overtaken = Delivery.objects.filter(state=Delivery.State.CANCELLED)
    assert sorted(d.lead_time for d in overtaken) == [72 * HOUR, 7 * DAY]
    assert {d.outcome for d in overtaken} == {
        "Overtaken by the 1d warning, due at the same time; only that one is sent."
    }


def test_an_extension_re_arms_the_warnings_for_the_new_deadline(reviewer):
    pause = window_ending(END, title="Energy pause")
    SubscriptionFactory(lead_times="7d")
    sweep_at(END - 7 * DAY)

    with time_machine.travel(END - 3 * DAY, tick=False):
        services.extend_window(
            pause, actor=reviewer, reason="Extended by the parties", extra_days=30
        )
    sweep_at(END - DAY)
    assert len(mail.outbox) == 1
    sweep_at(END + 30 * DAY - 7 * DAY)

    assert subjects() == ["Ends in 7 days: Energy pause", "Ends in 7 days: Energy pause"]
    assert "17 May 2025" in mail.outbox[1].body
    assert Commitment.objects.get(pk=pause.pk).status == "in_force"


def test_a_pending_warning_for_the_old_deadline_is_cancelled_never_sent(reviewer):
    pause = window_ending(END)
    SubscriptionFactory(lead_times="24h")
    with time_machine.travel(END - DAY, tick=False):
        queue_expiry_warnings(END - DAY)
        services.extend_window(
            pause, actor=reviewer, reason="Extended by the parties", extra_days=30
        )
        sweep()

    assert mail.outbox == []
    stale = Delivery.objects.get()
    assert stale.state == Delivery.State.CANCELLED
    assert stale.outcome == "The deadline moved; this alert was for the old one."


def test_a_window_that_ends_expires_by_the_clock_and_alerts_once():
    pause = window_ending(END, title="Energy pause")
    SubscriptionFactory()

    report = sweep_at(END)
    sweep_at(END + HOUR)

    change = StatusChange.objects.get(commitment=pause)
    assert (change.to_status, change.reason, change.actor) == ("expired", "window ended", "clock")
    assert len(report.expired) == 1
    assert subjects() == ["Expired: Energy pause"]
    assert "has expired: its agreed period ended.\nEnd: 17 April 2025\n" in mail.outbox[0].body


def test_an_expiry_is_one_message_for_someone_who_follows_expiries_and_status_changes():
    window_ending(END, title="Energy pause")
    both = SubscriptionFactory(on_expired=True, on_status_changed=True)
    only_changes = SubscriptionFactory(on_expired=False, on_status_changed=True)

    sweep_at(END)

    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        (both.target, "Expired: Energy pause"),
        (only_changes.target, "Expired: Energy pause"),
    ]


def test_a_status_change_alerts_with_the_reason_and_the_role_of_who_made_it(reviewer):
    pause = window_ending(END, title="Energy pause")
    SubscriptionFactory(on_expiring=False)

    with time_machine.travel(END - 10 * DAY, tick=False):
        services.change_status(pause, "suspended", actor=reviewer, reason="Talks broke down")
        sweep()

    assert subjects() == ["Suspended: Energy pause"]
    body = mail.outbox[0].body
    assert "is now suspended (it was in force)" in body
    assert "Why: Talks broke down" in body
    assert "Changed by a reviewer." in body
    assert "reviewer@" not in body


def test_a_status_change_that_rolls_back_leaves_no_alert(reviewer):
    pause = window_ending(END)
    SubscriptionFactory()

    travel = time_machine.travel(END - 10 * DAY, tick=False)
    with travel, pytest.raises(RuntimeError), transaction.atomic():
        services.change_status(pause, "suspended", actor=reviewer, reason="Talks broke down")
        assert Delivery.objects.count() == 1  # written in the change's own transaction
        raise RuntimeError("the rest of the edit failed")

    assert Delivery.objects.count() == 0


def test_a_verified_violation_alerts_its_subscribers(reviewer):
    pause = window_ending(END, title="Energy pause")
    SubscriptionFactory(on_expiring=False)
    event = ComplianceEventFactory(
        commitment=pause, kind=EventKind.ALLEGED_VIOLATION, summary="Strike on a substation"
    )

    with time_machine.travel(END - 10 * DAY, tick=False):
        services.verify_event(event, "verified", actor=reviewer, reason="Satellite imagery")
        services.verify_event(event, "disputed", actor=reviewer, reason="New doubts")
        services.verify_event(event, "verified", actor=reviewer, reason="Confirmed again")
        sweep()

    assert subjects() == ["Violation verified: Energy pause"]
    assert "Strike on a substation" in mail.outbox[0].body


def test_an_unpublished_violation_or_a_statement_alerts_nobody(reviewer):
    pause = window_ending(END)
    SubscriptionFactory()
    hidden = ComplianceEventFactory(commitment=pause, is_published=False)
    statement = ComplianceEventFactory(commitment=pause, kind=EventKind.STATEMENT)

    with time_machine.travel(END - 10 * DAY, tick=False):
        services.verify_event(hidden, "verified", actor=reviewer, reason="Checked")
        services.verify_event(statement, "verified", actor=reviewer, reason="Checked")
        sweep()

    assert mail.outbox == []


def test_a_violation_verified_before_it_was_published_is_announced_once_published(reviewer):
    pause = window_ending(END, title="Energy pause")
    SubscriptionFactory()
    event = ComplianceEventFactory(commitment=pause, is_published=False)

    with time_machine.travel(END - 10 * DAY, tick=False):
        services.verify_event(event, "verified", actor=reviewer, reason="Satellite imagery")
        sweep()
        assert mail.outbox == []
        services.publish(event, actor=reviewer, reason="Sources checked")
        services.save_record(event, actor=reviewer, reason="Fix a typo")
        sweep()

    assert subjects() == ["Violation verified: Energy pause"]


@pytest.mark.parametrize(
    "unpublished", [{"is_published": False}, {"agreement__is_published": False}]
)
def test_an_unpublished_commitment_sends_nothing_to_public_subscribers(unpublished, reviewer):
    hidden = window_ending(END, **unpublished)
    SubscriptionFactory()

    sweep_at(END - 7 * DAY)
    with time_machine.travel(END - 5 * DAY, tick=False):
        services.change_status(hidden, "suspended", actor=reviewer, reason="Talks broke down")
    sweep_at(END + DAY)

    assert mail.outbox == []
    assert Delivery.objects.count() == 0


def test_a_commitment_unpublished_after_its_alert_was_queued_sends_nothing(reviewer):
    pause = window_ending(END)
    SubscriptionFactory(lead_times="7d")
    with time_machine.travel(END - 7 * DAY, tick=False):
        queue_expiry_warnings(END - 7 * DAY)
        services.unpublish(pause, actor=reviewer, reason="Source withdrawn")
        sweep()

    assert mail.outbox == []
    assert Delivery.objects.get().outcome == "The commitment is not public."


def test_each_scope_hears_only_about_its_own_commitments():
    agreement = AgreementFactory()
    pause = window_ending(END, title="Energy pause", agreement=agreement)
    window_ending(END, title="Black Sea", category=Category.MARITIME)
    everything = SubscriptionFactory(lead_times="7d")
    by_agreement = SubscriptionFactory(lead_times="7d", scope=Scope.AGREEMENT, agreement=agreement)
    by_commitment = SubscriptionFactory(lead_times="7d", scope=Scope.COMMITMENT, commitment=pause)
    by_category = SubscriptionFactory(
        lead_times="7d", scope=Scope.CATEGORY, category=Category.MARITIME
    )

    sweep_at(END - 7 * DAY)

    received = {(m.to[0], m.subject.split(": ")[1]) for m in mail.outbox}
    assert received == {
        (everything.target, "Energy pause"),
        (everything.target, "Black Sea"),
        (by_agreement.target, "Energy pause"),
        (by_commitment.target, "Energy pause"),
        (by_category.target, "Black Sea"),
    }


def test_unconfirmed_and_unsubscribed_addresses_get_nothing():
    window_ending(END)
    SubscriptionFactory(confirmed_at=None)
    SubscriptionFactory(unsubscribed_at=END - 30 * DAY)

    sweep_at(END - 7 * DAY)
    sweep_at(END)

    assert mail.outbox == []


def test_topics_a_subscriber_did_not_choose_are_not_sent():
    window_ending(END)
    SubscriptionFactory(on_expiring=False, on_expired=False, on_status_changed=False)

    sweep_at(END - 7 * DAY)
    sweep_at(END)

    assert mail.outbox == []
    assert Delivery.objects.count() == 0
