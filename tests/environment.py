"""What the test run expects of the machine (real services in CI, Debian's
Chromium) and state shared by every test (the public forms' counters)."""

from __future__ import annotations

import os

SERVICES_REQUIRED = os.environ.get("PF2S_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("PF2S_CHROMIUM", "/usr/bin/chromium")


def form_limits_clear() -> None:
    """Forget the public forms' counters, as if their windows had passed."""
    from django.core.cache import cache

    client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client is None:
        cache.clear()  # local memory
        return
    try:
        redis = client(write=True)
        keys = list(redis.scan_iter(match="*ratelimit:*", count=1000))
        if keys:
            redis.delete(*keys)
    except Exception:  # Redis down in a fault test: nothing to clear
        pass
