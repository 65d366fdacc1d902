"""Production settings pass Django's deployment checks when configured."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def run_check(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "pf2s.settings.production", **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deploy_check_with_the_required_variables():
    result = run_check(
        {
            "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d6c5b4a",
            "DJANGO_ALLOWED_HOSTS": "pf2s.example.org",
            "DATABASE_URL": "postgres://pf2s@127.0.0.1:5432/pf2s",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key():
    result = run_check(
        {
            "DJANGO_ALLOWED_HOSTS": "pf2s.example.org",
            "DATABASE_URL": "postgres://pf2s@127.0.0.1/pf2s",
            "REDIS_URL": "redis://127.0.0.1/0",
        }
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_cookies_carry_the_host_prefix():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "pf2s.settings.production",
            "DJANGO_SECRET_KEY": "k" * 60,
            "DJANGO_ALLOWED_HOSTS": "pf2s.example.org",
            "DATABASE_URL": "postgres://pf2s@127.0.0.1/pf2s",
            "REDIS_URL": "redis://127.0.0.1/0",
        }
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_DOMAIN, s.SESSION_COOKIE_PATH, s.PF2S_SESSION_IDLE_TIMEOUT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["__Host-sessionid", "__Host-csrftoken", "True", "True", "None", "/", "1800"]
