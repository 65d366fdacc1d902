"""Real Celery worker processes for the tests that need one (Redis broker,
the test's PostgreSQL database)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from tests.environment import SERVICES_REQUIRED

needs_services = pytest.mark.skipif(
    not SERVICES_REQUIRED and not (settings.REDIS_URL and connection.vendor == "postgresql"),
    reason=(
        "a real Celery worker needs Redis and PostgreSQL: set REDIS_URL and DATABASE_URL "
        "(CI sets them and PF2S_REQUIRE_SERVICES=1, so there it runs or fails, never skips)"
    ),
)


def start_worker(name: str = "test", extra_env: dict | None = None, app: str = "pf2s") -> subprocess.Popen:
    """A worker in its own process group (so that a kill reaches its children);
    `app` the module of its Celery app (a test's variant of pf2s.celery)."""
    env = {
        **os.environ,
        **(extra_env or {}),
        "DJANGO_SETTINGS_MODULE": "pf2s.settings.test",
        "PF2S_WORKER_DATABASE_NAME": connection.settings_dict["NAME"],
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"{name}-{os.getpid()}@%h",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen, kill: bool = False) -> str:
    """Stop (SIGTERM) or kill (SIGKILL, the whole group) a worker; its output."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        return worker.communicate(timeout=30)[0] or ""
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        return worker.communicate()[0] or ""


def wait_for(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


class RealWorker:
    """Context: Celery not eager in this process, a clean queue, a worker."""

    def __init__(self, name: str = "test", env: dict | None = None, app: str = "pf2s"):
        self.name = name
        self.env = env
        self.module = app

    def __enter__(self) -> RealWorker:
        from pf2s.celery import app

        self.app = app
        app.conf.task_always_eager = False
        app.control.purge()
        self.worker = start_worker(self.name, self.env, self.module)
        return self

    def kill(self) -> str:
        return stop_worker(self.worker, kill=True)

    def restart(self, app: str | None = None) -> None:
        self.module = app or self.module
        self.worker = start_worker(self.name, self.env, self.module)

    def __exit__(self, *exc) -> None:
        self.output = stop_worker(self.worker)
        self.app.conf.task_always_eager = True
        # a killed worker's unacknowledged messages would come back (visibility
        # timeout) into a later test's database: forget them
        import redis

        redis.Redis.from_url(self.app.conf.broker_url).delete("unacked", "unacked_index")
