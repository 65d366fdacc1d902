"""Epidemiological statistics: proportions, crude rates, directly and indirectly
standardised rates/ratios with their confidence intervals, and pooling of
several years of counts.

The methods are those of the English public-health profiles (Fingertips,
"Technical guide: confidence intervals"), implemented here from the textbook
formulas:

* proportions: Wilson score interval (Wilson 1927);
* counts of events: exact Poisson interval (Garwood 1936, via chi-square
  quantiles) below 10 events, Byar's approximation (Breslow & Day 1987) from
  10 events on;
* directly standardised rates: Dobson et al. (1991), i.e. the interval of the
  total count rescaled by the variance of the weighted sum;
* indirectly standardised ratios: interval of the observed count divided by the
  expected count.

Everything is vectorised: inputs are numpy arrays or pandas Series (one element
per territory, or (n_territories, n_age_bands) arrays for standardisation) and
the outputs are numpy arrays or DataFrames aligned with the inputs (row i of
the output belongs to element/row i of the input; pandas indexes are not
carried over). Missing or meaningless inputs (NaN, zero denominators) give NaN
outputs, never exceptions or runtime warnings. Counts may be non-integer (e.g.
averages of pooled years); the formulas extend continuously.

``confidence`` is a two-sided level as a fraction (0.95, 0.998), never a
percentage.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

ArrayLike = np.ndarray | pd.Series | Sequence[float] | float

#: Two-sided 95 % standard normal quantile (1.959963984540054).
Z95: float = float(stats.norm.ppf(0.975))

#: Events below which counts get the exact Poisson interval (and from which on
#: Byar's approximation): Fingertips rule, "exact below 10, Byar from 10".
EXACT_BELOW = 10

#: European Standard Population 2013, 19 five-year bands 0-4, 5-9, ..., 85-89,
#: 90+ (persons, total 100 000).
ESP2013: np.ndarray = np.array(
    [
        5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
        7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
    ],
    dtype=float,
)  # fmt: skip

SIGNIFICANCE_HIGHER = "higher"
SIGNIFICANCE_LOWER = "lower"
SIGNIFICANCE_SIMILAR = "similar"


def _as_float(values: ArrayLike) -> np.ndarray:
    """Float ndarray view of the input (pandas NA -> NaN)."""
    if isinstance(values, pd.Series | pd.DataFrame):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(values, dtype=float)


def _z(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level in (0, 1)."""
    _check_confidence(confidence)
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be a fraction in (0, 1), got {confidence!r}")


