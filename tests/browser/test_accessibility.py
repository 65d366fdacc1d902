"""axe-core (from the npm registry) injected in Chromium: no serious or
critical violation on the main public pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

PAGES = [
    "/",
    "/indicateurs/",
    "/indicateurs/SOI-01/?level=epci&period=2021",
    "/territoires/epci/248000531/",
    "/api/docs/",
    "/comparer/?indicators=SOI-01,ALL-01&territories=departement:80,epci:248000531",
    "/recherche/?q=amiens",
    "/compte/login/",
    "/publications/",
    "/lettre/",
    "/observatoires/",
]


def violations(page, url: str) -> list[dict]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not a <script> tag: the CSP refuses inline script
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_violation(page, live_server, published):
    assert AXE.exists(), "run `npm ci` (make test does) to get axe-core"
    report = []
    for path in PAGES:
        for v in violations(page, live_server.url + path):
            report.append(f"{path}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}")
    assert report == [], "\n".join(report)


PARTNER_PAGES = [
    "/bti/",
    "/bti/tableau/?indicators=ALL-01,SOI-01&level=departement&territories=commune:80021&compare=region:32,france:FR",
    "/bti/portrait/?territoire=epci:248000531",
    "/bti/territoires/",
    "/bti/requetes/",
    "/bti/api/jetons/",
    "/bti/formations/",
    "/compte/2fa/",
]


def test_no_serious_accessibility_violation_in_the_bti(page, live_server, published, personas, client):
    client.force_login(personas.partner_a)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    report = []
    for path in PARTNER_PAGES:
        found = violations(page, live_server.url + path)
        assert "/compte/login/" not in page.url, f"{path} sent the partner to the login page"
        for v in found:
            report.append(f"{path}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}")
    assert report == [], "\n".join(report)
