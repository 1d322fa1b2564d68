"""The shared cache, which pages may lose at any moment without a reader noticing.

Everything the public pages keep in Redis can be made again from the
database: the version of the record, rendered pages and fragments, counts.
So when Redis is down, refuses connections, stalls or answers with an error
(out of memory under ``noeviction``, a read-only replica, still loading, busy
with a script, a key of the wrong type, a time-out of any kind), a page must
be read from the database (slower, never wrong) rather than fail. Django's
own Redis cache raises the client's errors; this one turns them into misses
for reads and into nothing for writes, logs the trouble once, and for a few
seconds after a failure does not try again, so that each request during an
outage pays for no failed connection at all.

A failure may have cost a write that mattered (a new version of the record),
so a node that met one reads nothing from Redis again until Redis has taken
the drop of the keys in ``forgotten_after_outage``: a Redis that answers
reads but refuses writes (a read-only replica) is never trusted to say what
is current.

Each process keeps the watched keys (the version of the record) and copies of
kept pages beside the cache, told by Redis of every change (``tracker.near_cache``),
so that a first visit to an unchanged page costs no round trip at all.

Counters (``incr``, ``decr``) still raise: a rate limit that cannot count
must decide for itself whether to let a request through.

While a node cannot reach Redis it cannot store a new version of the record
either; another node that still can keeps serving its pages under the old
version until that version lapses (``tracker.http.VERSION_SECONDS``), the
same bound as for a change written around the models. A Redis that answers
but refuses the new version is handled by ``tracker.http.note_change``.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from tracker import near_cache

logger = logging.getLogger(__name__)

# After a failure, how long the cache is left alone before it is tried again.
RETRY_AFTER_SECONDS = 5.0
# How long a connection or a command may take before the cache counts as down.
CONNECT_TIMEOUT_SECONDS = 0.25
COMMAND_TIMEOUT_SECONDS = 0.5
# What to drop before the cache is read again after a failure: what this node could
# not store meanwhile (a new version of the record) is then read afresh from the database.
forgotten_after_outage: set[str] = set()
# Keys whose current value each process keeps beside the cache, told by Redis of every
# change (``tracker.near_cache``): the version of the record, read by every request.
watched_keys: set[str] = set()


def _redis_errors() -> tuple[type[Exception], ...]:
    """Everything the client raises when Redis cannot or will not do what was asked.

    ``RedisError`` covers refused and lost connections, time-outs (connecting
    or waiting for an answer) and every error reply (``OOM``, ``READONLY``,
    ``LOADING``, ``BUSY``, ``WRONGTYPE``); ``OSError`` what the socket raises
    beneath it.
    """
    from redis.exceptions import RedisError

    return (RedisError, OSError)


class ChangeRefused(Exception):
    """Redis answered, but would neither store nor drop a key that must change."""


class SharedRedisCache(RedisCache):
    """Django's Redis cache, answering a miss (and dropping writes) while Redis is unreachable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", COMMAND_TIMEOUT_SECONDS)
        super().__init__(server, {**params, "OPTIONS": options})
        self._errors = _redis_errors()
        self._down_until = 0.0
        self._options = options
        self._near_copies: near_cache.Near | None = None

    def _try(self, operation, missing):
        """``operation()``, or ``missing`` while Redis is unreachable or refuses."""
        if not self._usable():
            return missing
        try:
            return operation()
        except self._errors as exc:
            self._failed(exc)
            return missing

    def _failed(self, exc: Exception) -> None:
        if not self._down_until:
            logger.warning("The shared cache failed (%r); reading the database.", exc)
        self._down_until = time.monotonic() + RETRY_AFTER_SECONDS

    def forget_failures(self) -> None:
        """Ask Redis again at the next call, as a process that just started would.

        For the tests, each of which starts with the cache as a new process
        finds it, whatever failure an earlier test made this one rest after.
        """
        self._down_until = 0.0

    def _usable(self) -> bool:
        """Whether Redis may be asked now: not within a few seconds of a failure, and, after
        one, only once it has taken the drop of ``forgotten_after_outage``.

        Until then every read is a miss, so a node never serves what Redis
        kept under a version it could not replace.
        """
        if not self._down_until:
            return True
        if time.monotonic() < self._down_until:
            return False
        try:
            if forgotten_after_outage:
                RedisCache.delete_many(self, sorted(forgotten_after_outage))
        except self._errors as exc:
            self._failed(exc)
            return False
        self._down_until = 0.0
        if self._near_copies is not None:
            self._near_copies.forget(self._watched(forgotten_after_outage).values())
        logger.warning("The shared cache answers again.")
        return True

    def replace(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        """Store ``value`` under ``key``, or else drop what ``key`` holds: never leave it as it was.

        Tried even within a few seconds of a failure, since a value that
        must change matters more than the time-out it may cost. Redis out
        of memory refuses the write but takes the drop, so every node then
        reads the value afresh. Raises ``ChangeRefused`` when Redis answered
        both with an error (a read-only replica): other nodes may still be
        reading the old value from it. When Redis cannot be reached at all,
        nothing is raised: no node reads the old value from it, and this one
        drops it before reading it again (``_usable``).
        """
        self._forget_watched([key], version)
        refused = []
        for operation in (
            lambda: RedisCache.set(self, key, value, timeout, version),
            lambda: RedisCache.delete(self, key, version),
        ):
            try:
                operation()
                return
            except self._errors as exc:
                self._failed(exc)
                refused.append(exc)
        if all(_is_error_reply(exc) for exc in refused):
            raise ChangeRefused(f"The shared cache refused to change {key!r}: {refused[-1]}")

    # Watched keys: answered from this process's copy while Redis would have said they changed.

    def _near(self) -> near_cache.Near | None:
        if not watched_keys or len(self._servers) != 1 or self._down_until:
            return None
        if self._near_copies is None:
            prefixes = [self.make_and_validate_key(key) for key in sorted(watched_keys)]
            options = self._options
            self._near_copies = near_cache.near(
                self._servers[0],
                prefixes,
                options["socket_connect_timeout"],
                options["socket_timeout"],
            )
        return self._near_copies

    def _watched(self, keys, version=None) -> dict[str, str]:
        """The full Redis keys of those of ``keys`` that are watched, by the key asked for."""
        return {
            key: self.make_and_validate_key(key, version) for key in keys if key in watched_keys
        }

    def near(self, key, version=None):
        """This process's copy of a watched key, while it is sure to be current; else None."""
        near = self._near()
        if near is None or key not in watched_keys:
            return None
        value = near.get(self.make_and_validate_key(key, version))
        return None if value is near_cache.MISSING else value

    def copy(self, key, validator: str):
        """The value this process last read under ``key`` for ``validator`` (see ``keep_copy``)."""
        near = self._near()
        return None if near is None else near.copy(key, validator)

    def keep_copy(self, key, validator: str, value) -> None:
        """Keep beside the cache a value just read from it, to answer ``copy(key, validator)``."""
        near = self._near()
        if near is not None:
            near.keep_copy(key, validator, value)

    def _forget_watched(self, keys, version=None) -> None:
        watched = self._watched(keys, version)
        if watched and self._near_copies is not None:
            self._near_copies.forget(watched.values())

    def get(self, key, default=None, version=None):
        if key in watched_keys:
            return self.get_many([key], version).get(key, default)
        return self._try(lambda: RedisCache.get(self, key, default, version), default)

    def get_many(self, keys, version=None):
        keys = list(keys)
        near = self._near()
        watched = self._watched(keys, version) if near is not None else {}
        found = {}
        for key, full_key in watched.items():
            value = near.get(full_key)
            if value is not near_cache.MISSING:
                found[key] = value
        rest = [key for key in keys if key not in found]
        if not rest:
            return found
        epoch = near.before_read() if watched else None
        read = self._try(lambda: RedisCache.get_many(self, rest, version), {})
        if near is not None and not self._down_until:
            for key, value in read.items():
                if key in watched:
                    near.remember(watched[key], value, epoch)
            near.after_read()
        return {**found, **read}

    def has_key(self, key, version=None):
        return self._try(lambda: RedisCache.has_key(self, key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget_watched([key], version)
        return self._try(lambda: RedisCache.add(self, key, value, timeout, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget_watched([key], version)
        self._try(lambda: RedisCache.set(self, key, value, timeout, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget_watched(data, version)
        return self._try(lambda: RedisCache.set_many(self, data, timeout, version), list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key, version=None):
        self._forget_watched([key], version)
        return self._try(lambda: RedisCache.delete(self, key, version), False)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._forget_watched(keys, version)
        self._try(lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self):
        if self._near_copies is not None:
            self._near_copies.clear()
        return self._try(lambda: RedisCache.clear(self), False)


def _is_error_reply(exc: Exception) -> bool:
    """Whether Redis itself answered with an error, rather than not answering at all."""
    from redis.exceptions import BusyLoadingError, ResponseError

    return isinstance(exc, ResponseError | BusyLoadingError)
