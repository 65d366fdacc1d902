"""The rows readers see: one indicator's values, intervals and
significance for rows of territories (a level, or the partners' own
territories), one period at a time, from the variables' commune counts.
Pure: arrays in, frames out.

A row is withheld (status secret) when a cell of its numerator or
denominator is suppressed, when a standardised rate rests on fewer than 10
events (Fingertips' rule: the rate would be unreliable, and saying so would
say the count is small), or when a supplied value's base is under its
source's release threshold. A withheld row carries no number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import cells as cellmath
from . import rates

VALUE_COLUMNS = ["value", "numerator", "denominator", "ci_low", "ci_high"]
OK, SECRET, MISSING = "ok", "secret", "missing"
COUNT, PROPORTION, CRUDE_RATE, DSR, ICM, VALUE = (
    "count",
    "proportion",
    "crude_rate",
    "standardised_rate",
    "icm",
    "value",
)
N_BANDS = 19


@dataclass
class Series:
    """One variable as arrays: communes (n_c, Y, B), France (Y, B), the
    aggregate values supplied as is for value variables, missing mask."""

    variable_id: int
    code: str
    threshold: int
    by_age: bool
    is_value: bool
    years: list[int]
    units: np.ndarray
    france: np.ndarray
    missing: np.ndarray
    supplied: np.ndarray | None
    demo: bool


class IndicatorLike(Protocol):
    """What IndicatorSpec.of reads of an indicator (the catalogue's model,
    which this pure module does not import)."""

    @property
    def code(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def multiplier(self) -> float: ...
    @property
    def ages(self) -> str: ...
    @property
    def period_kind(self) -> str: ...
    @property
    def pool_years(self) -> int | None: ...
    @property
    def numerator_id(self) -> int: ...
    @property
    def denominator_id(self) -> int | None: ...
    @property
    def release_base_id(self) -> int | None: ...
    @property
    def release_threshold(self) -> int | None: ...


@dataclass(frozen=True)
class IndicatorSpec:
    """What the formulas need of an indicator (no database object)."""

    code: str
    kind: str
    multiplier: float
    ages: str
    pool_years: int | None
    numerator_id: int
    denominator_id: int | None
    release_base_id: int | None = None
    release_threshold: int | None = None

    @classmethod
    def of(cls, indicator: IndicatorLike) -> IndicatorSpec:
        return cls(
            code=indicator.code,
            kind=indicator.kind,
            multiplier=indicator.multiplier,
            ages=indicator.ages or "",
            pool_years=indicator.pool_years if indicator.period_kind == "pooled" else None,
            numerator_id=indicator.numerator_id,
            denominator_id=indicator.denominator_id,
            release_base_id=indicator.release_base_id,
            release_threshold=indicator.release_threshold,
        )

    def periods(self, years: list[int]) -> list[tuple[str, list[int]]]:
        return cellmath.windows(years, self.pool_years)

    @property
    def variables(self) -> list[int]:
        return [v for v in (self.numerator_id, self.denominator_id) if v is not None]


@dataclass
class Rows:
    """The territories of a frame: a matrix over communes and their labels."""

    G: sp.csr_matrix
    ids: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    levels: np.ndarray
    region: int | None = None  # row of the region (ICM against the region)


def _sum_cells(s: Series, G: sp.csr_matrix, period_years: list[int], ages: str) -> tuple[np.ndarray, np.ndarray]:
    """(values, missing) over rows of G for a period and age restriction."""
    index = [s.years.index(y) for y in period_years if y in s.years]
    if len(index) < len(period_years):
        return np.full(G.shape[0], np.nan), np.ones(G.shape[0], bool)
    bands = cellmath.band_mask(ages, s.units.shape[2])
    values = cellmath.cell_counts(G, s.units, index, bands)
    missing = np.asarray(G @ np.asarray(s.missing[:, index].any(axis=1))).ravel() > 0
    return values, missing


def _by_age(s: Series, G: sp.csr_matrix, period_years: list[int], ages: str) -> np.ndarray:
    index = [s.years.index(y) for y in period_years]
    bands = cellmath.band_mask(ages, s.units.shape[2])
    return np.asarray(G @ s.units[:, index, :].sum(axis=1)[:, bands])


def _france_sum(s: Series, period_years: list[int], ages: str) -> float:
    index = [s.years.index(y) for y in period_years]
    return float(s.france[index][:, cellmath.band_mask(ages, s.france.shape[1])].sum())


def _france_by_age(s: Series, period_years: list[int], ages: str) -> np.ndarray:
    index = [s.years.index(y) for y in period_years]
    return s.france[index].sum(axis=0)[cellmath.band_mask(ages, s.france.shape[1])][None, :]


def period_frame(
    spec: IndicatorSpec,
    series: dict[int, Series],
    rows: Rows,
    label: str,
    period_years: list[int],
    secret: np.ndarray,
    supplied_rows: np.ndarray | None = None,
    france_code: str = "FR",
    france_id: int = 0,
) -> pd.DataFrame:
    """Rows of one indicator for one period: `rows` then France.

    secret: (n_rows,) bool, a cell of the numerator or denominator is
    suppressed for the row. supplied_rows: for a value indicator, the row
    of each territory in the supplied arrays (None: not computable, e.g. an
    own territory)."""
    num = series[spec.numerator_id]
    den = series.get(spec.denominator_id) if spec.denominator_id else None
    n = rows.G.shape[0]
    extra = {}
    withheld = np.zeros(n + 1, dtype=bool)
    if spec.kind == VALUE:
        index = [num.years.index(y) for y in period_years]
        if supplied_rows is None:
            mine = np.full(n, np.nan)
        elif num.supplied is None:
            raise ValueError(f"{spec.code}: a value indicator needs its variable's supplied values")
        else:
            mine = num.supplied[supplied_rows][:, index, 0].mean(axis=1)
        values = np.concatenate([mine, [num.france[index, 0].mean()]])
        result = pd.DataFrame(
            {"value": values, "numerator": np.nan, "denominator": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        )
        significance = np.full(n + 1, "", dtype=object)
        missing = np.isnan(values)
        base = series.get(spec.release_base_id) if spec.release_base_id else None
        if spec.release_threshold:
            # the source forbids release below its base: a base we lack
            # withholds too; never below the base's own secrecy threshold,
            # or a withheld value would prove a count small
            floor = max(spec.release_threshold, base.threshold if base else 0)
            counts = _sum_cells(base, rows.G, period_years, "")[0] / len(period_years) if base else np.full(n, np.nan)
            withheld[:n] = ~(counts >= floor)
    else:
        numerator, missing = _sum_cells(num, rows.G, period_years, spec.ages)
        numerator = np.append(numerator, _france_sum(num, period_years, spec.ages))
        missing = np.append(missing, False)
        if den is not None:
            denominator, den_missing = _sum_cells(den, rows.G, period_years, spec.ages)
            denominator = np.append(denominator, _france_sum(den, period_years, spec.ages))
            missing |= np.append(den_missing, False)
        else:
            denominator = np.full(n + 1, np.nan)
        if spec.kind == COUNT:
            # pooled counts are published as a yearly average ("nombre annuel moyen")
            result = pd.DataFrame({"value": numerator / len(period_years), "ci_low": np.nan, "ci_high": np.nan})
        elif spec.kind == PROPORTION:
            result = rates.proportion(numerator, denominator, spec.multiplier)
        elif spec.kind == CRUDE_RATE:
            result = rates.crude_rate(numerator, denominator, spec.multiplier)
        else:
            if den is None:
                raise ValueError(f"{spec.code}: a standardised rate or ratio needs a denominator")
            counts = np.vstack(
                [_by_age(num, rows.G, period_years, spec.ages), _france_by_age(num, period_years, spec.ages)]
            )
            pops = np.vstack(
                [_by_age(den, rows.G, period_years, spec.ages), _france_by_age(den, period_years, spec.ages)]
            )
            bands = cellmath.band_mask(spec.ages, N_BANDS)
            if spec.kind == DSR:
                result = rates.directly_standardised_rate(counts, pops, rates.ESP2013[bands], spec.multiplier)
                # fewer than 10 events: no rate, and the same marker as any secret
                withheld[:n] = numerator[:n] < rates.EXACT_BELOW
            else:
                with np.errstate(invalid="ignore", divide="ignore"):
                    france_rates = np.nan_to_num(counts[-1] / pops[-1])
                result = rates.indirectly_standardised_ratio(counts, pops, france_rates, spec.multiplier)
                if rows.region is not None:
                    r = rows.region
                    with np.errstate(invalid="ignore", divide="ignore"):
                        region_rates = np.nan_to_num(counts[r] / pops[r])
                    vs_region = rates.indirectly_standardised_ratio(counts, pops, region_rates, spec.multiplier)
                    extra = {
                        "value_vs_region": vs_region["value"].to_numpy(),
                        "significance_vs_region": vs_region["significance"].to_numpy(),
                    }
        result = result.reset_index(drop=True)
        result["numerator"] = numerator
        result["denominator"] = denominator
        missing = missing | ~np.isfinite(result["value"].to_numpy(dtype=float))
        if spec.kind == ICM:
            significance = result["significance"].fillna("").to_numpy(dtype=object)
        elif spec.kind == COUNT:
            significance = np.full(n + 1, "", dtype=object)
        else:
            france_value = result["value"].iloc[-1]
            significance = rates.compare_to_reference(
                result["ci_low"].to_numpy(), result["ci_high"].to_numpy(), france_value
            ).astype(object)
            significance[-1] = ""
    hidden = np.append(np.asarray(secret, dtype=bool), False) | withheld
    status = np.where(hidden, SECRET, np.where(missing, MISSING, OK))
    # a secret or missing row carries no number at all
    gone = status != OK
    columns = {
        "territory_id": np.append(rows.ids, france_id),
        "territory_code": np.append(rows.codes, france_code).astype(object),
        "territory_name": np.append(rows.names, "France").astype(object),
        "level": np.append(rows.levels, "france").astype(object),
        "period": np.full(n + 1, label, dtype=object),
    }
    for column in VALUE_COLUMNS:
        columns[column] = np.where(gone, np.nan, result[column].to_numpy(dtype=float))
    columns["significance"] = np.where(gone, "", np.asarray(significance, dtype=object)).astype(object)
    if "value_vs_region" in extra:
        columns["value_vs_region"] = np.where(gone, np.nan, np.asarray(extra["value_vs_region"], dtype=float))
        columns["significance_vs_region"] = np.where(
            gone, "", np.asarray(extra["significance_vs_region"], dtype=object)
        ).astype(object)
    columns["status"] = status.astype(object)
    columns["demo"] = np.full(n + 1, bool(num.demo or (den.demo if den is not None else False)))
    return pd.DataFrame(columns)


def hidden_index(masks: dict[int, dict], variables: list[int]) -> dict[int, dict[tuple[str, str], set]]:
    """{variable: {(period, ages): row keys suppressed}} from masks
    {variable: {(row key, period, ages): suppressed}}."""
    index: dict[int, dict[tuple[str, str], set]] = {}
    for variable_id in variables:
        blocks: dict[tuple[str, str], set] = {}
        for (key, period, ages), suppressed in (masks.get(variable_id) or {}).items():
            if suppressed:
                blocks.setdefault((period, ages), set()).add(key)
        index[variable_id] = blocks
    return index


def secret_rows(spec: IndicatorSpec, index: dict[int, dict], row_keys: list, label: str) -> np.ndarray:
    """(n_rows,) whether a cell of the numerator or denominator is
    suppressed (index: see hidden_index)."""
    secret = np.zeros(len(row_keys), dtype=bool)
    for variable_id in spec.variables:
        hidden = index.get(variable_id, {}).get((label, spec.ages))
        if hidden:
            secret |= np.fromiter((key in hidden for key in row_keys), dtype=bool, count=len(row_keys))
    return secret


def base_unpublished(spec: IndicatorSpec, masks: dict[int, dict], row_keys: list, label: str) -> np.ndarray:
    """(n_rows,) for a supplied value whose release base is itself a count
    the snapshot publishes: whether the base's cell of the row is not
    published (suppressed, or not a published cell). The value is then
    withheld, so that its status says no more than the base's mask does
    (else a value shown where the base is suppressed would prove that
    suppression secondary, a value withheld prove the base small). A base
    no indicator publishes gives nothing to compare: all False."""
    base_mask = masks.get(spec.release_base_id) if spec.release_base_id else None
    cells = [
        (key, suppressed)
        for (key, period, ages), suppressed in (base_mask or {}).items()
        if period == label and ages == ""
    ]
    if not cells:
        return np.zeros(len(row_keys), dtype=bool)
    published = {key for key, suppressed in cells if not suppressed}
    return np.fromiter((key not in published for key in row_keys), dtype=bool, count=len(row_keys))


def indicator_frame(
    spec: IndicatorSpec,
    series: dict[int, Series],
    rows: Rows,
    masks: dict[int, dict],
    row_keys: list,
    supplied_rows: np.ndarray | None = None,
    france_id: int = 0,
    period: str | None = None,
) -> pd.DataFrame:
    """Every period of one indicator for `rows` (plus France)."""
    num = series[spec.numerator_id]
    den = series.get(spec.denominator_id) if spec.denominator_id else None
    index = hidden_index(masks, spec.variables)
    frames = []
    for label, period_years in spec.periods(num.years):
        if period and label != period:
            continue
        if den is not None and any(y not in den.years for y in period_years):
            continue
        secret = secret_rows(spec, index, row_keys, label)
        if spec.kind == VALUE:
            secret = secret | base_unpublished(spec, masks, row_keys, label)
        frames.append(period_frame(spec, series, rows, label, period_years, secret, supplied_rows, france_id=france_id))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
