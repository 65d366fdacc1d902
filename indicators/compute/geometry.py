"""Map geometry: repair, topology-preserving simplification and dissolution
of the commune coverage. Pure functions on shapely arrays; coordinates in
Lambert-93 (EPSG:2154, metres) unless a name says WGS84."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, mapping

LAMBERT_93 = "EPSG:2154"
WGS84 = "EPSG:4326"
#: Interior rings smaller than this (m²) are slivers left between communes
#: whose polygons do not meet exactly; real enclaves are far larger.
SLIVER_AREA_M2 = 200_000.0


def from_wkb_wgs84(wkb_hex: np.ndarray) -> np.ndarray:
    """Parse hex WKB in WGS84 into valid polygonal geometries in Lambert-93."""
    geoms = shapely.from_wkb(wkb_hex)
    projected = shapely.transform(
        geoms, Transformer.from_crs(WGS84, LAMBERT_93, always_xy=True).transform, interleaved=False
    )
    return np.array([_polygonal(g) for g in shapely.make_valid(projected)], dtype=object)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep the polygonal part of a repaired geometry (make_valid may add lines)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    return shapely.union_all(parts) if parts else Polygon()


def simplify_coverage(geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Simplify a polygon coverage keeping shared edges shared (no gaps or
    overlaps created between neighbours)."""
    simplified = shapely.coverage_simplify(geoms, tolerance=tolerance_m)
    return np.array([_polygonal(g) for g in shapely.make_valid(simplified)], dtype=object)


def drop_slivers(geom: shapely.Geometry, min_area_m2: float = SLIVER_AREA_M2) -> shapely.Geometry:
    """Remove interior rings smaller than min_area_m2 (holes left by the source
    polygons not meeting exactly)."""
    polygons = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    kept = [
        Polygon(p.exterior, [r for r in p.interiors if Polygon(r).area >= min_area_m2])
        for p in polygons
        if not p.is_empty
    ]
    kept = [p for p in kept if p.area >= min_area_m2 or len(kept) == 1]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def dissolve(geoms: np.ndarray, groups: pd.Series) -> pd.Series:
    """Union the geometries of each group (index: group key), slivers removed.
    `groups` is aligned with `geoms` and holds the group key of each one."""
    frame = pd.DataFrame({"group": groups.to_numpy(), "geom": geoms})
    return frame.groupby("group", sort=True)["geom"].agg(
        lambda parts: drop_slivers(_polygonal(shapely.union_all(np.asarray(parts.to_numpy()))))
    )


def to_wgs84_geojson(geoms: np.ndarray, precision: int = 4) -> list[dict | None]:
    """GeoJSON geometries in WGS84 with coordinates rounded to `precision`
    decimals (1e-4 degree is about 10 m here); None for empty geometries."""
    to_wgs84 = Transformer.from_crs(LAMBERT_93, WGS84, always_xy=True).transform
    projected = shapely.transform(np.asarray(geoms, dtype=object), to_wgs84, interleaved=False)
    rounded = shapely.set_precision(projected, 10**-precision)
    geometries: list[dict | None] = []
    for simple, exact in zip(rounded, projected, strict=True):
        chosen = exact if shapely.is_empty(simple) else simple
        geometries.append(None if shapely.is_empty(chosen) else mapping(chosen))
    return geometries


def feature_collection(features: list[tuple[str, str, dict | None]]) -> str:
    """Serialise (code, name, geometry) triples as a compact FeatureCollection."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geom}
                for code, name, geom in features
            ],
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )
