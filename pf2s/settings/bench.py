"""`make bench` web part: the local settings plus a bare baseline view."""

from __future__ import annotations

from .local import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": True}
# One client (wrk) on loopback: the per-IP anonymous throttle would answer
# 429 and measure the throttle, not the endpoint.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000000/minute"}}  # noqa: F405
