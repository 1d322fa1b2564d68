"""One commitment expires and every subscriber is owed an alert: derive them, then deliver.

    python -m bench.fanout --subscribers 100000     # on a data set built with --sweep --due 2

Measured, in one run, on the data set's database:

- derive: the sweep's expiry and the outbox rows it writes, against a raw bulk
  insert of the same rows (both rolled back), and the sweep's queries with
  all the subscribers and with ten of them;
- deliver: 1 and then 4 worker processes sending mail to a counting SMTP
  server (aiosmtpd) and webhooks to a receiver, both on loopback; time to
  the last delivery and messages a second; then 4 workers again, one of
  them killed with SIGKILL mid-run. Each run checks, per subscriber, what
  the subscriber sees: exactly one distinct alert, by the id a mail client
  or a receiver drops copies by (the Message-ID, the ``webhook-id``), and
  the one owed to them; and reports beside it what the transport carried:
  every copy that came (``raw_deliveries``), the copies beyond the first
  (``duplicates_at_transport``), and the tries the outbox knows were in doubt.

``--sink-latency-ms N`` makes the mail server and the receiver take N ms over
each message, as a real one's round trip and disk would: sending is then
waiting on the network, as in production, rather than the workers' CPU alone.
``--runs 1,4`` makes only the runs named.

Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import django

ROOT = Path(__file__).resolve().parent.parent
WEBHOOK_SHARE = 100  # one subscriber in a hundred takes webhooks
# The id a mail client drops repeats by; the delivery id inside it, to match it to the outbox.
MESSAGE_ID = re.compile(rb"^Message-ID: (<alert-([0-9a-f-]{36})@[^>]*>)", re.MULTILINE | re.I)
# Seconds. A killed worker's batch is sent again once its lease runs out, so both are short
# (production: 30 s and 5 minutes); but a send cut off at its deadline after the sink had
# taken the message is sent again, a copy with the same id, and on two cores shared with
# other work the sink's answer can take seconds: 2 s made such copies, 10 s leaves room.
SEND_DEADLINE = 10
LEASE = 20


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


class Sink:
    """Counts what the SMTP server accepts and the webhook receiver gets, copy by copy.

    Each copy is noted under its subscriber (the envelope's recipient; the
    webhook's path) and the id the subscriber's side deduplicates by: a
    second copy with the same id is a duplicate at the transport, one a mail
    client or a receiver drops; a copy with a new id would be a second alert.

    ``latency``: seconds each message waits before its answer, as a real mail
    server's or receiver's round trip and disk would make it (0: answer at once,
    so the workers' own work is all that is measured).
    """

    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.lock = threading.Lock()
        self.expected: set[str] = set()
        self.restart()

    def restart(self) -> None:
        with self.lock:
            self.ids: Counter = Counter()  # copies, by delivery id
            # subscriber: copies, by (the id their side drops repeats by, the delivery id)
            self.copies: dict[str, Counter] = {}
            self.arrived = 0  # expected alerts that arrived at least once
            self.first = self.last = None

    def note(self, subscriber: str, dedup_id: str, delivery_id: str) -> None:
        now = time.monotonic()
        with self.lock:
            self.copies.setdefault(subscriber, Counter())[dedup_id, delivery_id] += 1
            self.ids[delivery_id] += 1
            if self.ids[delivery_id] == 1 and delivery_id in self.expected:
                self.arrived += 1
            self.first = self.first or now
            self.last = now

    async def handle_DATA(self, server, session, envelope):
        if self.latency:
            await asyncio.sleep(self.latency)  # other connections are answered meanwhile
        found = MESSAGE_ID.search(envelope.content)
        for to in envelope.rcpt_tos:
            if found:
                self.note(to.lower(), found[1].decode(), found[2].decode())
            else:
                self.note(to.lower(), "", "")  # no id to drop copies by: counted against the run
        return "250 OK"


def start_servers(sink: Sink):
    from aiosmtpd.controller import Controller

    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            if sink.latency:
                time.sleep(sink.latency)  # a thread per request: others go on meanwhile
            self.rfile.read(int(self.headers["Content-Length"]))
            webhook_id = self.headers.get("webhook-id", "")
            sink.note(self.path, webhook_id, webhook_id)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    hook.daemon_threads = True
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    return smtp, hook


def subscribe(count: int, commitment, hook_url: str) -> None:
    """``count`` confirmed subscribers to ``commitment``, written in bulk as the form would."""
    from django.db import connection
    from django.utils import timezone

    from tracker.alerts.models import (
        Channel,
        Endpoint,
        Scope,
        Subscription,
        new_secret,
        new_token,
    )

    confirmed = timezone.now() - dt.timedelta(days=30)
    secret = new_secret()  # one for all the bench's webhooks: the receiver does not check
    endpoints: dict[str, Endpoint] = {}
    rows = []
    for n in range(count):
        channel = Channel.WEBHOOK if n % WEBHOOK_SHARE == 0 else Channel.EMAIL
        target = f"{hook_url}/{n}" if channel == Channel.WEBHOOK else f"reader{n}@example.org"
        key = Endpoint.key_for(channel, target)
        if key not in endpoints:
            endpoints[key] = Endpoint.objects.get_or_create(key=key)[0]
        rows.append(
            Subscription(
                channel=channel,
                target=target,
                scope=Scope.COMMITMENT,
                commitment=commitment,
                scope_key=f"commitment:{commitment.pk}",
                endpoint=endpoints[key],
                secret=secret if channel == Channel.WEBHOOK else "",
                token=new_token(),
                confirmed_at=confirmed,
                language=("en", "uk", "ru")[n % 3],
            )
        )
    Subscription.objects.bulk_create(rows, batch_size=5000)
    # Subscribers come over weeks, and autovacuum keeps the planner's figures in step;
    # here they came in a second, so the figures are gathered as autovacuum would.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE alerts_subscription")


def derive_measured() -> dict:
    """The sweep's derive, and a raw insert of the same rows, each rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tracker.alerts.models import Delivery, Subscription
    from tracker.alerts.sweep import derive

    def timed_derive() -> tuple[float, int, list]:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                derive(timezone.now())
                seconds = time.perf_counter() - started
            columns = [
                f.column
                for f in Delivery._meta.concrete_fields
                if not f.primary_key and f.name != "delivery_id"
            ]
            rows = list(Delivery.objects.values_list(*columns))
            transaction.set_rollback(True)
        return seconds, len(queries), rows

    # Once, unmeasured, as a worker's first pass: the first link a process makes imports
    # every view behind the address book, the first alert loads the languages' catalogues
    # (seconds on a loaded machine, once for a worker's life, whatever the alerts).
    timed_derive()
    seconds, queries, rows = timed_derive()
    # The same rows, made ready beforehand and written in one go with no ORM between:
    # COPY on PostgreSQL, executemany on SQLite.
    import uuid

    columns = [f.column for f in Delivery._meta.concrete_fields if not f.primary_key]
    fields = [f for f in Delivery._meta.concrete_fields if not f.primary_key]
    prepared = []
    for row in rows:
        values = dict(zip([c for c in columns if c != "delivery_id"], row, strict=True))
        values["delivery_id"] = uuid.uuid4()
        prepared.append([f.get_db_prep_save(values[f.column], connection) for f in fields])
    table = connection.ops.quote_name(Delivery._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with transaction.atomic():
        with connection.cursor() as cursor:
            started = time.perf_counter()
            if connection.vendor == "postgresql":  # COPY: the fastest way in
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared)
            raw_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    # The same derive with ten subscribers left listening.
    with transaction.atomic():
        keep = list(Subscription.objects.order_by("pk").values_list("pk", flat=True)[:10])
        Subscription.objects.exclude(pk__in=keep).update(unsubscribed_at=timezone.now())
        _s, queries_with_ten, few = timed_derive()
        transaction.set_rollback(True)
    return {
        "alerts": len(rows),
        "derive_seconds": round(seconds, 3),
        "raw_insert_seconds": round(raw_seconds, 3),
        "derive_vs_raw_insert": round(seconds / raw_seconds, 2) if raw_seconds else None,
        "queries": queries,
        "queries_with_ten_subscribers": queries_with_ten,
        "alerts_with_ten_subscribers": len(few),
    }


def reset_outbox() -> None:
    from tracker.alerts.models import Delivery, Endpoint

    Delivery.objects.update(
        state=Delivery.State.PENDING,
        attempts=0,
        send_mark=None,
        tries_in_doubt=0,
        claimed_by="",
        claimed_until=None,
        sent_at=None,
        outcome="",
        last_error="",
        retrying_since=None,
    )
    Endpoint.objects.update(held_by="", held_until=None, resting_until=None, failures=0)


def worker_env(smtp_port: int) -> dict:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BENCH_FANOUT_SMTP_PORT": str(smtp_port),
        "ALERTS_SEND_DEADLINE": str(SEND_DEADLINE),
        "ALERTS_LEASE": str(LEASE),
    }


def deliver_run(
    workers: int,
    smtp_port: int,
    sink: Sink,
    expected: dict[str, int],
    subscribers: dict[int, str],
    kill: bool,
):
    """Start ``workers`` processes; wait until every alert arrived; returns the figures.

    ``expected`` names the subscriber each alert is owed to, by its delivery id;
    ``subscribers`` names each one as the sink knows them (address, webhook path). A
    subscriber is reached exactly once when what arrived for them carried exactly one
    id to drop repeats by, and it was the alert owed to them: one the sweep owed
    nothing (or whose alert never arrived, or who got two different ids) counts
    against the run. Copies of that one alert are reported beside it, not hidden.
    """
    reset_outbox()
    procs = []
    started = time.monotonic()
    for _ in range(workers):
        procs.append(
            subprocess.Popen(
                [sys.executable, "-W", "ignore", "-m", "bench.fanout", "--work"],
                cwd=ROOT,
                env=worker_env(smtp_port),
            )
        )
    killed = None
    limit = started + max(600, len(expected) / 20)
    try:
        while time.monotonic() < limit:
            arrived = sink.arrived
            if kill and killed is None and arrived >= len(expected) // 3:
                killed = procs[0].pid
                os.kill(killed, signal.SIGKILL)
            if arrived >= len(expected):
                break
            time.sleep(0.05)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    with sink.lock:
        counts = dict(sink.ids)
        copies = {key: Counter(got) for key, got in sink.copies.items()}
        first, last = sink.first, sink.last
    from django.db.models import Sum

    from tracker.alerts.models import Delivery

    # Why any alert was tried more than once: a send that failed (its error), or a claim
    # that ran out while a worker was still at it (no error: another worker took it over).
    tried_again = Delivery.objects.filter(attempts__gt=1)
    errors = Counter(error[:80] for error in tried_again.values_list("last_error", flat=True))
    owed: dict[int, set[str]] = {pk: set() for pk in subscribers}
    for delivery_id, pk in expected.items():
        owed[pk].add(delivery_id)
    each = []  # per subscriber: (distinct ids, copies, exactly the one owed)
    for pk, key in subscribers.items():
        got = copies.get(key, Counter())
        distinct = {dedup_id for dedup_id, _delivery_id in got}
        delivered = {delivery_id for _dedup_id, delivery_id in got}
        exact = len(distinct) == 1 and len(owed[pk]) == 1 and delivered == owed[pk]
        each.append((len(distinct), sum(got.values()), exact))
    known = set(subscribers.values())
    busy = (last - first) if first and last and last > first else None
    total = sum(raw for _distinct, raw, _exact in each)
    duplicates = sum(raw - distinct for distinct, raw, _exact in each)
    in_doubt = Delivery.objects.aggregate(n=Sum("tries_in_doubt"))["n"] or 0
    return {
        "workers": workers,
        "killed_one": kill,
        "seconds_to_last": round((last or time.monotonic()) - started, 2),
        "messages": total,
        "messages_per_second": round(len(expected) / busy, 1) if busy else None,
        "messages_per_second_per_worker": round(len(expected) / busy / workers, 1)
        if busy
        else None,
        "subscribers_reached": sum(1 for distinct, _c, _e in each if distinct >= 1),
        # What each subscriber sees, repeats of an id dropped as mail clients and receivers do.
        "exactly_once": bool(each) and all(exact for _d, _c, exact in each),
        "not_exactly_once": sum(1 for _d, _c, exact in each if not exact),
        "each_at_least_once": bool(each) and all(distinct >= 1 for distinct, _c, _e in each),
        # What the transport carried: every copy, and those beyond the first of an id.
        "raw_deliveries": total,
        "duplicates_at_transport": duplicates,
        "subscribers_with_duplicates": sum(1 for distinct, raw, _e in each if raw > distinct),
        "exactly_once_at_transport": bool(each)
        and all(exact and raw == 1 for _d, raw, exact in each),
        "copies_resent_by_id": duplicates,
        # Tries the outbox knows may have arrived (a worker died between send and record).
        "tries_in_doubt": in_doubt,
        "unexpected": sum(1 for i in counts if i not in expected)
        + sum(1 for key in copies if key not in known),
        "tried_more_than_once": sum(errors.values()),
        "errors_of_those_tried_again": dict(errors),
    }


def work() -> None:
    """One worker process: send due alerts until the outbox is empty, or it is told to stop."""
    from django.conf import settings

    settings.EMAIL_BACKEND = "tracker.alerts.mail.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = int(os.environ["BENCH_FANOUT_SMTP_PORT"])
    settings.ALERTS_ALLOW_PRIVATE_TARGETS = True
    settings.ALERTS_SEND_DEADLINE = SEND_DEADLINE
    settings.ALERTS_LEASE = dt.timedelta(seconds=LEASE)

    from tracker.alerts.delivery import deliver_due, worker_name
    from tracker.alerts.models import Delivery

    # Say when a claim ran out before its outcome was written (another worker may send it).
    logging.getLogger("tracker.alerts").setLevel(logging.WARNING)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *a: stopping.append(True))
    while not stopping:
        report = deliver_due(worker_name())
        if not (report.sent or report.retrying or report.cancelled):
            if not Delivery.objects.filter(state__in=["pending", "sending"]).exists():
                return
            time.sleep(0.2)


