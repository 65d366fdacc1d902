"""Redis stops (a Redis of the test's own, on another port): public pages,
the API, its schema and login keep answering, the outage is logged, and the
cache and rate limits work again when Redis returns (issue 11, finding 12)."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache

import pf2s.cache
from tests.environment import SERVICES_REQUIRED
from tests.personas import PASSWORD, totp_code
from tests.production import free_port

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not shutil.which("redis-server") and not SERVICES_REQUIRED,
        reason=(
            "starts a Redis of its own and stops it: needs redis-server (CI has it and sets "
            "PF2S_REQUIRE_SERVICES=1, so there it runs or fails, never skips)"
        ),
    ),
]


class OwnRedis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("own redis-server did not start")

    def stop(self):
        self.process.kill()
        self.process.wait()


@pytest.fixture
def own_redis(settings, monkeypatch):
    redis = OwnRedis()
    redis.start()
    settings.CACHES = {
        "default": {"BACKEND": "pf2s.cache.FailOpenRedisCache", "LOCATION": f"redis://127.0.0.1:{redis.port}/0"}
    }
    monkeypatch.setattr(pf2s.cache, "RETRY_AFTER", 0.5)
    monkeypatch.setattr(pf2s.cache.FailOpenRedisCache, "_down_until", 0.0)
    monkeypatch.setattr(pf2s.cache.FailOpenRedisCache, "_memory", None)
    yield redis
    if redis.process.poll() is None:
        redis.stop()


def visit(client) -> dict[str, int]:
    return {
        "home": client.get("/").status_code,
        "indicator page": client.get("/indicateurs/ALL-01/").status_code,
        "api list": client.get("/api/v1/indicators/").status_code,
        "api values": client.get("/api/v1/indicators/ALL-01/values/?level=departement").status_code,
        "api schema": client.get("/api/schema/").status_code,
        "login page": client.get("/compte/login/").status_code,
    }


def test_pages_api_and_login_answer_while_redis_is_down_and_recover(client, published, personas, own_redis, caplog):
    client.raise_request_exception = False
    assert set(visit(client).values()) == {200}
    cache.set("probe", 1)
    assert cache.get("probe") == 1

    own_redis.stop()

    with caplog.at_level(logging.ERROR, logger="pf2s.cache"):
        assert set(visit(client).values()) == {200}
        # a partner logs in (password, then TOTP) and reads the BTI
        client.post("/compte/login/", {"login": personas.partner_a.email, "password": PASSWORD})
        for offset in (0, 1, -1):  # the 30 s window may turn meanwhile
            code = totp_code(offset=offset)
            first = client.post("/compte/2fa/authenticate/", {"code": code})
            if first.status_code == 302:
                break
        assert first.status_code == 302 and client.get("/bti/").status_code == 200
    assert any("Redis unreachable" in r.getMessage() for r in caplog.records)
    assert cache.get("probe") is None  # a miss, not an error

    # the protections still hold meanwhile, in this process's memory
    client.logout()
    client.post("/compte/login/", {"login": personas.partner_a.email, "password": PASSWORD})
    replay = client.post("/compte/2fa/authenticate/", {"code": code})
    assert replay.status_code == 200 and client.get("/bti/").status_code == 302  # a TOTP code works once
    client.logout()
    for _ in range(5):
        client.post("/compte/login/", {"login": personas.partner_b.email, "password": "wrong-password-1"})
    locked = client.post("/compte/login/", {"login": personas.partner_b.email, "password": PASSWORD})
    assert "2fa" not in locked.get("Location", "")  # wrong passwords still lock

    own_redis.start()  # empty again: nothing was kept on disk
    time.sleep(0.6)
    client.logout()
    cache.set("probe", 2)
    assert cache.get("probe") == 2
    import redis as redis_client

    assert redis_client.Redis(port=own_redis.port).dbsize() > 0  # written to Redis again, not to memory
