"""Choropleth maps of published values: the state shared by the page, the
GeoJSON export and the server-side SVG (Lambert-93, editable in Inkscape)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from pyproj import Transformer

from indicators.compute import classes
from indicators.models import GeometryLayer, Indicator, Snapshot

SECRET_LABEL = "secret statistique"
MISSING_LABEL = "non disponible"


@dataclass
class MapState:
    method: str
    count: int
    bounds: list[float]
    colours: list[str]
    values: dict[str, dict]

    def legend(self, unit: str) -> list[dict]:
        items = []
        for i, colour in enumerate(self.colours):
            low, high = self.bounds[i], self.bounds[min(i + 1, len(self.bounds) - 1)]
            items.append({"colour": colour, "label": f"{_fr(low)} à {_fr(high)} {unit}".strip()})
        return items

    def as_json(self) -> dict:
        return {
            "method": self.method,
            "count": self.count,
            "bounds": self.bounds,
            "colours": self.colours,
            "values": self.values,
        }


def _fr(value: float) -> str:
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")


def map_state(rows: pd.DataFrame, method: str, count: int) -> MapState:
    """Classes and colours of one level's rows (ok rows only are classed)."""
    ok = rows[rows["status"] == "ok"]
    bounds = classes.breaks(ok["value"].to_numpy(dtype=float), method, count)
    n = len(bounds) - 1 if len(bounds) >= 2 else 0  # nothing to class: every cell secret or missing
    palette = classes.colours(n) if n else []
    index = classes.classify(rows["value"].to_numpy(dtype=float), bounds)
    values = {}
    for record, cls in zip(rows.to_dict("records"), index, strict=True):
        status = record["status"]
        values[record["territory_code"]] = {
            "name": record["territory_name"],
            "status": status,
            "value": None if status != "ok" or pd.isna(record["value"]) else float(record["value"]),
            "class": int(cls) if status == "ok" and n else None,
        }
    return MapState(
        method=method if method in classes.METHODS else "quantiles",
        count=n,
        bounds=bounds,
        colours=palette,
        values=values,
    )


def geojson(layer: GeometryLayer, state: MapState, indicator: Indicator, period: str) -> dict:
    """The level's layer with the published values joined (secret: no number)."""
    collection = json.loads(layer.geojson)
    for feature in collection["features"]:
        item = state.values.get(feature["properties"]["code"], {"status": "missing", "value": None})
        feature["properties"].update(
            {
                "indicator": indicator.code,
                "period": period,
                "value": item["value"],
                "status": item["status"],
                "unit": indicator.unit,
            }
        )
    return collection


def svg(
    layer: GeometryLayer,
    state: MapState,
    indicator: Indicator,
    period: str,
    level_label: str,
    snapshot: Snapshot | None,
    width: int = 900,
) -> str:
    """A standalone SVG map in Lambert-93 with real text, grouped layers,
    legend, title, source and date."""
    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    features = json.loads(layer.geojson)["features"]
    rings_by_feature = []
    xs, ys = [], []
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = []
        for polygon in polygons:
            for ring in polygon:
                lon, lat = np.asarray(ring).T
                x, y = to_l93.transform(lon, lat)
                rings.append((x, y))
                xs.append(x)
                ys.append(y)
        rings_by_feature.append((feature["properties"], rings))
    all_x, all_y = np.concatenate(xs), np.concatenate(ys)
    x0, x1, y0, y1 = all_x.min(), all_x.max(), all_y.min(), all_y.max()
    map_width = width * 0.68
    scale = map_width / (x1 - x0)
    map_height = (y1 - y0) * scale
    height = int(map_height + 140)

    def path(rings) -> str:
        parts = []
        for x, y in rings:
            px = (x - x0) * scale + 20
            py = (y1 - y) * scale + 80
            parts.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True)) + "Z")
        return "".join(parts)

    shapes = []
    for properties, rings in rings_by_feature:
        item = state.values.get(properties["code"], {"status": "missing", "value": None, "class": None})
        if item["status"] == "secret":
            fill = "url(#secret)"
        elif item["status"] != "ok" or item["class"] is None:
            fill = "#d9d9d9"
        else:
            fill = state.colours[item["class"]]
        label = f"{properties['name']} : " + (
            SECRET_LABEL
            if item["status"] == "secret"
            else MISSING_LABEL
            if item["value"] is None
            else f"{_fr(item['value'])} {indicator.unit}"
        )
        shapes.append(
            f'<path id="t-{escape(properties["code"])}" d="{path(rings)}" fill="{fill}">'
            f"<title>{escape(label)}</title></path>"
        )
    legend_x = map_width + 50
    legend = [f'<text x="{legend_x}" y="100" font-weight="bold">{escape(indicator.unit)}</text>']
    y = 120
    for item in state.legend(""):
        legend.append(
            f'<rect x="{legend_x}" y="{y}" width="18" height="14" fill="{item["colour"]}" stroke="#555"/>'
            f'<text x="{legend_x + 26}" y="{y + 12}">{escape(item["label"])}</text>'
        )
        y += 22
    legend.append(
        f'<rect x="{legend_x}" y="{y}" width="18" height="14" fill="url(#secret)" stroke="#555"/>'
        f'<text x="{legend_x + 26}" y="{y + 12}">{SECRET_LABEL}</text>'
    )
    legend.append(
        f'<rect x="{legend_x}" y="{y + 22}" width="18" height="14" fill="#d9d9d9" stroke="#555"/>'
        f'<text x="{legend_x + 26}" y="{y + 34}">{MISSING_LABEL}</text>'
    )
    date = snapshot.published_at.strftime("%d/%m/%Y") if snapshot and snapshot.published_at else ""
    sources = ", ".join(s.name for s in indicator.sources.all())
    demo = " — DONNÉES DE DÉMONSTRATION" if snapshot and snapshot.is_demo else ""
    method = classes.METHODS.get(state.method, state.method)
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"
 font-family="Arial, sans-serif" font-size="12" role="img" aria-labelledby="titre">
<defs><pattern id="secret" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#555555" stroke-width="2"/>
</pattern></defs>
<g id="titre-carte"><text id="titre" x="20" y="30" font-size="18" font-weight="bold">{escape(indicator.label)}</text>
<text x="20" y="52">{escape(level_label)}, {escape(period)} — classes : {escape(method)}{demo}</text></g>
<g id="territoires" stroke="#ffffff" stroke-width="0.5">{"".join(shapes)}</g>
<g id="legende">{"".join(legend)}</g>
<g id="source"><text x="20" y="{height - 20}" font-size="10">Source : {escape(sources)}. \
Plateforme sanitaire et sociale Hauts-de-France, publication du {date}. Projection Lambert-93.</text></g>
</svg>'''
