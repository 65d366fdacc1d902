"""Readiness checks of the services the portal needs."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connections


def database_check() -> dict:
    """Open a fresh connection (outside any request transaction) and run SELECT 1."""
    default = connections["default"]
    probe = default.__class__({**default.settings_dict}, alias="readyz-probe")
    try:
        probe.ensure_connection()
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": default.vendor}
    except Exception as exc:  # any driver error means "not ready"
        return {"ok": False, "vendor": default.vendor, "error": exc.__class__.__name__}
    finally:
        probe.close()


def redis_check() -> dict:
    url = settings.REDIS_URL
    if not url:
        return {"ok": True, "mode": "non configuré (démarrage rapide, tâches exécutées sur place)"}
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return {"ok": True}
    except redis.RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def readiness() -> dict[str, dict]:
    return {"database": database_check(), "redis": redis_check()}