def wilson_interval(
    numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion, as proportions (0..1).

    numerator: number of cases (``x``), denominator: population at risk (``n``),
    same shape (or broadcastable). Assumes 0 <= x <= n and n > 0; otherwise
    (including NaN or 0/0) both limits are NaN. Non-integer ``x`` is accepted
    (the formula is continuous in x).

    Limits: (2x + z² ± z·sqrt(z² + 4x(1 - x/n))) / (2(n + z²)).
    """
    x = _as_float(numerator)
    n = _as_float(denominator)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = (n > 0) & (x >= 0) & (x <= n)
        p = x / n
        centre = 2 * x + z * z
        half = z * np.sqrt(z * z + 4 * x * (1 - p))
        scale = 2 * (n + z * z)
        lower = np.where(valid, (centre - half) / scale, np.nan)
        upper = np.where(valid, (centre + half) / scale, np.nan)
    # x = 0 and x = n give exactly 0 and 1 analytically; remove rounding dust.
    lower = np.where(valid & (x == 0), 0.0, lower)
    upper = np.where(valid & (x == n), 1.0, upper)
    return lower, upper


def byar_interval(count: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation of the Poisson interval for a count (limits on the count).

    count: observed number of events O >= 0 (negative or NaN -> NaN limits).

    lower = O·(1 - 1/(9O) - z/(3·sqrt(O)))³,
    upper = (O+1)·(1 - 1/(9(O+1)) + z/(3·sqrt(O+1)))³.

    For O = 0 the lower limit is 0. For very small counts at high confidence
    (e.g. O = 1 at 99.8 %) the bracket of the lower limit is negative: the
    approximation breaks down and the lower limit is NaN (as in the reference
    implementation); use :func:`poisson_count_interval`, which takes the exact
    interval there.
    """
    o = _as_float(count)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = o >= 0
        base_low = 1 - 1 / (9 * o) - z / (3 * np.sqrt(o))
        lower = np.where(base_low >= 0, o * base_low**3, np.nan)
        lower = np.where(o == 0, 0.0, lower)
        o1 = o + 1
        upper = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    return np.where(valid, lower, np.nan), np.where(valid, upper, np.nan)


def exact_poisson_interval(count: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood, chi-square) Poisson interval for a count (limits on the count).

    count: observed number of events O >= 0 (negative or NaN -> NaN limits).

    lower = χ²_{α/2}(2O) / 2 (0 when O = 0), upper = χ²_{1-α/2}(2O + 2) / 2,
    with α = 1 - confidence. Computed through the equivalent inverse regularised
    incomplete gamma function (χ²_p(2k)/2 = Γ⁻¹(k, p)), which is what the
    chi-square quantile evaluates.
    """
    o = _as_float(count)
    _check_confidence(confidence)
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = o >= 0
        safe = np.where(valid, o, np.nan)
        lower = np.where(safe > 0, special.gammaincinv(np.where(safe > 0, safe, 1), alpha / 2), 0.0)
        upper = special.gammaincinv(safe + 1, 1 - alpha / 2)
    return np.where(valid, lower, np.nan), np.where(valid, upper, np.nan)


def poisson_count_interval(count: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Interval for a Poisson count, the Fingertips rule (limits on the count).

    Exact (Garwood) interval for counts below 10 (0..9), Byar's approximation
    from 10 events on. NaN or negative counts -> NaN limits.
    """
    o = _as_float(count)
    exact_low, exact_high = exact_poisson_interval(o, confidence)
    byar_low, byar_high = byar_interval(o, confidence)
    small = o < EXACT_BELOW
    return np.where(small, exact_low, byar_low), np.where(small, exact_high, byar_high)


def proportion(
    numerator: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 100,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Proportion with Wilson score limits.

    numerator: cases, denominator: population at risk (same length). Returns a
    DataFrame (one row per input element, RangeIndex) with columns value,
    ci_low, ci_high, all times ``multiplier`` (100 = percentage, 1 = proportion
    of 1). 0/0, NaN, n <= 0, x < 0 or x > n give NaN on the whole row.
    """
    x = _as_float(numerator)
    n = _as_float(denominator)
    lower, upper = wilson_interval(x, n, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(np.isnan(lower), np.nan, x / n)
    return pd.DataFrame(
        {
            "value": np.atleast_1d(value * multiplier),
            "ci_low": np.atleast_1d(lower * multiplier),
            "ci_high": np.atleast_1d(upper * multiplier),
        }
    )


def crude_rate(
    numerator: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude rate with Poisson limits (exact below 10 events, Byar from 10).

    numerator: events, denominator: population or person-years (same length).
    value = numerator / denominator × multiplier; limits are those of
    :func:`poisson_count_interval` on the numerator, divided by the denominator
    and times multiplier. Returns value, ci_low, ci_high (RangeIndex). NaN
    inputs, a negative numerator or a denominator <= 0 give NaN on the row.
    The numerator may exceed the denominator (recurrent events).
    """
    x = _as_float(numerator)
    n = _as_float(denominator)
    lower, upper = poisson_count_interval(x, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = (n > 0) & (x >= 0)
        scale = np.where(valid, multiplier / n, np.nan)
    return pd.DataFrame(
        {
            "value": np.atleast_1d(x * scale),
            "ci_low": np.atleast_1d(lower * scale),
            "ci_high": np.atleast_1d(upper * scale),
        }
    )


def _check_non_negative(name: str, values: np.ndarray) -> None:
    if np.any(values < 0):  # NaN compares False
        raise ValueError(f"{name} must not be negative")


def directly_standardised_rate(
    counts: np.ndarray,
    populations: np.ndarray,
    standard: np.ndarray,
    multiplier: float = 100_000,
    confidence: float = 0.95,
    *,
    min_count: float = EXACT_BELOW,
) -> pd.DataFrame:
    """Directly standardised rate (DSR) with Dobson confidence limits.

    counts, populations: 2-D arrays (n_areas, n_age_bands) of events and
    population (or person-years) per age band; standard: (n_age_bands,) the
    standard population of the same bands (e.g. :data:`ESP2013`; any scale,
    only the proportions matter).

    DSR = Σ wᵢ·cᵢ/nᵢ / Σ wᵢ × multiplier. Its variance is
    V = Σ wᵢ²·cᵢ/nᵢ² / (Σ wᵢ)², and with the total count O = Σ cᵢ and
    (O_L, O_U) its Poisson interval (:func:`poisson_count_interval`, so Byar
    for the usual O >= 10), the Dobson limits are
    DSR + sqrt(V/O)·(O_L - O) and DSR + sqrt(V/O)·(O_U - O) (times multiplier).

    Returns one row per area: value, ci_low, ci_high, total_count, total_pop.

    Assumptions / edge cases:

    * NaN counts are taken as 0 events and NaN populations as 0 persons
      (missing band = nothing observed there); total_count and total_pop are
      the sums on that basis.
    * A band with no population and no events contributes nothing. A band with
      events but no population makes the area's rate undefined: NaN.
    * Fingertips suppresses DSRs on fewer than 10 events (unreliable): value
      and limits are NaN when total_count < ``min_count`` (keyword-only,
      default 10; pass 0 to always compute, then the exact interval of the
      total count is used below 10 events and a zero total count gives 0 with
      NaN limits, since the Dobson scaling sqrt(V/O) is undefined).
    * Negative counts, populations or standard weights raise ValueError.
    """
    c = np.atleast_2d(_as_float(counts))
    n = np.atleast_2d(_as_float(populations))
    w = _as_float(standard)
    if c.shape != n.shape:
        raise ValueError(f"counts {c.shape} and populations {n.shape} differ in shape")
    if w.shape != (c.shape[1],):
        raise ValueError(f"standard {w.shape} does not match {c.shape[1]} age bands")
    for name, values in (("counts", c), ("populations", n), ("standard", w)):
        _check_non_negative(name, values)
    if np.isnan(w).any() or not w.sum() > 0:
        raise ValueError("standard must be finite with a positive total")

    c = np.nan_to_num(c, nan=0.0)
    n = np.nan_to_num(n, nan=0.0)
    weights = w / w.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        undefined = ((n == 0) & (c > 0)).any(axis=1)
        band_rate = np.where(n > 0, c / n, 0.0)
        band_var = np.where(n > 0, c / (n * n), 0.0)
        dsr = band_rate @ weights
        variance = band_var @ (weights * weights)
        total_count = c.sum(axis=1)
        total_pop = n.sum(axis=1)
        count_low, count_high = poisson_count_interval(total_count, confidence)
        dobson = np.sqrt(variance / total_count)
        lower = dsr + dobson * (count_low - total_count)
        upper = dsr + dobson * (count_high - total_count)
    suppressed = undefined | (total_count < min_count)
    return pd.DataFrame(
        {
            "value": np.where(suppressed, np.nan, dsr * multiplier),
            "ci_low": np.where(suppressed, np.nan, lower * multiplier),
            "ci_high": np.where(suppressed, np.nan, upper * multiplier),
            "total_count": total_count,
            "total_pop": total_pop,
        }
    )


def indirectly_standardised_ratio(
    counts: np.ndarray,
    populations: np.ndarray,
    reference_rates: np.ndarray,
    multiplier: float = 100,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Indirectly standardised ratio (SMR; "indice comparatif", ICM) with limits.

    counts, populations: (n_areas, n_age_bands) observed events and population
    (or person-years) per age band; reference_rates: (n_age_bands,) age-specific
    rates of the reference population in events per person (not per 100 000),
    e.g. reference counts / reference population.

    observed = Σ counts, expected = Σ populations × reference_rates,
    value = observed / expected × multiplier (100: the reference is 100).
    Limits: :func:`poisson_count_interval` of the observed count (exact below
    10, Byar from 10) divided by expected, × multiplier. significance is
    :func:`compare_to_reference` of the limits against ``multiplier``:
    'higher' | 'lower' | 'similar' ('' when the limits are NaN).

    NaN counts or populations count as 0 (missing band); NaN reference rates
    make expected NaN only where the band has population. expected = 0 gives
    NaN value and limits. Negative inputs raise ValueError.

    To get an indirectly standardised *rate*, multiply the ratio computed with
    multiplier=1 by the crude rate of the reference population.
    """
    c = np.atleast_2d(_as_float(counts))
    n = np.atleast_2d(_as_float(populations))
    r = _as_float(reference_rates)
    if c.shape != n.shape:
        raise ValueError(f"counts {c.shape} and populations {n.shape} differ in shape")
    if r.shape != (c.shape[1],):
        raise ValueError(f"reference_rates {r.shape} does not match {c.shape[1]} age bands")
    for name, values in (("counts", c), ("populations", n), ("reference_rates", r)):
        _check_non_negative(name, values)

    observed = np.nansum(c, axis=1)
    n = np.nan_to_num(n, nan=0.0)
    with np.errstate(invalid="ignore"):
        expected = np.where(n > 0, n * r, 0.0).sum(axis=1)
    count_low, count_high = poisson_count_interval(observed, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(expected > 0, multiplier / expected, np.nan)
    lower = count_low * scale
    upper = count_high * scale
    return pd.DataFrame(
        {
            "observed": observed,
            "expected": expected,
            "value": observed * scale,
            "ci_low": lower,
            "ci_high": upper,
            "significance": compare_to_reference(lower, upper, multiplier),
        }
    )


def compare_to_reference(ci_low: ArrayLike, ci_high: ArrayLike, reference_value: ArrayLike) -> np.ndarray:
    """Whether an interval lies entirely above or below a reference value.

    Returns an object array of 'higher' (ci_low > reference), 'lower'
    (ci_high < reference), 'similar' (the interval contains or touches the
    reference) or '' when any input is NaN. reference_value may be a scalar or
    an array aligned with the limits (e.g. the national value of each
    indicator).
    """
    low = _as_float(ci_low)
    high = _as_float(ci_high)
    ref = _as_float(reference_value)
    low, high, ref = np.broadcast_arrays(low, high, ref)
    missing = np.isnan(low) | np.isnan(high) | np.isnan(ref)
    with np.errstate(invalid="ignore"):
        result = np.select(
            [missing, low > ref, high < ref],
            [np.array(""), np.array(SIGNIFICANCE_HIGHER), np.array(SIGNIFICANCE_LOWER)],
            default=SIGNIFICANCE_SIMILAR,
        )
    return result.astype(object)


def pooled_counts(frame: pd.DataFrame, years: list[int], by: list[str], value_columns: list[str]) -> pd.DataFrame:
    """Sum value columns over several years, e.g. the events and person-years
    of the pooled period 2015-2019.

    frame: long table with a 'year' column, the grouping columns ``by`` (e.g.
    territory, sex, age band) and the additive ``value_columns`` (counts,
    populations). Several rows per group and year are all summed (finer
    breakdowns collapse into ``by``).

    Returns one row per group present anywhere in ``frame`` (columns ``by`` then
    ``value_columns``, sorted by ``by``). A group missing any of the requested
    years, or with a NaN value in a requested year, gets NaN in the affected
    columns (missing years make the sum non-comparable rather than smaller).
    """
    wanted = sorted(set(years))
    if not by:
        frame = frame.assign(_all=0)
        keys = ["_all"]
    else:
        keys = list(by)
    groups = frame[keys].drop_duplicates().sort_values(keys)
    index = pd.MultiIndex.from_frame(groups) if len(keys) > 1 else pd.Index(groups[keys[0]])

    selected = frame.loc[frame["year"].isin(wanted), [*keys, "year", *value_columns]]
    grouped = selected.groupby(keys, sort=False, dropna=False)
    sums = grouped[value_columns].sum().astype(float)
    has_nan = selected[value_columns].isna().groupby([selected[k] for k in keys], sort=False, dropna=False).any()
    complete = grouped["year"].nunique() == len(wanted)
    sums = sums.mask(has_nan.reindex(sums.index, fill_value=True))
    sums.loc[~complete.reindex(sums.index, fill_value=False)] = np.nan

    result = sums.reindex(index).reset_index()
    if not by:
        result = result.drop(columns="_all")
    return result[[*by, *value_columns]].reset_index(drop=True)
