"""Django's Redis cache, failing open.

The cache holds nothing that must not be lost: API answers (recomputed from
the snapshot), rate-limit counters (allauth's login limits, the API
throttle, the public forms' limits), used TOTP codes. When Redis is down,
every operation goes to a cache in this process's memory instead, so that
pages, the API and login keep answering instead of giving 500, and the
protections keep working per process: a TOTP code is still refused the
second time, wrong passwords still lock, the throttle still counts (a
client spread over several gunicorn workers gets each worker's allowance).
The outage is logged once per pause; after a short pause the next call
tries Redis again, so everything recovers by itself when it returns."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("pf2s.cache")

#: seconds during which a process does not call a Redis that just failed
RETRY_AFTER = 5.0


class FailOpenRedisCache(RedisCache):
    #: per process: until when Redis is considered down
    _down_until = 0.0
    _memory: LocMemCache | None = None

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # a Redis that hangs must cost a request a fraction of a second, not the default forever
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)

    @classmethod
    def _fallback(cls) -> LocMemCache:
        if cls._memory is None:
            cls._memory = LocMemCache("pf2s-redis-down", {"OPTIONS": {"MAX_ENTRIES": 50_000}})
        return cls._memory

    def _call(self, operation: str, *args, **kwargs):
        now = time.monotonic()
        if now >= FailOpenRedisCache._down_until:
            try:
                return getattr(super(), operation)(*args, **kwargs)
            except RedisError as exc:
                logger.error(
                    "Redis unreachable (%s: %s): cache and limits kept in this process's memory for %.0f s",
                    exc.__class__.__name__,
                    exc,
                    RETRY_AFTER,
                )
                FailOpenRedisCache._down_until = now + RETRY_AFTER
        return getattr(self._fallback(), operation)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")
