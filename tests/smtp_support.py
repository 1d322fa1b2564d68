"""A mail server on 127.0.0.1 (aiosmtpd) that counts what it accepts, and misbehaves on cue."""

from __future__ import annotations

import asyncio
import email
import email.message
import socket
import threading
from collections import Counter

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


class CountingMailServer:
    """Accepts every message until told otherwise, keeping who got which alert.

    ``misbehave(how, after=n, at=stage)``: once ``n`` messages are in, each new
    message is met by ``"refuse"`` (451), ``"drop"`` (the connection is closed
    without a word) or ``"stall"`` (no answer for ``stall_for`` seconds), at
    ``"MAIL"`` (the envelope's sender) or at ``"DATA"`` (once the whole message
    is in). A message counts as accepted only when its 250 goes out on an open
    connection: a server that stalled until the sender hung up keeps nothing.
    ``refused`` addresses get 550 at RCPT TO. ``behave()`` ends the trouble.

    ``hold(address)``: the first message to ``address`` is taken in, then its
    250 is kept back (``held`` is set) until the test sets ``released``, so a
    test can kill its sender after the server has the message and before the
    sender could know it. ``mailbox(address)`` is what a mail client shows, one
    message per Message-ID; ``copies`` keeps every copy that came, as it came.
    """

    def __init__(self, stall_for: float = 3.0):
        self.received: list[tuple[str, str]] = []  # (recipient, delivery id)
        self.connections = 0
        self.how: str | None = None
        self.after = 0
        self.at = "MAIL"
        self.refused: set[str] = set()
        self.stall_for = stall_for
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.copies: list[email.message.Message] = []
        self.hold_for: str | None = None
        self.held = threading.Event()
        self.released = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    @property
    def port(self) -> int:
        return self.controller.port

    def misbehave(self, how: str, after: int = 0, at: str = "MAIL") -> None:
        self.how, self.after, self.at = how, after, at

    def behave(self) -> None:
        self.how = None

    def hold(self, address: str) -> None:
        self.hold_for = address

    def copies_to(self, address: str) -> list[email.message.Message]:
        with self.lock:
            return [m for m in self.copies if address in m["X-Envelope-To"].split(",")]

    def mailbox(self, address: str) -> list[str]:
        """The Message-IDs ``address`` sees, each once, as a mail client drops repeats."""
        return list(dict.fromkeys(m["Message-ID"] for m in self.copies_to(address)))

    def wait_until(self, condition, timeout: float) -> bool:
        """Wait, woken by each message that comes in, until ``condition()`` holds."""
        with self.arrived:
            return self.arrived.wait_for(condition, timeout)

    def per_delivery(self) -> Counter:
        return Counter(delivery_id for _to, delivery_id in self.received)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def trouble(self, server, stage: str) -> str | None:
        """The answer of a misbehaving server at ``stage``, or None to go on."""
        if not self.how or self.at != stage or len(self.received) < self.after:
            return None
        if self.how == "refuse":
            return "451 4.3.0 Try again later"
        if self.how == "drop":
            server.transport.abort()
            return "421 4.3.0 Gone"
        await asyncio.sleep(self.stall_for)  # "stall"
        return None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        answer = await self.trouble(server, "MAIL")
        if answer:
            return answer
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        answer = await self.trouble(server, "DATA")
        if answer:
            return answer
        if server.transport is None or server.transport.is_closing():
            return "421 4.3.0 Gone"  # the sender hung up before it could hear a 250
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        with self.arrived:
            for to in envelope.rcpt_tos:
                self.received.append((to, message["X-Tracker-Delivery"]))
            self.copies.append(message)
            hold = self.hold_for in envelope.rcpt_tos and not self.held.is_set()
            self.arrived.notify_all()
        if hold:  # the message is in; its sender hears nothing until the test says so
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait, 60)
        return "250 OK"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.controller.stop()
