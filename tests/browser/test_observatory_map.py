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


def test_a_name_typed_as_html_stays_text_on_the_map(page, live_server, published):
    """A staff member names an observatory with markup (by mistake or by
    malice): every visitor sees those letters in the tooltip, and no script
    runs (it did: the tooltip was built as HTML). The zoom buttons speak
    French."""
    from indicators.models import Territory
    from observatories.models import Observatory

    organisations_load()
    community_load()
    model = Observatory.objects.first()
    name = '<img src=x onerror="window.__pf2sXss = 1">'
    Observatory.objects.create(
        name=name,
        slug="balise",
        theme=model.theme,
        host="Test",
        departement=Territory.objects.get(level="departement", code="80"),
        latitude=49.9,
        longitude=2.3,
    )
    page.goto(f"{live_server.url}/observatoires/")
    page.wait_for_selector("#observatory-map[data-ready='true']", timeout=15_000)
    marker = page.locator(f"#observatory-map path.leaflet-interactive[aria-label='{name}']")
    marker.dispatch_event("mouseover")  # another point may lie on top of it
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=5_000)
    assert tooltip.inner_text().startswith(name)
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert page.evaluate("window.__pf2sXss") is None
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("title") == "Zoom arrière"
