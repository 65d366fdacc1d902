"""The users of the load bench (bench/load.py), as the TLS proxy hands them to
gunicorn: every request carries `X-Forwarded-Proto: https` and its own
client address in `X-Forwarded-For` (per-client limits count each user
apart, as in production).

- Anonymous visitors: home, catalogue, an indicator page with what its
  scripts fetch (the map's geometry layer, the chart's values API calls),
  a territory page, a CSV export, publications, observatories (its map's
  layer), the values API as an open-data client calls it.
- Trained partners (one account each, logged in with password and TOTP
  through the real forms): BTI home, a table à la carte (a whole level of
  communes or a few EPCI), a portrait, the values API at commune level.

Browser-like: static files and geometry layers (cached for an hour) are
fetched once per user; the chart's API calls are revalidated with their
ETag. Every answer must be a 200 (a 304 for a revalidation, a 302 in the
login flow): anything else, a redirect included, is a failure.

Reads what to pick from in the JSON file named by BENCH_LOAD_POOLS; writes
the failures' reasons (and any exception in this code), once every user
has stopped, to BENCH_LOAD_ERRORS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time

from locust import HttpUser, between, events, task

POOLS = json.loads(open(os.environ["BENCH_LOAD_POOLS"], encoding="utf-8").read())  # noqa: SIM115
INDICATORS: dict[str, list[str]] = POOLS["indicators"]
TERRITORIES: dict[str, list[str]] = POOLS["territories"]
COMMUNE_INDICATORS = sorted(code for code, levels in INDICATORS.items() if "commune" in levels)
EPCI_INDICATORS = sorted(code for code, levels in INDICATORS.items() if "epci" in levels)
_CLIENTS = itertools.count()
_PARTNERS = itertools.count()

STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
LAYER = re.compile(r"/api/v1/territories/\w+/geometry/")
SERIES = re.compile(r"/api/v1/indicators/[\w-]+/values/\?level=\w+")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s), as the partner's authenticator app."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


@events.test_stop.add_listener
def errors_write(environment, **kwargs) -> None:
    errors = [
        {"endpoint": f"{e['method']} {e['name']}", "error": e["error"], "count": e["occurrences"]}
        for e in environment.runner.stats.serialize_errors().values()
    ]
    errors += [
        {
            "endpoint": "(exception in the user's code)",
            "error": e["msg"],
            "count": e["count"],
            "traceback": e["traceback"][-2000:],
        }
        for e in environment.runner.exceptions.values()
    ]
    with open(os.environ["BENCH_LOAD_ERRORS"], "w", encoding="utf-8") as f:
        json.dump(errors, f)


class PortalUser(HttpUser):
    abstract = True

    def on_start(self) -> None:
        n = next(_CLIENTS)
        self.rng = random.Random(n)
        # one client address per user, in the benchmarking range (RFC 2544)
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}",
                "Host": "localhost",
                "Accept-Language": "fr",
            }
        )
        self.cookies: dict[str, str] = {}  # by hand: __Host- cookies are Secure, the client talks plain HTTP
        self.cached: set[str] = set()  # what the browser's cache holds for this user
        self.etags: dict[str, str] = {}

    def get(self, path: str, name: str, *, expect: int = 200, headers: dict | None = None):
        headers = {**(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        with self.client.get(path, name=name, headers=headers, allow_redirects=False, catch_response=True) as response:
            self._keep_cookies(response)
            if response.status_code not in (expect, 304 if "If-None-Match" in headers else expect):
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}".strip())
            return response

    def post(self, path: str, data: dict, name: str, *, expect: int = 302):
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Origin": "https://localhost",
            "Referer": f"https://localhost{path}",
        }
        with self.client.post(
            path, data=data, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            self._keep_cookies(response)
            if response.status_code != expect:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}".strip())
            return response

    def _keep_cookies(self, response) -> None:
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value

    def page(self, path: str, name: str):
        """An HTML page and, the first time this user meets them, its static files."""
        response = self.get(path, name)
        if response.status_code == 200:
            for asset in STATIC.findall(response.text):
                if asset not in self.cached:
                    self.cached.add(asset)
                    self.get(asset, "/static/… (first visit)")
        return response

    def layer(self, path: str) -> None:
        """A map layer: public, max-age=3600, so once per user."""
        if path not in self.cached:
            self.cached.add(path)
            self.get(path, "/api/v1/territories/[level]/geometry/ (map)")


class Visitor(PortalUser):
    """An anonymous visitor of the public portal, or an open-data client."""

    weight = 4
    wait_time = between(1, 5)

    @task(3)
    def home(self) -> None:
        self.page("/", "/")

    @task(2)
    def catalogue(self) -> None:
        self.page("/indicateurs/", "/indicateurs/")

    @task(4)
    def indicator(self) -> None:
        code = self.rng.choice(EPCI_INDICATORS)
        level = "?level=epci" if self.rng.random() < 0.3 else ""
        response = self.page(f"/indicateurs/{code}/{level}", "/indicateurs/[code]/")
        if response.status_code != 200:
            return
        for path in dict.fromkeys(LAYER.findall(response.text)):
            self.layer(path)
        for path in dict.fromkeys(SERIES.findall(response.text)):  # the chart's series, revalidated
            answer = self.get(
                path,
                "/api/v1/indicators/[code]/values/?level=… (chart)",
                headers={"If-None-Match": self.etags[path]} if path in self.etags else None,
            )
            if answer.headers.get("ETag"):
                self.etags[path] = answer.headers["ETag"]

    @task(2)
    def territory(self) -> None:
        level = self.rng.choice(["departement", "epci", "epci", "commune", "commune"])
        self.page(f"/territoires/{level}/{self.rng.choice(TERRITORIES[level])}/", "/territoires/[level]/[code]/")

    @task(1)
    def csv_export(self) -> None:
        level = self.rng.choice(["departement", "epci"])
        self.get(
            f"/indicateurs/{self.rng.choice(EPCI_INDICATORS)}/export.csv?level={level}",
            "/indicateurs/[code]/export.csv",
        )

    @task(1)
    def publications(self) -> None:
        self.page("/publications/", "/publications/")

    @task(1)
    def observatories(self) -> None:
        self.page("/observatoires/", "/observatoires/")
        self.layer("/api/v1/territories/departement/geometry/")

    @task(1)
    def api_values(self) -> None:
        self.get(
            f"/api/v1/indicators/{self.rng.choice(EPCI_INDICATORS)}/values/?level=epci",
            "/api/v1/indicators/[code]/values/?level=epci (open data)",
        )


class Partner(PortalUser):
    """A trained member of a partner organisation, in the BTI."""

    weight = 1
    wait_time = between(2, 8)

    def on_start(self) -> None:
        super().on_start()
        partners = POOLS["partners"]
        email = partners["emails"][next(_PARTNERS) % len(partners["emails"])]
        form = self.get("/compte/login/", "/compte/login/")
        token = CSRF.search(form.text).group(1)
        self.post(
            "/compte/login/",
            {"csrfmiddlewaretoken": token, "login": email, "password": partners["password"]},
            "/compte/login/ (POST)",
        )
        form = self.get("/compte/2fa/authenticate/", "/compte/2fa/authenticate/")
        token = CSRF.search(form.text).group(1)
        left = 30 - time.time() % 30
        if left < 3:  # as a person would: wait for the next code rather than type one about to expire
            time.sleep(left + 0.1)
        self.post(
            "/compte/2fa/authenticate/",
            {"csrfmiddlewaretoken": token, "code": totp_code(partners["totp_secret"])},
            "/compte/2fa/authenticate/ (POST)",
        )

    @task(2)
    def bti_home(self) -> None:
        self.page("/bti/", "/bti/")

    @task(3)
    def table(self) -> None:
        if self.rng.random() < 0.5:
            codes = self.rng.sample(COMMUNE_INDICATORS, self.rng.randint(1, 3))
            query = f"indicators={','.join(codes)}&level=commune"
        else:
            codes = self.rng.sample(EPCI_INDICATORS, self.rng.randint(2, 4))
            epcis = self.rng.sample(TERRITORIES["epci"], self.rng.randint(2, 6))
            query = f"indicators={','.join(codes)}&territories={','.join('epci:' + c for c in epcis)}"
        self.page(f"/bti/tableau/?{query}", "/bti/tableau/?…")

    @task(1)
    def portrait(self) -> None:
        level = self.rng.choice(["departement", "epci", "epci"])
        self.page(f"/bti/portrait/?territoire={level}:{self.rng.choice(TERRITORIES[level])}", "/bti/portrait/?…")

    @task(2)
    def api_commune(self) -> None:
        self.get(
            f"/api/v1/indicators/{self.rng.choice(COMMUNE_INDICATORS)}/values/?level=commune",
            "/api/v1/indicators/[code]/values/?level=commune (partner)",
        )
