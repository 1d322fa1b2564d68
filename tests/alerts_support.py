"""Factories and a local HTTP receiver for the alert tests."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import factory

from tests.factories import CommitmentFactory, ReadingFactory
from tracker.alerts.models import Channel, Scope, Subscription

UTC = dt.UTC


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    channel = Channel.EMAIL
    target = factory.Sequence(lambda n: f"reader{n}@example.org")
    scope = Scope.EVERYTHING
    confirmed_at = dt.datetime(2025, 3, 1, tzinfo=UTC)
    created_at = dt.datetime(2025, 3, 1, tzinfo=UTC)


def window_ending(ends_at: dt.datetime, **commitment_fields):
    """A public, in-force window whose working reading ends at ``ends_at``."""
    commitment = CommitmentFactory(**commitment_fields)
    ReadingFactory(commitment=commitment, ends_at=ends_at)
    return commitment


class LocalReceiver:
    """An HTTP server on 127.0.0.1 that records what it is sent.

    ``answers`` is the sequence of replies, one per request: a status code,
    or "hang" to sleep past the sender's timeout. After the list runs out it
    answers 200.
    """

    def __init__(self, answers=(), hang_for: float = 1.0):
        self.answers = list(answers)
        self.hang_for = hang_for
        self.redirect_to = "http://127.0.0.1:9/elsewhere"
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                answer = receiver.answers.pop(0) if receiver.answers else 200
                if answer == "hang":
                    time.sleep(receiver.hang_for)
                    answer = 200
                self.send_response(answer)
                if 300 <= answer < 400:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address
        return f"http://{host}:{port}/hook"

    def json_bodies(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def deliverable_due(due_at: dt.datetime, **commitment_fields):
    """A public, in-force deliverable whose working reading falls due at ``due_at``."""
    commitment = CommitmentFactory(shape="deliverable", **commitment_fields)
    ReadingFactory(commitment=commitment, ends_at=None, due_at=due_at, precision="minute")
    return commitment
