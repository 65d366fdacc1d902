"""The observatories' map in a real browser: one keyboard-reachable point
per observatory shown, over our own département layer."""

from __future__ import annotations

import pytest

from bti.services import organisations_load
from observatories.services import community_load

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_directory_map_shows_the_filtered_observatories(page, live_server, published):
    organisations_load()
    community_load()
    page.goto(f"{live_server.url}/observatoires/")
    page.wait_for_selector("#observatory-map[data-ready='true']", timeout=15_000)
    markers = page.locator("#observatory-map path.leaflet-interactive[role='link']")
    assert markers.count() == 50
    page.select_option("#o-theme", "formation")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#observatory-map[data-ready='true']", timeout=15_000)
    assert page.locator("#observatory-map path.leaflet-interactive[role='link']").count() == 3
    first = page.locator("#observatory-map path.leaflet-interactive[role='link']").first
    first.focus()
    name = first.get_attribute("aria-label")
    page.keyboard.press("Enter")
    page.wait_for_url("**/observatoires/*/")
    assert page.locator("h1").inner_text() == name
    assert page.external_requests == [] and page.console_errors == []
