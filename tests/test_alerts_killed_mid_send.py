"""A worker killed at the worst moment: its alert has arrived, and it cannot write that down.

The mail server (or the webhook receiver) takes the alert in and keeps its
answer back; the test, told so at once, kills the worker with SIGKILL while
it waits for that answer. The outbox row still says "sending", with the mark
its worker committed before the alert left. When the lease runs out, the
other worker sends the alert again, with the same Message-ID (webhook-id):
two copies reach the transport, and the subscriber, deduplicating by that id
as a mail client does, sees one. The outbox records the alert as sent once,
with the try in doubt counted.
"""

import base64
import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from tests.alerts_support import LocalReceiver, SubscriptionFactory, window_ending
from tests.smtp_support import CountingMailServer
from tests.worker_support import kill_holder, start_worker, stop, wait_for
from tracker.alerts import channels, signing
from tracker.alerts.models import Channel, Delivery

SEND_DEADLINE = 5  # seconds: longer than the test takes to kill a worker it was told about
LEASE = 10  # seconds
READERS = 4
HELD = 1  # the second reader's alert is the one held

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: workers in other processes"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def due_warnings(settings):
    settings.ALERTS_MAIL_CONNECTIONS = 1  # one lane: one worker sends the mail, in order
    window_ending(timezone.now() + dt.timedelta(days=6), title="Energy pause")


def workers_for(smtp_port: int, log) -> list:
    return [
        start_worker(
            smtp_port, log, send_deadline=SEND_DEADLINE, lease=LEASE, ALERTS_MAIL_CONNECTIONS="1"
        )
        for _ in range(2)
    ]


def kill_the_sender(server, delivery_id: str, attempt: str, workers: list) -> Delivery:
    """SIGKILL the worker waiting for the held alert's answer, then let the server answer.

    Returns the alert's row as the dead worker left it: still claimed, with the
    mark of the try that arrived, committed before the alert left.
    """
    held = Delivery.objects.get(delivery_id=delivery_id)
    kill_holder(held.claimed_by, workers)
    server.released.set()
    held.refresh_from_db()
    assert held.state == Delivery.State.SENDING
    assert str(held.send_mark) == attempt
    return held


def all_sent() -> bool:
    return Delivery.objects.filter(state=Delivery.State.SENT).count() == READERS


def assert_recorded_once_with_one_try_in_doubt(held: Delivery) -> None:
    deliveries = {d.pk: d for d in Delivery.objects.all()}
    assert len(deliveries) == READERS
    assert {d.state for d in deliveries.values()} == {Delivery.State.SENT}
    resent = deliveries.pop(held.pk)
    assert (resent.tries_in_doubt, resent.attempts, resent.send_mark) == (1, 2, None)
    assert "Sent again with the same id: 1 earlier try may have arrived." in resent.outcome
    assert {d.tries_in_doubt for d in deliveries.values()} == {0}


def test_mail_taken_in_before_its_worker_was_killed_reaches_the_reader_once(due_warnings, tmp_path):
    readers = SubscriptionFactory.create_batch(READERS, lead_times="7d")
    log = tmp_path / "workers.log"
    with CountingMailServer() as server:
        server.hold(readers[HELD].target)
        workers = workers_for(server.port, log)
        try:
            assert server.held.wait(90), "the held reader's alert never came"
            [copy] = server.copies_to(readers[HELD].target)
            held = kill_the_sender(
                server, copy["X-Tracker-Delivery"], copy["X-Tracker-Attempt"], workers
            )
            assert server.wait_until(
                lambda: len(server.copies) == READERS + 1, timeout=LEASE + 60
            ), "the survivor never sent the alert again"
            wait_for(all_sent, timeout=30, what="every alert recorded as sent")
        finally:
            stop(workers)

    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
    for reader in readers:
        [delivery] = Delivery.objects.filter(subscription=reader)
        assert server.mailbox(reader.target) == [channels.message_id(delivery)]
    first, again = server.copies_to(readers[HELD].target)
    assert first["Message-ID"] == again["Message-ID"]
    assert first["X-Tracker-Attempt"] != again["X-Tracker-Attempt"]
    raw = sorted(len(server.copies_to(r.target)) for r in readers)
    assert raw == [1, 1, 1, 2], "one copy at the transport, the held one, and no other"
    assert_recorded_once_with_one_try_in_doubt(held)


def test_a_webhook_taken_in_before_its_worker_was_killed_reaches_the_receiver_once(
    due_warnings, tmp_path
):
    log = tmp_path / "workers.log"
    with LocalReceiver(hold_for=f"/hook/{HELD}") as receiver:
        hooks = [
            SubscriptionFactory(
                channel=Channel.WEBHOOK, target=f"{receiver.url}/{n}", lead_times="7d"
            )
            for n in range(READERS)
        ]
        workers = workers_for(1, log)  # no mail goes out
        try:
            assert receiver.held.wait(90), "the held alert never came"
            [request] = [r for r in receiver.requests if r["path"] == receiver.hold_for]
            held = kill_the_sender(
                receiver,
                header(request, "webhook-id"),
                header(request, "X-Tracker-Attempt"),
                workers,
            )
            assert receiver.wait_until(
                lambda: len(receiver.requests) == READERS + 1, timeout=LEASE + 60
            ), "the survivor never sent the alert again"
            wait_for(all_sent, timeout=30, what="every alert recorded as sent")
        finally:
            stop(workers)

    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
    by_path = {}
    for request in receiver.requests:
        by_path.setdefault(request["path"], []).append(request)
    for n, hook in enumerate(hooks):
        [delivery] = Delivery.objects.filter(subscription=hook)
        copies = by_path[f"/hook/{n}"]
        # The receiver checks each signature and keeps one alert per webhook-id.
        webhook = Webhook(signing.PREFIX + base64.b64encode(signing.key(hook.secret)).decode())
        kept = {}
        for copy in copies:
            headers = {k.lower(): v for k, v in copy["headers"].items()}
            kept.setdefault(headers["webhook-id"], webhook.verify(copy["body"], headers))
        assert list(kept) == [str(delivery.delivery_id)]
        assert len(copies) == (2 if n == HELD else 1)
    first, again = by_path[f"/hook/{HELD}"]
    assert header(first, "X-Tracker-Attempt") != header(again, "X-Tracker-Attempt")
    assert json.loads(first["body"])["delivery_id"] == json.loads(again["body"])["delivery_id"]
    assert_recorded_once_with_one_try_in_doubt(held)


def header(request: dict, name: str) -> str:
    return {k.lower(): v for k, v in request["headers"].items()}[name.lower()]
