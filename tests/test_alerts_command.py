"""`manage.py alerts`: one pass, or a loop."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from tests.alerts_support import SubscriptionFactory, window_ending
from tracker.alerts.sweep import sweep
from tracker.models import Commitment

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def records_made_before_the_story(request):
    """Records are created at a fixed instant; each test moves the clock from there."""
    with time_machine.travel(END - dt.timedelta(days=30), tick=False):
        yield


def run(*args) -> str:
    out = StringIO()
    call_command("alerts", *args, stdout=out)
    return out.getvalue()


def test_one_pass_expires_ended_windows_sends_their_alerts_and_says_so():
    pause = window_ending(END, title="Energy pause")
    SubscriptionFactory()

    with time_machine.travel(END + dt.timedelta(minutes=1), tick=False):
        output = run()

    assert output == "Alerts: 1 expired, 1 sent, 0 to retry, 0 failed, 0 cancelled\n"
    assert Commitment.objects.get(pk=pause.pk).status == "expired"
    assert [m.subject for m in mail.outbox] == ["Expired: Energy pause"]


def test_a_pass_with_nothing_to_do_says_so():
    with time_machine.travel(END, tick=False):
        assert run() == "Alerts: 0 expired, 0 sent, 0 to retry, 0 failed, 0 cancelled\n"


def test_the_loop_runs_a_pass_every_interval_until_interrupted():
    window_ending(END)
    SubscriptionFactory(lead_times="7d")
    naps = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 3:
            raise KeyboardInterrupt

    with (
        time_machine.travel(END - dt.timedelta(days=7), tick=False),
        mock.patch("tracker.management.looping.time.sleep", nap),
        mock.patch("tracker.management.commands.alerts.sweep", wraps=sweep) as passes,
    ):
        output = run("--loop", "--interval", "2")

    assert passes.call_count == 2
    assert naps == [1, 1, 1]
    assert output == "Alerts: 0 expired, 1 sent, 0 to retry, 0 failed, 0 cancelled\n"
    assert len(mail.outbox) == 1


def test_an_interval_below_one_second_is_refused():
    with pytest.raises(CommandError, match="--interval must be at least 1 second"):
        run("--loop", "--interval", "0")
