"""Figures of territories built by partners from communes, computed with the
engine's own formulas from the commune counts kept beside the published
snapshot, and protected: a territory is shown only if its count passes the
primary threshold and if, added to every sum already public (published
aggregates, the organisation's earlier territories), it gives away no secret
commune value by differencing. Access is checked by the caller
(indicators.published.own_territory_values)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .choices import IndicatorKind, TerritoryLevel, ValueStatus
from .compute.differencing import newly_determined
from .compute.secrecy import primary_secret
from .models import Indicator, Snapshot, Territory
from .publication import VALUE_COLUMNS, indicator_periods, units_read

OWN_LEVEL = "territoire_personnalise"


@dataclass
class _Geo:
    """The slice of publication.Geography that _period_frame reads."""

    G: sp.csr_matrix
    ids: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    levels: np.ndarray
    france_id: int


@lru_cache(maxsize=4)
def _aggregates(commune_codes: tuple[str, ...]) -> tuple[dict[tuple[str, str], np.ndarray], dict[str, str]]:
    """(level, code) → member commune indices for every published aggregate,
    and commune code → name."""
    column = {code: i for i, code in enumerate(commune_codes)}
    communes = Territory.objects.filter(level=TerritoryLevel.COMMUNE).values_list(
        "code", "name", "epci__code", "departement__code")
    members: dict[tuple[str, str], list[int]] = {}
    names = {}
    for code, name, epci, dep in communes:
        if code not in column:
            continue
        names[code] = name
        for key in ((TerritoryLevel.EPCI, epci), (TerritoryLevel.DEPARTEMENT, dep)):
            members.setdefault(key, []).append(column[code])
    region = Territory.objects.filter(level=TerritoryLevel.REGION).values_list("code", flat=True).first()
    members[(TerritoryLevel.REGION, region)] = list(range(len(commune_codes)))
    through = Territory.members.through.objects.values_list(
        "from_territory__level", "from_territory__code", "to_territory__code")
    for level, code, commune in through:
        if commune in column:
            members.setdefault((level, code), []).append(column[commune])
    return {k: np.array(v) for k, v in members.items()}, names


def own_figures(*, snapshot: Snapshot, indicator: Indicator, territories: list, published: pd.DataFrame,
                period: str | None = None) -> pd.DataFrame:
    """Rows (ROW_FIELDS + reason) for `territories` (the organisation's own,
    in creation order: earlier ones are public before later ones), every
    period or one. `published` is the indicator's published frame."""
    if not territories:
        return pd.DataFrame()
    loaded = units_read(snapshot.directory, indicator.numerator)
    den_loaded = units_read(snapshot.directory, indicator.denominator) if indicator.denominator_id else None
    if indicator.kind == IndicatorKind.VALUE or loaded is None or (indicator.denominator_id and den_loaded is None):
        return _not_computable(territories, period, published)
    num, commune_codes = loaded
    den = den_loaded[0] if den_loaded else None
    column = {str(code): i for i, code in enumerate(commune_codes)}
    rows, cols = [], []
    for r, territory in enumerate(territories):
        for code in territory.commune_codes:
            if code in column:
                rows.append(r)
                cols.append(column[code])
    G = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(territories), len(commune_codes)))
    geo = _Geo(G=G, ids=np.array([-t.pk for t in territories]), codes=np.array([f"perso-{t.pk}" for t in territories]),
               names=np.array([t.name for t in territories], dtype=object),
               levels=np.array([OWN_LEVEL] * len(territories), dtype=object), france_id=0)
    from .publication import _period_frame

    aggregates, names = _aggregates(tuple(str(c) for c in commune_codes))
    thresholds = [v.source.secrecy_threshold for v in (indicator.numerator, indicator.denominator) if v is not None]
    frames = []
    for label, years in indicator_periods(indicator, num.years):
        if period and label != period:
            continue
        if den is not None and any(y not in den.years for y in years):
            continue
        frame = _period_frame(indicator, num, den, geo, np.arange(len(territories)), label, years, {})
        frame = frame.iloc[:-1].reset_index(drop=True)  # France comes from the published rows
        frame["reason"] = ""
        _protect(frame, G, published[published["period"] == label], aggregates, names, commune_codes,
                 num, years, indicator, max(thresholds))
        frames.append(frame)
    if not frames:
        return pd.DataFrame()
    result = pd.concat(frames, ignore_index=True)
    result["level"] = OWN_LEVEL
    return result


