"""The pure steps of a publication run around the secrecy work: a
variable's observations as commune arrays, an indicator's published rows
over the geography, the audit of supplied values, and which indicators
must be recomputed together. Pure: frames and arrays in, frames out.

Indicators and variables are read through their attributes only (a model
object or anything alike): see each function for the ones it needs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .cells import Geography, period_years
from .frames import OK, IndicatorSpec, Rows, Series, indicator_frame

FRANCE, REGION = "france", "region"


def series_years(periods: Sequence[int]) -> list[int]:
    """The years of a variable's arrays: every year from the first observed
    to the last, so that a year missing in between is published as missing
    (and a pooled window never spans a gap)."""
    if not len(periods):
        return []
    return list(range(int(min(periods)), int(max(periods)) + 1))


def series_build(frame: pd.DataFrame, variable: Any, geo: Geography, age_bands: Sequence[str]) -> Series:
    """One variable's observations as arrays over the geography.

    frame: its observations (territory_id, period as a year, age_band, value,
    is_demo); rows of territories outside `geo` are ignored. variable: pk,
    code, by_age, is_value and source.secrecy_threshold. age_bands: the
    bands in array order (by-age variables). Years: series_years. Counts
    by age are stored sparse, an absent band is zero; otherwise an absent
    value is missing."""
    years = series_years([int(p) for p in frame["period"].unique()]) if len(frame) else []
    n_bands = len(age_bands) if variable.by_age else 1
    band_pos = {b: i for i, b in enumerate(age_bands)} if variable.by_age else {"": 0}
    year_pos = {y: i for i, y in enumerate(years)}
    rows = frame["territory_id"].map(geo.row_of)
    y = frame["period"].map(year_pos).to_numpy()
    b = frame["age_band"].map(band_pos).fillna(0).astype(int).to_numpy()
    values = frame["value"].to_numpy(dtype=np.float64)
    in_region = rows.notna().to_numpy()
    r = rows.fillna(-1).astype(int).to_numpy()
    everywhere = np.zeros((len(geo.ids), len(years), n_bands))
    # age-band series are stored sparse: an absent band is zero
    default = 0.0 if variable.by_age else np.nan
    everywhere[:] = default
    everywhere[r[in_region], y[in_region], b[in_region]] = values[in_region]
    is_france = (frame["territory_id"] == geo.france_id).to_numpy()
    france = np.full((len(years), n_bands), default)
    france[y[is_france], b[is_france]] = values[is_france]
    units = everywhere[: geo.n_communes]
    missing: np.ndarray = np.asarray(np.isnan(units).any(axis=2))
    return Series(
        variable_id=variable.pk,
        code=variable.code,
        threshold=variable.source.secrecy_threshold,
        by_age=variable.by_age,
        is_value=variable.is_value,
        years=years,
        units=np.nan_to_num(units),
        france=france,
        missing=missing,
        supplied=everywhere if variable.is_value else None,
        demo=bool(frame["is_demo"].any()) if len(frame) else False,
    )


def _region_row(geo: Geography, rows: np.ndarray) -> int | None:
    found = np.flatnonzero(geo.levels[rows] == REGION)
    return int(found[0]) if len(found) else None


def public_frame(
    spec: IndicatorSpec, levels: Sequence[str], series: dict[int, Series], geo: Geography, masks: dict[int, dict]
) -> pd.DataFrame:
    """Every published row of one indicator: its `levels` plus France, every
    period. masks: the public masks {variable id: {(kind, row, period,
    ages): suppressed}}."""
    rows = np.flatnonzero(np.isin(geo.levels, [lv for lv in levels if lv != FRANCE]))
    territory_rows = Rows(
        G=geo.G[rows],
        ids=geo.ids[rows],
        codes=geo.codes[rows],
        names=geo.names[rows],
        levels=geo.levels[rows],
        region=_region_row(geo, rows),
    )
    return indicator_frame(
        spec, series, territory_rows, masks, [int(r) for r in rows], supplied_rows=rows, france_id=geo.france_id
    )


def value_release_check(
    frames: dict[str, pd.DataFrame], specs: list[IndicatorSpec], series: dict[int, Series], geo: Geography
) -> list[str]:
    """Every published supplied value rests on at least its release base:
    the audit of value indicators (a failure refuses the snapshot).
    frames: {indicator code: its public_frame}. Returns the problems, in
    French."""
    problems = []
    for spec in specs:
        frame = frames.get(spec.code)
        if spec.kind != "value" or frame is None or not spec.release_threshold:
            continue
        base = series.get(spec.release_base_id) if spec.release_base_id is not None else None
        shown = frame[(frame["status"] == OK) & (frame["level"] != FRANCE)]
        if base is None:
            if len(shown):
                problems.append(f"{spec.code}: base de diffusion absente")
            continue
        rows = shown["territory_id"].map(geo.row_of).to_numpy(dtype=np.int64)
        floor = max(spec.release_threshold, base.threshold)
        for period, index in shown.groupby("period").indices.items():
            years = period_years(str(period))
            positions = [base.years.index(y) for y in years if y in base.years]
            counts = np.asarray(geo.G[rows[index]] @ base.units[:, positions, :].sum(axis=(1, 2))).ravel()
            counts = counts / max(1, len(positions))
            low = int((counts < floor).sum())
            if low:
                problems.append(f"{spec.code} {period}: {low} valeur(s) sous la base de diffusion")
    return problems


def indicators_sharing(indicators: list, codes: list[str]) -> list:
    """The given indicators and every indicator sharing a variable with them,
    transitively: a variable's secrecy mask must be the same for all its
    indicators, so they are recomputed together. indicators: code,
    numerator_id, denominator_id, release_base_id."""
    selected = {i.code for i in indicators if i.code in codes}
    variables: set[int] = set()
    changed = True
    while changed:
        changed = False
        for indicator in indicators:
            mine = {indicator.numerator_id, indicator.denominator_id, indicator.release_base_id} - {None}
            if indicator.code in selected and not mine <= variables:
                variables |= mine
                changed = True
            elif indicator.code not in selected and mine & variables:
                selected.add(indicator.code)
                changed = True
    return [i for i in indicators if i.code in selected]
