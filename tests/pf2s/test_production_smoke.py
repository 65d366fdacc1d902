"""The production settings as deployed: gunicorn on loopback behind the
headers the TLS proxy sets, `check --deploy --fail-level WARNING` clean on
the live database, then the main public, partner and staff pages walked
with 0 errors and strict headers on every answer (issue 11)."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.parse

import pytest
from django.conf import settings
from django.db import connection

from tests.personas import PASSWORD, totp_code
from tests.production import fetch, gunicorn, production_env

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = [
    "/",
    "/indicateurs/",
    "/indicateurs/ALL-01/",
    "/indicateurs/ALL-01/export.csv?level=departement",
    "/territoires/",
    "/territoires/departement/80/",
    "/comparer/",
    "/donnees-ouvertes/",
    "/publications/",
    "/observatoires/",
    "/lettre/",
    "/api/v1/indicators/",
    "/api/v1/indicators/ALL-01/values/?level=departement",
    "/api/v1/territories/?level=departement",
    "/api/schema/",
    "/api/docs/",
    "/recherche/?q=allocataires",
    "/mentions-legales/",
    "/plan-du-site/",
    "/healthz",
    "/readyz",
    "/compte/login/",
]
PARTNER = [
    "/bti/",
    "/bti/tableau/?indicators=ALL-01&level=commune",
    "/bti/territoires/",
    "/bti/portrait/?territoire=epci:248000531",
    "/bti/api/jetons/",
    "/api/v1/indicators/ALL-01/values/?level=commune",
]
STAFF = ["/publications/gestion/", "/admin/", "/admin/indicators/snapshot/", "/admin/publications/article/add/"]


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Browser:
    """Cookies by hand: the server marks them Secure and __Host- (HTTPS at the
    proxy), which a plain HTTP client library would not send back."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": "https://localhost" + path,
                    "Origin": "https://localhost",
                }
            )
        status, response_headers, text, cookies = fetch(
            self.port, path, headers=headers, data=body, follow=False, with_cookies=True
        )
        for cookie in cookies:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return status, response_headers, text, cookies

    def login(self, email: str) -> None:
        _, _, page, _ = self.request("/compte/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers, _, _ = self.request(
            "/compte/login/", {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}
        )
        assert status == 302 and "/2fa/authenticate/" in headers["Location"], status
        _, _, page, _ = self.request("/compte/2fa/authenticate/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        for offset in (0, 1, -1):
            status, _, _, _ = self.request(
                "/compte/2fa/authenticate/", {"csrfmiddlewaretoken": token, "code": totp_code(offset=offset)}
            )
            if status == 302:
                return
        raise AssertionError("TOTP refused")


def strict(path: str, status: int, headers: dict) -> list[str]:
    problems = []
    expected = {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    for name, value in expected.items():
        if headers.get(name) != value:
            problems.append(f"{path}: {name} = {headers.get(name)!r}")
    if "text/html" in headers.get("Content-Type", "") and headers.get("X-Frame-Options") != "DENY":
        problems.append(f"{path}: X-Frame-Options = {headers.get('X-Frame-Options')!r}")
    if "pf2s.csp.SecurityPolicyMiddleware" in settings.MIDDLEWARE:
        csp = headers.get("Content-Security-Policy", "")
        if "default-src" not in csp or "'unsafe-inline'" in csp:
            problems.append(f"{path}: Content-Security-Policy = {csp!r}")
    return problems


def test_the_production_stack_serves_every_persona_cleanly(published, personas, static_root, tmp_path):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    # the production hashers do not read the tests' fast MD5 hashes
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "smoke-test-salt", iterations=1000)
    for user in (personas.partner_a, personas.editor, personas.admin):
        type(user).objects.filter(pk=user.pk).update(password=hashed)
    env = production_env(
        DATABASE_URL=database_url(),
        STATIC_ROOT=str(static_root),
        PF2S_DATA_DIR=str(tmp_path),
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_NUM_PROXIES="1",
    )
    # the data the portal serves is the tests' (its snapshot files are where the test settings wrote them)
    env["PF2S_DATA_DIR"] = str(settings.PF2S_DATA_DIR)
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr

    problems = []
    with gunicorn(env, workers=2) as port:
        # the container's healthcheck passes (a bare request would get the HTTPS redirect)
        # as the compose healthcheck does, with its start period and retries: a worker's
        # first request loads the whole application, longer than 5 s on a loaded machine
        for _ in range(3):
            health = subprocess.run(
                [sys.executable, "-m", "pf2s.healthcheck"],
                cwd=settings.BASE_DIR,
                timeout=30,
                env={
                    **env,
                    "PF2S_HEALTHCHECK_URL": f"http://127.0.0.1:{port}/readyz",
                    "DJANGO_ALLOWED_HOSTS": "localhost",
                },
                capture_output=True,
                text=True,
            )
            if health.returncode == 0:
                break
        assert health.returncode == 0, health.stderr
        status, headers, _ = fetch(port, "/", headers={"X-Forwarded-Proto": "http"}, follow=False)
        assert status == 301 and headers["Location"].startswith("https://")  # plain HTTP goes to HTTPS
        visitor = Browser(port)
        for path in PUBLIC:
            status, headers, _, _ = visitor.request(path)
            if status != 200:
                problems.append(f"anonymous {path}: {status}")
            problems += strict(path, status, headers)
        status, headers, _, cookies = visitor.request("/bti/")
        assert status == 302 and headers["Location"].startswith("/compte/login/")

        for persona, paths in ((personas.partner_a, PARTNER), (personas.editor, STAFF[:1]), (personas.admin, STAFF)):
            browser = Browser(port)
            browser.login(persona.email)
            assert set(browser.cookies) == {"__Host-csrftoken", "__Host-sessionid"}, browser.cookies
            for path in paths:
                status, headers, _, _ = browser.request(path)
                if status != 200:
                    problems.append(f"{persona.username} {path}: {status}")
                problems += strict(path, status, headers)
                if path.startswith("/bti/") and headers.get("Cache-Control") != "private, no-store":
                    problems.append(f"{path}: Cache-Control = {headers.get('Cache-Control')!r}")
        # every cookie is __Host-: Secure, Path=/, no Domain
        for cookie in cookies:
            assert cookie.startswith("__Host-") and "Secure" in cookie and "Path=/" in cookie
            assert "Domain=" not in cookie
    assert not problems, "\n".join(problems)
