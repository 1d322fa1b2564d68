"""Factories and a local HTTP receiver for the alert tests."""

from __future__ import annotations

import datetime as dt
import json
import socket
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

    ``hold_for``: the first request to that path is taken in, then its answer
    is kept back (``held`` is set) until the test sets ``released``, so a test
    can kill its sender after the receiver has the alert and before the sender
    could know it. ``wait_until`` wakes with each request.
    """

    def __init__(self, answers=(), hang_for: float = 1.0, hold_for: str | None = None):
        self.answers = list(answers)
        self.hang_for = hang_for
        self.redirect_to = "http://127.0.0.1:9/elsewhere"
        self.requests: list[dict] = []
        self.arrived = threading.Condition()
        self.hold_for = hold_for
        self.held = threading.Event()
        self.released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.arrived:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    hold = self.path == receiver.hold_for and not receiver.held.is_set()
                    receiver.arrived.notify_all()
                if hold:
                    receiver.held.set()
                    receiver.released.wait(60)
                answer = receiver.answers.pop(0) if receiver.answers else 200
                if answer == "hang":
                    time.sleep(receiver.hang_for)
                    answer = 200
                try:
                    self.send_response(answer)
                    if 300 <= answer < 400:
                        self.send_header("Location", receiver.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone (a test killed it): nobody to answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address
        return f"http://{host}:{port}/hook"

    def wait_until(self, condition, timeout: float) -> bool:
        with self.arrived:
            return self.arrived.wait_for(condition, timeout)

    def json_bodies(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def deliverable_due(due_at: dt.datetime, **commitment_fields):
    """A public, in-force deliverable whose working reading falls due at ``due_at``."""
    commitment = CommitmentFactory(shape="deliverable", **commitment_fields)
    ReadingFactory(commitment=commitment, ends_at=None, due_at=due_at, precision="minute")
    return commitment


class RawServer:
    """A TCP server on 127.0.0.1 that handles each connection with ``behaviour(conn, server)``.

    It counts the connections, and the most that were open at once, so a test
    can tell whether one endpoint ever held two workers.
    """

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.connections = 0
        self.open = 0
        self.most_open = 0
        self.requests: list[dict] = []
        self.intervals: list[tuple[float, float]] = []
        self.handlers: list[threading.Thread] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def serve(self):
        while not self.stopping.is_set():
            try:
                conn, _address = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            handler = threading.Thread(target=self.handle, args=(conn,), daemon=True)
            self.handlers.append(handler)
            handler.start()

    def handle(self, conn):
        started = time.monotonic()
        with self.lock:
            self.connections += 1
            self.open += 1
            self.most_open = max(self.most_open, self.open)
        answered = None
        try:
            conn.settimeout(0.2)
            answered = self.behaviour(conn, self)
        except OSError:
            pass
        finally:
            conn.close()
            with self.lock:
                self.open -= 1
                self.intervals.append((started, answered or time.monotonic()))

    def most_at_once(self, slack: float = 0.2) -> int:
        """The most connections that were open together for longer than ``slack`` seconds.

        A connection counts from when it was taken up until it was answered
        (a receiver that answers returns that moment) or closed. This end
        notices a close a moment after the other end made it, so a sender
        that closes one connection and opens the next at once can seem to
        hold two for a moment: ``slack`` leaves that out.
        """
        events = []
        for start, end in self.intervals:
            if end - slack > start:
                events += [(start, 1), (end - slack, -1)]
        most = now = 0
        for _instant, change in sorted(events):
            now += change
            most = max(most, now)
        return most

    def wait_until_closed(self, conn):
        """Keep the connection open, saying nothing, until the other end or the test ends it."""
        while not self.stopping.is_set():
            try:
                if conn.recv(1024) == b"":
                    return
            except TimeoutError:
                continue

    def trickle(self, conn, data: bytes, every: float):
        """Send ``data`` one byte at a time, ``every`` seconds apart, over and over."""
        while not self.stopping.is_set():
            for byte in data:
                if self.stopping.wait(every):
                    return
                conn.sendall(bytes([byte]))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.sock.close()
        self.thread.join(timeout=5)
        # A connection counts once its handler has noticed the end; on a busy machine
        # that can come after the sender has already given up on it.
        for handler in self.handlers:
            handler.join(timeout=5)


def read_http_request(conn) -> dict:
    """One HTTP request's headers and body, read off a raw connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            raise ConnectionResetError("closed before the headers ended")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            break
        body += chunk
    return {"headers": headers, "body": body}


def silent(conn, server: RawServer):
    """Accept the connection and never say a word: a mail server that hangs."""
    server.wait_until_closed(conn)


def trickling_greeting(conn, server: RawServer, every: float = 0.2):
    """A mail server that greets one byte at a time and never finishes."""
    server.trickle(conn, b"220 mail.example.org ESMTP still thinking", every)


def trickling_answer(conn, server: RawServer, every: float = 0.2):
    """A webhook receiver that reads the alert, then answers one byte every ``every`` s."""
    request = read_http_request(conn)
    with server.lock:
        server.requests.append(request)
    server.trickle(conn, b"HTTP/1.1 200 OK\r\nX-Padding: " + b"z" * 1000, every)


def prompt_answer(conn, server: RawServer, after: float = 0.0):
    """A webhook receiver that answers at once, or ``after`` a moment."""
    request = read_http_request(conn)
    with server.lock:
        server.requests.append(request)
    time.sleep(after)
    answered = time.monotonic()
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    return answered


def thoughtful_answer(conn, server: RawServer):
    """A working receiver that takes a moment over each alert."""
    prompt_answer(conn, server, after=0.4)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connections to it are refused."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]