RUNS = [("1", 1, False), ("4", 4, False), ("4_killed", 4, True)]


def measure(
    subscribers: int, deliver: bool = True, latency_ms: int = 0, only: list[str] | None = None
) -> dict:
    from django.db import connection

    from tracker.alerts.models import Channel, Delivery, Subscription
    from tracker.alerts.sweep import derive
    from tracker.models import Commitment

    sink = Sink(latency_ms / 1000)
    smtp, hook = start_servers(sink)
    try:
        commitment = Commitment.objects.get(slug="sweep-window-2")  # ended an hour ago
        Subscription.objects.all().delete()
        host, port = hook.server_address
        started = time.perf_counter()
        subscribe(subscribers, commitment, f"http://{host}:{port}/hook")
        setup_seconds = time.perf_counter() - started
        derived = derive_measured()
        print(f"    derive: {json.dumps(derived)}", file=sys.stderr)
        from django.utils import timezone

        derive(timezone.now())  # for real now: the workers send these
        expected = {
            str(delivery_id): subscription_id
            for delivery_id, subscription_id in Delivery.objects.values_list(
                "delivery_id", "subscription_id"
            )
        }
        subscribed = {
            pk: urlsplit(target).path if channel == Channel.WEBHOOK else target.lower()
            for pk, channel, target in Subscription.objects.values_list("pk", "channel", "target")
        }
        sink.expected = set(expected)
        runs = {}
        chosen = [run for run in RUNS if only is None or run[0] in only]
        for label, workers, kill in chosen if deliver else []:
            sink.restart()
            print(f"    {label} worker(s)", file=sys.stderr)
            runs[label] = deliver_run(workers, smtp.port, sink, expected, subscribed, kill)
            print(f"    {json.dumps(runs[label])}", file=sys.stderr)  # kept if a later run fails
        one, four = runs.get("1", {}), runs.get("4", {})
        return {
            "database": connection.vendor,
            "subscribers": subscribers,
            "webhook_subscribers": len(range(0, subscribers, WEBHOOK_SHARE)),
            "sink_latency_ms": latency_ms,
            "cores": os.cpu_count(),
            "subscribe_seconds": round(setup_seconds, 1),
            "derive": derived,
            "runs": runs,
            "four_vs_one": round(four["messages_per_second"] / one["messages_per_second"], 2)
            if one.get("messages_per_second") and four.get("messages_per_second")
            else None,
        }
    finally:
        smtp.stop()
        hook.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--work", action="store_true", help="run as one delivering worker")
    parser.add_argument("--derive-only", action="store_true", help="measure the derive alone")
    parser.add_argument(
        "--sink-latency-ms",
        type=int,
        default=0,
        help="milliseconds the mail server and the receiver take over each message (default 0)",
    )
    parser.add_argument(
        "--runs",
        type=lambda v: v.split(","),
        default=None,
        help=f"which delivery runs (default: all of {','.join(label for label, *_ in RUNS)})",
    )
    options = parser.parse_args()
    if options.runs and not set(options.runs) <= {label for label, *_ in RUNS}:
        parser.error(f"--runs: choose among {', '.join(label for label, *_ in RUNS)}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    if options.work:
        work()
        return
    figures = measure(
        options.subscribers,
        deliver=not options.derive_only,
        latency_ms=options.sink_latency_ms,
        only=options.runs,
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
