"""Django's Redis cache, failing open.

The cache holds nothing that must not be lost: API answers (recomputed from
the snapshot), rate-limit counters (allauth's login limits, the API
throttle), used TOTP codes. When Redis is down, reads miss, writes are
dropped and counters start afresh, so that pages, the API and login keep
answering instead of giving 500; the outage is logged (once per pause), and
after a short pause the next call tries Redis again, so everything recovers
by itself when it returns. While Redis is down the limits are counted per
process only (the throttle keeps a local count) or not at all: that is the
price of staying up, and the log says so."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("pf2s.cache")

#: seconds during which a process does not call a Redis that just failed
RETRY_AFTER = 5.0


class FailOpenRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # a Redis that hangs must cost a request a fraction of a second, not the default forever
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)

    def _call(self, operation: str, fallback, *args, **kwargs):
        now = time.monotonic()
        if now < self._down_until:
            return fallback
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except RedisError as exc:
            if not self._down_until or now >= self._down_until:
                logger.error("Redis unreachable (%s: %s): cache and rate limits fail open for %.0f s",
                             exc.__class__.__name__, exc, RETRY_AFTER)
            type(self)._down_until = now + RETRY_AFTER
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._call("incr", None, key, delta, version)
        if result is None:  # down: the caller's "missing key" path
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)
