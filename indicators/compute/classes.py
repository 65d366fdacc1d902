"""Class breaks and colours for choropleth maps. Pure: values in, breaks out."""

from __future__ import annotations

import numpy as np

METHODS = {
    "quantiles": "Quantiles (effectifs égaux)",
    "jenks": "Seuils naturels (Fisher-Jenks)",
    "equal": "Amplitudes égales",
}
MIN_CLASSES, MAX_CLASSES = 3, 7
#: Colour-blind-safe sequential palettes (ColorBrewer YlGnBu and OrRd), 3 to 7 classes.
PALETTES = {
    "YlGnBu": ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    "OrRd": ["#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"],
}


def breaks(values: np.ndarray, method: str = "quantiles", count: int = 5) -> list[float]:
    """count + 1 ascending bounds covering the finite values (fewer when the
    values have fewer distinct levels). Unknown methods fall back to quantiles."""
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    count = max(MIN_CLASSES, min(MAX_CLASSES, int(count)))
    if data.size == 0:
        return []
    distinct = np.unique(data)
    if distinct.size <= count and method != "equal":
        return [float(v) for v in distinct] if distinct.size > 1 else [float(distinct[0])] * 2
    if method == "jenks":
        import jenkspy

        bounds = jenkspy.jenks_breaks(data, n_classes=count)
    elif method == "equal":
        bounds = np.linspace(data.min(), data.max(), count + 1)
    else:
        bounds = np.quantile(data, np.linspace(0, 1, count + 1))
    return [float(b) for b in np.unique(np.asarray(bounds, dtype=float))]


def classify(values: np.ndarray, bounds: list[float]) -> np.ndarray:
    """Class index (0-based) of each value; -1 for NaN (missing or secret)."""
    data = np.asarray(values, dtype=float)
    if len(bounds) < 2:
        return np.where(np.isfinite(data), 0, -1)
    # classes are (lower, upper], the first one closed: jenks breaks are upper bounds
    index = np.searchsorted(np.asarray(bounds[1:-1]), data, side="left")
    return np.where(np.isfinite(data), index, -1)


def colours(n_classes: int, palette: str = "YlGnBu") -> list[str]:
    """n colours spread over the palette, light to dark."""
    scale = PALETTES.get(palette, PALETTES["YlGnBu"])
    if n_classes <= 1:
        return [scale[len(scale) // 2]]
    picks = np.linspace(0, len(scale) - 1, n_classes).round().astype(int)
    return [scale[i] for i in picks]
