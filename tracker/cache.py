"""The shared cache, which pages may lose at any moment without a reader noticing.

Everything the public pages keep in Redis can be made again from the
database: the version of the record, rendered pages and fragments, counts.
So when Redis is down, refuses connections or stalls, a page must be read
from the database (slower, never wrong) rather than fail. Django's own Redis
cache raises the client's errors; this one turns them into misses for reads
and into nothing for writes, logs the outage once, and for a few seconds
after a failure does not try again, so that each request during an outage
pays for no failed connection at all.

Counters (``incr``, ``decr``) still raise: a rate limit that cannot count
must decide for itself whether to let a request through.

While a node cannot reach Redis it cannot store a new version of the record
either; another node that still can keeps serving its pages under the old
version until that version lapses (``tracker.http.VERSION_SECONDS``), the
same bound as for a change written around the models.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# After a failure, how long the cache is left alone before it is tried again.
RETRY_AFTER_SECONDS = 5.0
# How long a connection or a command may take before the cache counts as down.
CONNECT_TIMEOUT_SECONDS = 0.25
COMMAND_TIMEOUT_SECONDS = 0.5
# What to forget once the cache answers again after an outage: what this node
# could not store meanwhile (a new version of the record) is read afresh.
after_outage: list = []


def _redis_errors() -> tuple[type[Exception], ...]:
    from redis.exceptions import ConnectionError, TimeoutError

    return (ConnectionError, TimeoutError, OSError)


class SharedRedisCache(RedisCache):
    """Django's Redis cache, answering a miss (and dropping writes) while Redis is unreachable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", COMMAND_TIMEOUT_SECONDS)
        super().__init__(server, {**params, "OPTIONS": options})
        self._errors = _redis_errors()
        self._down_until = 0.0

    def _try(self, operation, missing):
        """``operation()``, or ``missing`` while Redis is unreachable."""
        if time.monotonic() < self._down_until:
            return missing
        try:
            result = operation()
        except self._errors as exc:
            if not self._down_until:
                logger.warning("The shared cache is unreachable (%s); reading the database.", exc)
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            return missing
        if self._down_until:
            self._down_until = 0.0
            logger.warning("The shared cache is reachable again.")
            for forget in after_outage:
                forget()
        return result

    def get(self, key, default=None, version=None):
        return self._try(lambda: RedisCache.get(self, key, default, version), default)

    def get_many(self, keys, version=None):
        return self._try(lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key, version=None):
        return self._try(lambda: RedisCache.has_key(self, key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(lambda: RedisCache.add(self, key, value, timeout, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._try(lambda: RedisCache.set(self, key, value, timeout, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(lambda: RedisCache.set_many(self, data, timeout, version), list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key, version=None):
        return self._try(lambda: RedisCache.delete(self, key, version), False)

    def delete_many(self, keys, version=None):
        self._try(lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self):
        return self._try(lambda: RedisCache.clear(self), False)
