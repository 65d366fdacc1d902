"""Maps of an indicator: classes in the URL, GeoJSON and SVG exports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.geography import HDF

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def map_state(client, url):
    html = client.get(url).content.decode()
    start = html.index('<script id="map-state" type="application/json">') + len(
        '<script id="map-state" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_page_carries_the_map_state_of_its_url(client, published):
    state = map_state(client, "/indicateurs/SOI-01/?level=epci&period=2021&method=equal&classes=4")
    assert state["method"] == "equal" and state["count"] == 4 and len(state["colours"]) == 4
    assert state["layer"] == "/api/v1/territories/epci/geometry/"
    assert len(state["values"]) == HDF.epci
    bounds = state["bounds"]
    steps = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
    assert max(steps) - min(steps) < 1e-9  # equal intervals
    jenks = map_state(client, "/indicateurs/SOI-01/?level=epci&period=2021&method=jenks&classes=6")
    assert jenks["method"] == "jenks" and jenks["count"] == 6 and jenks["bounds"] != bounds


def test_secret_territories_are_marked_not_valued_in_the_map_state(client, published, personas):
    client.force_login(personas.partner_a)
    state = map_state(client, "/indicateurs/ALL-01/?level=commune&period=2021")
    secret = [v for v in state["values"].values() if v["status"] == "secret"]
    assert secret and all(v["value"] is None and v["class"] is None for v in secret)


def test_the_geojson_export_joins_the_values(client, published):
    response = client.get("/indicateurs/SOI-01/export.geojson?level=departement&period=2021")
    collection = json.loads(response.content)
    assert response["Content-Type"] == "application/geo+json"
    assert len(collection["features"]) == HDF.departements
    somme = next(f for f in collection["features"] if f["properties"]["code"] == "80")
    assert somme["properties"]["status"] == "ok" and somme["properties"]["value"] > 0
    assert somme["properties"]["unit"] == "pour 10 000" and somme["properties"]["period"] == "2021"


def test_the_svg_map_is_an_editable_document(client, published):
    response = client.get("/indicateurs/SOI-01/export.svg?level=epci&period=2021&method=jenks&classes=5")
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    groups = {g.get("id") for g in root.iter(f"{SVG}g")}
    assert {"titre-carte", "territoires", "legende", "source"} <= groups
    paths = list(next(g for g in root.iter(f"{SVG}g") if g.get("id") == "territoires"))
    assert len(paths) == HDF.epci
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Densité de médecins généralistes" in texts and "secret statistique" in texts
    assert "Lambert-93" in texts and "DÉMONSTRATION" in texts
    legend_boxes = [
        r for r in next(g for g in root.iter(f"{SVG}g") if g.get("id") == "legende") if r.tag == f"{SVG}rect"
    ]
    assert len(legend_boxes) == 5 + 2


def test_a_level_where_every_value_is_secret_still_renders():
    import pandas as pd

    from opendata.maps import map_state

    rows = pd.DataFrame(
        {
            "territory_code": ["a", "b"],
            "territory_name": ["A", "B"],
            "value": [float("nan")] * 2,
            "status": ["secret", "secret"],
        }
    )
    state = map_state(rows, "jenks", 5)
    assert state.bounds == [] and state.colours == [] and state.legend("%") == []
    assert all(v["status"] == "secret" and v["class"] is None for v in state.values.values())


def test_the_embed_views_show_the_map_or_the_chart_alone(client, published):
    response = client.get("/embed/indicateurs/SOI-01/carte/?level=epci&period=2021&method=jenks")
    html = response.content.decode()
    assert response.status_code == 200 and "X-Frame-Options" not in response
    assert 'id="map-state"' in html and 'id="navigation"' not in html
    chart = client.get("/embed/indicateurs/SOI-01/graphique/?level=departement").content.decode()
    assert 'id="chart-state"' in chart and "plotly.min.js" in chart
    assert client.get("/embed/indicateurs/SOI-01/autre/").status_code == 404
    assert client.get("/embed/indicateurs/ALL-02/carte/").status_code == 404  # partners only
