"""Caches that take a moment to answer, as a cache across a network does.

Every web node reaches a shared cache over the network, so between one node reading a
count and writing it back, others read it too. In one test process a local cache answers
at once and hides that; these add a millisecond to every call, outside any lock.
"""

import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

LATENCY = 0.001


class Latency:
    def get(self, *args, **kwargs):
        time.sleep(LATENCY)
        return super().get(*args, **kwargs)

    def set(self, *args, **kwargs):
        time.sleep(LATENCY)
        return super().set(*args, **kwargs)

    def add(self, *args, **kwargs):
        time.sleep(LATENCY)
        return super().add(*args, **kwargs)

    def incr(self, *args, **kwargs):
        time.sleep(LATENCY)
        return super().incr(*args, **kwargs)


class SlowLocMemCache(Latency, LocMemCache):
    pass


class SlowRedisCache(Latency, RedisCache):
    pass


def slowed(caches: dict) -> dict:
    """The ``CACHES`` setting with its default cache answering a little late."""
    default = dict(caches["default"])
    default["BACKEND"] = (
        "tests.slow_caches.SlowRedisCache"
        if default["BACKEND"].endswith("RedisCache")
        else "tests.slow_caches.SlowLocMemCache"
    )
    return {**caches, "default": default}
