"""The anonymous API throttle, cheap enough to sit in front of cached
answers: each process counts locally and adds its count to a shared Redis
window counter every 1 % of the rate (or every second), so the limit holds
across processes within that margin at almost no cost per request."""

from __future__ import annotations

import time

from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

_SYNC_SECONDS = 1.0


class AnonymousRateThrottle(SimpleRateThrottle):
    """Anonymous callers, by address, `DEFAULT_THROTTLE_RATES["anon"]`."""

    scope = "anon"
    #: per (address, window): [pending hits, last known shared total, last sync]
    _local: dict[tuple[str, int], list] = {}

    def get_rate(self):
        from rest_framework.settings import api_settings

        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return f"throttle:anon:{self.get_ident(request)}"

    def allow_request(self, request, view=None) -> bool:
        django_request = getattr(request, "_request", request)
        if self.rate is None or getattr(django_request, "_pf2s_throttled", False) or _authenticated(request):
            return True
        django_request._pf2s_throttled = True  # counted once, whichever layer asks first
        now = time.time()
        window = int(now // self.duration)
        ident = self.get_ident(request)
        entry = self._local.get((ident, window))
        if entry is None:
            if len(self._local) > 10_000:
                self._local.clear()
            entry = self._local[(ident, window)] = [0, 0, 0.0]
        entry[0] += 1
        threshold = max(1, self.num_requests // 100)
        if entry[0] >= threshold or now - entry[2] > _SYNC_SECONDS:
            key = f"throttle:anon:{ident}:{window}"
            try:
                cache.add(key, 0, self.duration + 1)
                entry[1] = cache.incr(key, entry[0])
            except ValueError:  # expired between add and incr
                cache.set(key, entry[1] + entry[0], self.duration + 1)
                entry[1] += entry[0]
            entry[0], entry[2] = 0, now
        self._window_end = (window + 1) * self.duration
        return entry[1] + entry[0] <= self.num_requests

    def wait(self) -> float:
        return max(0.0, getattr(self, "_window_end", 0) - time.time())


def _authenticated(request) -> bool:
    from pf2s.sessions import carries_credentials

    if not carries_credentials(request):
        return False
    return bool(request.user and request.user.is_authenticated)
