"""Maps at commune level for trained partners: the same classes, legend,
hatching of secret cells and SVG export as the open-data maps."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.geography import HDF

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def test_a_trained_partner_exports_the_commune_map_with_hatched_secrets(client, published, personas):
    client.force_login(personas.partner_a)
    page = client.get("/indicateurs/ALL-01/?level=commune&method=jenks&classes=6").content.decode()
    assert 'value="commune" selected' in page and "secret statistique" in page
    response = client.get("/indicateurs/ALL-01/export.svg?level=commune&method=jenks&classes=6")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    territories = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "territoires")
    paths = list(territories)
    assert len(paths) == HDF.communes  # every commune of the region
    fills = {p.get("fill") for p in paths}
    assert any(f and f.startswith("url(#") for f in fills)  # hatched secret communes
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "secret statistique" in texts and "Commune" in texts


@pytest.mark.parametrize("persona", ["anonymous", "partner_a_untrained", "editor"])
def test_others_get_no_commune_map(client, published, personas, persona):
    personas.log_in(client, persona)
    response = client.get("/indicateurs/ALL-01/export.svg?level=commune")
    if response.status_code == 200:  # the public level the page falls back to, never communes
        territories = next(g for g in ET.fromstring(response.content).iter(f"{SVG}g") if g.get("id") == "territoires")
        assert len(list(territories)) == HDF.departements
    else:
        assert response.status_code in {400, 404}
    assert 'value="commune"' not in client.get("/indicateurs/ALL-01/?level=commune").content.decode()
