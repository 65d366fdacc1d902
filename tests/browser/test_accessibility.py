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
]


def violations(page, url: str) -> list[dict]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_violation(page, live_server, published):
    assert AXE.exists(), "run `npm ci` (make test does) to get axe-core"
    report = []
    for path in PAGES:
        for v in violations(page, live_server.url + path):
            report.append(f"{path}: {v['id']} ({v['impact']}): {v['help']} — "
                          f"{[n['target'] for n in v['nodes'][:3]]}")
    assert report == [], "\n".join(report)
