"""The production settings under gunicorn on loopback, as the reverse proxy
of docker-compose talks to them (X-Forwarded-Proto, X-Forwarded-For): shared
by the production smoke test and the fault tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

SECRET = "production-test-secret-" + "k" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PF2S_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "pf2s.settings.production",
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/11"),
        }
    )
    env.update(overrides)
    return env


def collectstatic(root: Path) -> Path:
    """Static files as the image builds them (manifest, compressed)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=production_env(STATIC_ROOT=str(root), DATABASE_URL="sqlite:////nonexistent/x.db"),
        check=True,
        timeout=600,
    )
    return root


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int = 1):
    """Yield the port of a gunicorn serving pf2s with these environment variables."""
    port = free_port()
    log = open(Path(env.get("PF2S_DATA_DIR", "/tmp")) / f"gunicorn-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "pf2s.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(Path(log.name).read_text()[-3000:]) from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def fetch(
    port: int,
    path: str,
    *,
    headers: dict | None = None,
    data: bytes | None = None,
    follow: bool = True,
    with_cookies: bool = False,
):
    """A request as the TLS proxy forwards it: (status, headers, text), and
    the Set-Cookie lines when asked."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        headers={
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.9",
            "Host": "localhost",
            **(headers or {}),
        },
    )
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            answer = (
                response.status,
                dict(response.headers),
                response.read().decode("utf-8", "replace"),
                response.headers.get_all("Set-Cookie") or [],
            )
    except urllib.error.HTTPError as error:
        answer = (
            error.code,
            dict(error.headers),
            error.read().decode("utf-8", "replace"),
            error.headers.get_all("Set-Cookie") or [],
        )
    return answer if with_cookies else answer[:3]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
