"""The territory page draws its outline in a real browser, with nothing
fetched from outside."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_draws_the_outline_of_an_epci(page, live_server, geography):
    page.goto(f"{live_server.url}/territoires/epci/248000531/")
    page.wait_for_selector("#territory-map[data-ready='true']", timeout=10_000)
    outline = page.locator("#territory-map .leaflet-overlay-pane path")
    assert outline.count() == 1
    box = outline.bounding_box()
    assert box["width"] > 100 and box["height"] > 100  # fitted to the map, not a dot
    assert page.locator("h1").inner_text() == "Communauté d'agglomération Amiens Métropole"
    assert page.external_requests == []
    assert page.console_errors == []


def test_the_skip_link_moves_focus_to_the_content(page, live_server, geography):
    page.goto(f"{live_server.url}/territoires/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