def _protect(frame, G, published, aggregates, names, commune_codes, num, years, indicator, threshold) -> None:
    """Primary threshold, then differencing, in place."""
    from .compute import cells as cellmath

    index = [num.years.index(y) for y in years]
    bands = cellmath.band_mask(indicator.ages, num.units.shape[2])
    commune_counts = num.units[:, index][:, :, bands].sum(axis=(1, 2))
    commune_rows = published[published["level"] == TerritoryLevel.COMMUNE]
    unknown = primary_secret(commune_counts, threshold)
    secret_codes = set(commune_rows.loc[commune_rows["status"] == ValueStatus.SECRET, "territory_code"])
    unknown |= np.isin(np.asarray(commune_codes).astype(str), list(secret_codes))
    unknown_index = np.flatnonzero(unknown)
    position = {int(c): i for i, c in enumerate(unknown_index)}

    def over_unknown(members: np.ndarray) -> np.ndarray:
        row = np.zeros(len(unknown_index))
        for m in members:
            if int(m) in position:
                row[position[int(m)]] = 1.0
        return row

    ok = published[(published["status"] == ValueStatus.OK)
                   & ~published["level"].isin([TerritoryLevel.COMMUNE, TerritoryLevel.FRANCE])]
    known = [over_unknown(aggregates[(lv, code)]) for lv, code in zip(ok["level"], ok["territory_code"], strict=True)
             if (lv, code) in aggregates]
    known = [r for r in known if r.any()]
    known = np.array(known).reshape(len(known), len(unknown_index))
    for r in range(len(frame)):
        if frame.at[r, "status"] != ValueStatus.OK:
            continue
        counts = [frame.at[r, "numerator"]] + ([frame.at[r, "denominator"]] if indicator.kind != IndicatorKind.COUNT else [])
        if primary_secret(np.array([c for c in counts if np.isfinite(c)]), threshold).any():
            _hide(frame, r, "effectif inférieur au seuil du secret statistique")
            continue
        candidate = over_unknown(G[r].indices)
        if len(unknown_index) and candidate.any():
            given_away = newly_determined(known, candidate)
            if given_away.any():
                communes = sorted(names.get(str(commune_codes[unknown_index[i]]), "?") for i in np.flatnonzero(given_away))
                _hide(frame, r, "la valeur secrète de " + ", ".join(communes[:5]) + (" …" if len(communes) > 5 else "")
                      + " se déduirait par différence avec les chiffres déjà publiés")
                continue
            known = np.vstack([known, candidate[None, :]])


def _hide(frame: pd.DataFrame, r: int, reason: str) -> None:
    frame.loc[r, [c for c in VALUE_COLUMNS if c in frame]] = np.nan
    frame.loc[r, "significance"] = ""
    frame.loc[r, "status"] = ValueStatus.SECRET
    frame.loc[r, "reason"] = reason


def _not_computable(territories, period, published) -> pd.DataFrame:
    periods = [period] if period else sorted(published["period"].unique()) if len(published) else []
    return pd.DataFrame([{
        "territory_code": f"perso-{t.pk}", "territory_name": t.name, "level": OWN_LEVEL, "period": p,
        **{c: np.nan for c in VALUE_COLUMNS}, "significance": "", "status": ValueStatus.MISSING, "demo": False,
        "reason": "indicateur non additif : il ne se calcule pas pour un territoire personnalisé",
    } for t in territories for p in periods])
