"""Three alert worker processes on PostgreSQL against hostile peers, and one killed mid-send.

The peers: a receiver that trickles its answer a byte at a time, a mail
server that accepts connections and never says a word, a port that refuses
them, and three receivers that answer at once. The workers are real
``manage.py alerts --loop`` processes; one is killed with SIGKILL while it
is sending to the trickling receiver. Every alert to a working receiver
arrives exactly once and soon, no endpoint (a receiver, a lane of the mail
server) ever holds two workers at once,
and nothing is failed: the bad endpoints rest and are retried.
"""

import datetime as dt
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from tests import worker_support
from tests.alerts_support import (
    RawServer,
    SubscriptionFactory,
    closed_port,
    silent,
    thoughtful_answer,
    trickling_answer,
    window_ending,
)
from tests.worker_support import wait_for
from tracker.alerts.models import Channel, Delivery, Endpoint

WORKERS = 3
COMMITMENTS = 4
SEND_DEADLINE = 2  # seconds
LEASE = 6  # seconds: longer than the longest send, short enough for the test

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: workers in other processes"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def start_worker(smtp_port: int, log: Path) -> subprocess.Popen:
    return worker_support.start_worker(smtp_port, log, send_deadline=SEND_DEADLINE, lease=LEASE)


def stop(workers: list[subprocess.Popen]) -> None:
    worker_support.stop(workers, within=SEND_DEADLINE + 15)


def test_three_workers_deliver_exactly_once_whatever_the_peers_do_and_a_kill(tmp_path):
    ends = timezone.now() + dt.timedelta(days=6)
    for n in range(COMMITMENTS):
        window_ending(ends, title=f"Pause {n}")
    log = tmp_path / "workers.log"

    with (
        RawServer(thoughtful_answer) as good_a,
        RawServer(thoughtful_answer) as good_b,
        RawServer(thoughtful_answer) as good_c,
        RawServer(trickling_answer) as trickler,
        RawServer(silent) as mail_server,
    ):
        good = [good_a, good_b, good_c]
        for receiver in good:
            for n in range(5):
                SubscriptionFactory(
                    channel=Channel.WEBHOOK, target=f"{receiver.url}/{n}", lead_times="7d"
                )
        for n in range(2):
            SubscriptionFactory(
                channel=Channel.WEBHOOK, target=f"{trickler.url}/{n}", lead_times="7d"
            )
            SubscriptionFactory(
                channel=Channel.WEBHOOK,
                target=f"http://127.0.0.1:{closed_port()}/hook",
                lead_times="7d",
            )
            SubscriptionFactory(lead_times="7d")  # by mail, to the silent server
        trickler_key = f"webhook http://127.0.0.1:{trickler.port}"

        started = time.monotonic()
        workers = [start_worker(mail_server.port, log) for _ in range(WORKERS)]
        try:
            # Kill the worker that is sending to the trickling receiver, mid-send.
            holder = wait_for(
                lambda: (
                    Endpoint.objects.filter(key=trickler_key, held_until__gt=timezone.now())
                    .exclude(held_by="")
                    .values_list("held_by", flat=True)
                    .first()
                ),
                timeout=60,
                what="a worker to hold the trickling receiver",
            )
            killed = int(holder.split(":")[1])
            time.sleep(0.5)  # it is trickling now
            os.kill(killed, signal.SIGKILL)
            workers.append(start_worker(mail_server.port, log))

            good_alerts = COMMITMENTS * 5 * len(good)
            wait_for(
                lambda: (
                    Delivery.objects.filter(
                        subscription__target__startswith="http://127.0.0.1:",
                        state=Delivery.State.SENT,
                    ).count()
                    == good_alerts
                ),
                timeout=90,
                what="every alert to a working receiver",
            )
            all_good_after = time.monotonic() - started
            # The trickling receiver's alert the killed worker held is sent again after its lease.
            wait_for(
                lambda: len(trickler.requests) >= 4, timeout=LEASE + 30, what="the trickler retried"
            )
        finally:
            stop(workers)

    errors = log.read_text()
    assert "Traceback" not in errors.replace("failed unexpectedly", ""), errors[-3000:]

    deliveries = Delivery.objects.select_related("subscription")
    assert deliveries.count() == COMMITMENTS * (len(good) * 5 + 6)
    sent_ids = Counter(
        request["headers"]["webhook-id"] for receiver in good for request in receiver.requests
    )
    expected_ids = {
        str(d.delivery_id)
        for d in deliveries
        if any(d.subscription.target.startswith(r.url) for r in good)
    }
    assert set(sent_ids) == expected_ids
    assert set(sent_ids.values()) == {1}, "an alert reached a working receiver twice"
    assert all_good_after < 60

    for server in [*good, trickler]:
        assert server.most_at_once() == 1, f"an endpoint held two workers: {server.intervals}"
    # The mail server is several endpoints, its lanes: one worker at most on each.
    lanes = Endpoint.objects.filter(key__startswith="email").count()
    assert 1 <= mail_server.most_at_once() <= lanes, mail_server.intervals

    bad = [d for d in deliveries if str(d.delivery_id) not in expected_ids]
    assert {d.state for d in bad} <= {Delivery.State.PENDING, Delivery.State.SENDING}
    assert not deliveries.filter(state=Delivery.State.FAILED).exists()
    trickled = [request["headers"]["webhook-id"] for request in trickler.requests]
    resent = [delivery_id for delivery_id, n in Counter(trickled).items() if n > 1]
    assert resent, "the alert the killed worker held was sent again, with the same id"
    assert mail_server.connections >= 2  # the silent mail server was tried, and tried again
