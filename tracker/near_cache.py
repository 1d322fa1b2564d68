"""What each web process keeps of the shared cache beside it, and how it stays true.

A first visit served from the shared cache costs one round trip to Redis: the
version of the record and the kept page. On a busy machine that round trip is
most of the request, because the worker gives up its core while it waits for
Redis and then waits its turn for a core again. So each process keeps, beside
the shared cache:

- the current value of a few *watched* keys (the version of the record),
  trusted only while Redis is sure to say when they change: a connection of
  the process's own asks Redis to announce every change to those keys
  (``CLIENT TRACKING ... BCAST``, Redis 6 or later), whoever makes it, whether
  a write, a delete, an expiry or a flush. Before a copy is used, whatever
  Redis announced on that connection is read (a read that never waits), and
  any announcement drops the copies. Redis writes the announcement out in
  the same pass as its answer to the writer, and the writer's page is
  answered only after that (and after its transaction commits), so the
  announcement is already with every process: a change through any node
  shows on every node's next response, as before. A copy is also read
  again at least every ``NEAR_SECONDS`` whatever Redis says, which bounds the
  harm of a connection that died without either end noticing.
- *copies* of values read from the shared cache under a validator (a kept
  page with the ETag it was rendered for), which the caller asks for by that
  validator: a copy answers only a request that would get the same validator
  now, so it is never outdated, only unused once the version or the minute
  moves on. They take at most ``COPIES_BYTES`` a process, the least recently
  used going first.

While the watching connection cannot be made, or Redis refuses it, nothing is
kept beside: every read goes to Redis, as it did before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

logger = logging.getLogger(__name__)

# The longest a copy of a watched key is trusted without reading it again from Redis.
NEAR_SECONDS = 5.0
# What a process keeps of the values read under a validator (pages), in pickled bytes.
COPIES_BYTES = 16 * 2**20
# After the watching connection failed, how long before it is made again.
RETRY_AFTER_SECONDS = 5.0

MISSING = object()


class Watch:
    """A connection on which Redis announces every change to keys starting with ``prefixes``.

    ``epoch`` moves on with every announcement and every lost connection, so a
    copy made at one epoch is trusted only while the epoch stays the same.
    """

    def __init__(self, url: str, prefixes: Iterable[str], connect_timeout: float, timeout: float):
        self.url = url
        self.prefixes = sorted(prefixes)
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.epoch = 0
        self._connection = None
        self._retry_at = 0.0
        self._refused = False

    def live(self) -> bool:
        """Read what Redis announced; whether a copy made now will hear of the next change."""
        from redis.exceptions import RedisError

        connection = self._connection
        if connection is None:
            return False
        try:
            announced = False
            while connection.can_read(timeout=0):
                connection.read_response(push_request=True)
                announced = True
        except (RedisError, OSError) as exc:
            logger.info("Lost the shared cache's announcements (%s); reading it each time.", exc)
            self._lose()
            return False
        if announced:
            self.epoch += 1
        return True

    def connect(self) -> bool:
        """Ask Redis for its announcements, unless already done, refused or failed a moment ago.

        Called only once Redis has just answered a read, so that a Redis that
        is down or stalled costs requests no more than it did.
        """
        from redis import ConnectionPool
        from redis.exceptions import RedisError

        if self._connection is not None:
            return True
        if self._refused or time.monotonic() < self._retry_at:
            return False
        self.epoch += 1  # whatever was kept before this connection heard nothing
        connection = None
        try:
            pool = ConnectionPool.from_url(
                self.url,
                protocol=3,
                socket_connect_timeout=self.connect_timeout,
                socket_timeout=self.timeout,
                socket_keepalive=True,
            )
            connection = pool.make_connection()
            connection.connect()
            prefixes = [word for prefix in self.prefixes for word in ("PREFIX", prefix)]
            connection.send_command("CLIENT", "TRACKING", "ON", "BCAST", *prefixes)
            answer = connection.read_response()
        except (RedisError, OSError) as exc:
            if connection is not None:
                connection.disconnect()
            self._retry_at = time.monotonic() + RETRY_AFTER_SECONDS
            logger.debug("No announcements from the shared cache yet (%s).", exc)
            return False
        if isinstance(answer, Exception) or answer not in (b"OK", "OK"):
            # A Redis before 6, or a proxy in front of it: read from Redis every time.
            connection.disconnect()
            self._refused = True
            logger.warning(
                "The shared cache does not announce changes (%s); nothing is kept beside it.",
                answer,
            )
            return False
        self._connection = connection
        return True

    def _lose(self) -> None:
        self.epoch += 1
        if self._connection is not None:
            with contextlib.suppress(Exception):  # it is being dropped anyway
                self._connection.disconnect()
        self._connection = None
        self._retry_at = time.monotonic() + RETRY_AFTER_SECONDS

    def close(self) -> None:
        self._lose()
        self._retry_at = 0.0


class Near:
    """One process's copies of one shared cache: watched keys, and values under validators."""

    def __init__(self, watch: Watch):
        self.watch = watch
        self._values: dict[str, tuple[object, int, float]] = {}
        self._copies: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._copied_bytes = 0
        self._lock = threading.Lock()

    # Watched keys ----------------------------------------------------------------

    def get(self, key: str):
        """The copy of a watched key while it is sure to be current, else ``MISSING``."""
        with self._lock:
            if not self.watch.live():
                self._values.clear()
                return MISSING
            kept = self._values.get(key)
            if kept is None:
                return MISSING
            value, epoch, until = kept
            if epoch != self.watch.epoch or time.monotonic() > until:
                del self._values[key]
                return MISSING
            return value

    def before_read(self) -> int | None:
        """Call before reading watched keys from Redis; hand the answer to ``remember``."""
        with self._lock:
            return self.watch.epoch if self.watch.live() else None

    def after_read(self) -> None:
        """Redis just answered a read: make sure it will announce changes from now on."""
        if self.watch._connection is None:
            with self._lock:
                self.watch.connect()

    def remember(self, key: str, value, epoch: int | None) -> None:
        """Keep ``value``, read after ``before_read`` gave ``epoch``, unless it changed since."""
        with self._lock:
            if epoch is not None and epoch == self.watch.epoch:
                self._values[key] = (value, epoch, time.monotonic() + NEAR_SECONDS)

    def forget(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._values.pop(key, None)

    # Values under a validator -----------------------------------------------------

    def copy(self, key: str, validator: str):
        """The value last kept under ``key`` for ``validator``, or None."""
        with self._lock:
            data = self._copies.get((key, validator))
            if data is None:
                return None
            self._copies.move_to_end((key, validator))
        return pickle.loads(data)

    def keep_copy(self, key: str, validator: str, value) -> None:
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        if len(data) > COPIES_BYTES // 4:
            return
        with self._lock:
            old = self._copies.pop((key, validator), None)
            if old is not None:
                self._copied_bytes -= len(old)
            self._copies[(key, validator)] = data
            self._copied_bytes += len(data)
            while self._copied_bytes > COPIES_BYTES:
                _key, dropped = self._copies.popitem(last=False)
                self._copied_bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._copies.clear()
            self._copied_bytes = 0


_processes: dict[tuple[int, str], Near] = {}
_registry_lock = threading.Lock()


def near(url: str, prefixes: Iterable[str], connect_timeout: float, timeout: float) -> Near:
    """This process's copies of the cache at ``url`` (one per process, whatever the threads)."""
    place = (os.getpid(), url)
    found = _processes.get(place)
    if found is None:
        with _registry_lock:
            found = _processes.get(place)
            if found is None:
                for other in [p for p in _processes if p[0] != place[0]]:
                    del _processes[other]  # inherited from the parent: its connection is not ours
                found = _processes[place] = Near(Watch(url, prefixes, connect_timeout, timeout))
    return found
