"""An overall deadline for one send, kept whatever the other end does.

A socket timeout bounds each read or write, not the whole exchange: a
webhook receiver that trickles one byte every few seconds, or a mail server
that accepts the connection and then says nothing for ever, keeps each read
under its timeout and the sender waiting for as long as it likes. So every
send runs under a ``SendDeadline``. Each connection made for it registers
its socket here (``watch``), with its timeout cut to the time left; when the
time is up, a timer shuts every registered socket down, which wakes any read
or write blocked on it, and the send fails with ``DeadlinePassed``. Name
lookups run in a helper thread and are abandoned at the deadline too.

The deadline is per send and lives in a context variable, so a connection
made outside any send (a page, a test) is left alone.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import os
import socket
import threading
import time

from django.conf import settings

_current: contextvars.ContextVar[SendDeadline | None] = contextvars.ContextVar(
    "send_deadline", default=None
)

# Name lookups cannot be interrupted; a few threads do them so that a lookup
# that hangs is abandoned at the deadline instead of holding the worker.
_resolver = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="resolve")


class DeadlinePassed(TimeoutError):
    """The send took longer than its deadline and was stopped."""


def send_deadline_seconds() -> float:
    """How long one send may take, from the first connection to the last byte of the answer."""
    return float(getattr(settings, "ALERTS_SEND_DEADLINE", 30))


class SendDeadline:
    """The time one send may take, and the sockets it must close when that time is up."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._handles: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        """Seconds left; ``DeadlinePassed`` when there are none."""
        left = self.ends - time.monotonic()
        if self.expired or left <= 0:
            raise DeadlinePassed(self.message())
        return left

    def has_passed(self) -> bool:
        """Whether the time is up: shut down by the timer, or a read cut to the time left
        (``bound``) timed out a hair before the timer fired."""
        return self.expired or time.monotonic() >= self.ends - 0.1

    def message(self) -> str:
        return f"No complete answer within {self.seconds:g} s; the send was stopped."

    def bound(self, timeout: float | None) -> float:
        """A per-operation timeout cut to the time left."""
        left = self.remaining()
        if timeout is None or not isinstance(timeout, int | float) or timeout <= 0:
            return left
        return min(timeout, left)

    def watch(self, sock: socket.socket) -> socket.socket:
        """Register ``sock`` to be shut down at the deadline, and cut its timeout.

        A duplicate of its descriptor is kept rather than the object: TLS
        wraps a socket in a new object on the same connection, and shutting
        the connection down through any descriptor wakes them all.
        """
        handle = socket.socket(fileno=os.dup(sock.fileno()))
        with self._lock:
            if self.expired:
                handle.close()
                raise DeadlinePassed(self.message())
            self._handles.append(handle)
        current = sock.gettimeout()
        sock.settimeout(self.bound(current))
        return sock

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for handle in self._handles:
                with contextlib.suppress(OSError):  # already closed by the other end
                    handle.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for handle in self._handles:
                handle.close()
            self._handles.clear()


@contextlib.contextmanager
def send_deadline(seconds: float | None = None):
    """Run one send under an overall deadline (``ALERTS_SEND_DEADLINE`` by default)."""
    deadline = SendDeadline(seconds if seconds is not None else send_deadline_seconds())
    token = _current.set(deadline)
    deadline._timer.start()
    try:
        yield deadline
    finally:
        _current.reset(token)
        deadline.close()


def current() -> SendDeadline | None:
    return _current.get()


def watch(sock: socket.socket) -> socket.socket:
    """Register a new connection's socket with the send under way, if any."""
    deadline = current()
    return deadline.watch(sock) if deadline is not None else sock


def bound(timeout: float | None) -> float | None:
    """``timeout`` cut to the time left in the send under way, if any."""
    deadline = current()
    if deadline is None:
        return timeout
    return deadline.bound(timeout)


def getaddrinfo(*args, **kwargs):
    """``socket.getaddrinfo``, abandoned at the deadline of the send under way."""
    deadline = current()
    if deadline is None:
        return socket.getaddrinfo(*args, **kwargs)
    future = _resolver.submit(socket.getaddrinfo, *args, **kwargs)
    try:
        return future.result(timeout=deadline.remaining())
    except concurrent.futures.TimeoutError as exc:
        raise DeadlinePassed(deadline.message()) from exc


def create_connection(address, timeout=None, source_address=None):
    """``socket.create_connection`` under the deadline of the send under way, if any.

    The name is looked up by ``getaddrinfo`` above, each connect waits no
    longer than the time left, and the socket is watched.
    """
    if timeout is socket._GLOBAL_DEFAULT_TIMEOUT:
        timeout = None
    if current() is None:
        if timeout is None:
            return socket.create_connection(address, source_address=source_address)
        return socket.create_connection(address, timeout, source_address)
    host, port = address
    error: OSError | None = None
    for _family, _type, _proto, _name, found in getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        try:
            sock = socket.create_connection(found[:2], bound(timeout), source_address)
        except OSError as exc:
            error = exc
            continue
        return watch(sock)
    raise error or OSError(f"“{host}” does not resolve to any address.")
