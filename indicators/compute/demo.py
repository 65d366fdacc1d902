"""Demonstration values: seeded, plausible counts for every commune, scaled
on the real populations. Pure: frames in, frames out.

Every generated number is labelled as demonstration data downstream; these
functions only have to make them plausible (small communes give small
counts, proportions never exceed their denominators, deaths follow an age
profile with the region's known excess mortality)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .ages import AGE_BANDS

#: Share of the population by age band, Hauts-de-France-like (sums to 1).
POPULATION_PROFILE = (
    np.array(
        [
            5.9,
            6.3,
            6.5,
            6.4,
            5.9,
            5.9,
            6.2,
            6.2,
            6.1,
            6.6,
            6.7,
            6.6,
            6.2,
            5.7,
            4.9,
            3.3,
            2.6,
            1.5,
            0.5,
        ]
    )
    / 100
)
#: Deaths per person-year by age band (France-like); the region is scaled up.
DEATH_RATES = np.array(
    [
        0.0008,
        0.0001,
        0.0001,
        0.0003,
        0.0005,
        0.0006,
        0.0007,
        0.0010,
        0.0015,
        0.0025,
        0.0040,
        0.0062,
        0.0092,
        0.0130,
        0.0195,
        0.0320,
        0.0580,
        0.1080,
        0.2400,
    ]
)
YEARS = {"annual": list(range(2018, 2023)), "long": list(range(2014, 2023))}


def seed_for(*parts: str) -> int:
    """A stable seed from names (so a rerun generates the same values)."""
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "little")


def commune_factors(n: int, spread: float, seed: int) -> np.ndarray:
    """Lognormal factors of mean 1 giving communes their own level."""
    if spread <= 0:
        return np.ones(n)
    rng = np.random.default_rng(seed)
    return rng.lognormal(-(spread**2) / 2, spread, n)


def year_trend(years: list[int], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    growth = rng.uniform(-0.02, 0.02)
    return np.array([(1 + growth) ** (y - 2020) for y in years])


def generate_counts(
    population: np.ndarray, spec: dict, years: list[int], code: str, parent: np.ndarray | None = None
) -> np.ndarray:
    """Counts of one variable without age bands: (n_communes, n_years).

    spec: {"per_inhabitant": r, "spread": s} → Poisson(population × r × factor × trend)
          (exactly the population when r == 1 and s == 0), or
          {"share_of": ..., "share": p, "spread": s} with `parent` the parent's
          counts → Binomial(parent, p × factor)."""
    rng = np.random.default_rng(seed_for(code, "counts"))
    factors = commune_factors(len(population), spec.get("spread", 0.0), seed_for(code, "factors"))
    if "share_of" in spec:
        if parent is None:
            raise ValueError(f"{code}: a share of another variable needs that variable's counts")
        p = np.clip(spec["share"] * factors, 0, 1)[:, None]
        return rng.binomial(parent.astype(np.int64), np.broadcast_to(p, parent.shape))
    trend = year_trend(years, seed_for(code, "trend"))
    expected = population[:, None] * spec["per_inhabitant"] * factors[:, None] * trend[None, :]
    if spec["per_inhabitant"] == 1.0 and spec.get("spread", 0.0) == 0.0:
        return np.rint(expected).astype(np.int64)
    return rng.poisson(expected)


def generate_population_by_age(population: np.ndarray, years: list[int], code: str) -> np.ndarray:
    """(n_communes, n_years, 19): each commune's population split by age with
    its own lean towards younger or older ages."""
    rng = np.random.default_rng(seed_for(code, "ages"))
    n = len(population)
    ageing = rng.normal(0, 0.25, n)
    tilt = np.exp(np.outer(ageing, np.linspace(-1, 1, len(AGE_BANDS))))
    profile = POPULATION_PROFILE[None, :] * tilt
    profile /= profile.sum(axis=1, keepdims=True)
    trend = year_trend(years, seed_for(code, "trend"))
    totals = np.rint(population[:, None] * trend[None, :]).astype(np.int64)
    out = np.empty((n, len(years), len(AGE_BANDS)), dtype=np.int64)
    for j in range(len(years)):
        out[:, j, :] = rng.multinomial(totals[:, j], profile) if n else 0
    return out


def generate_deaths_by_age(population_by_age: np.ndarray, spec: dict, code: str, excess: float = 1.12) -> np.ndarray:
    """(n_communes, n_years, 19) deaths: Poisson(pop × rate(age) × excess × factor)."""
    rng = np.random.default_rng(seed_for(code, "deaths"))
    factors = commune_factors(population_by_age.shape[0], spec.get("spread", 0.15), seed_for(code, "factors"))
    expected = population_by_age * DEATH_RATES[None, None, :] * excess * factors[:, None, None]
    return rng.poisson(expected)


def generate_share_by_age(parent: np.ndarray, spec: dict, code: str) -> np.ndarray:
    rng = np.random.default_rng(seed_for(code, "share"))
    factors = commune_factors(parent.shape[0], spec.get("spread", 0.0), seed_for(code, "factors"))
    p = np.clip(spec["share"] * factors, 0, 1)[:, None, None]
    return rng.binomial(parent, np.broadcast_to(p, parent.shape))


def generate_values(n: int, spec: dict, years: list[int], code: str) -> np.ndarray:
    """Values supplied as is (medians, indices): (n, n_years), a commune level
    plus a small common drift."""
    rng = np.random.default_rng(seed_for(code, "values"))
    level = rng.normal(spec["value_mean"], spec["value_sd"], n)
    drift = year_trend(years, seed_for(code, "trend"))
    return np.round(np.clip(level, 0, None)[:, None] * drift[None, :], 1)


def weighted_means(values: np.ndarray, weights: np.ndarray, membership: sp.csr_matrix) -> np.ndarray:
    """Population-weighted means of commune values over groups (membership:
    sparse groups × communes), as a provider would publish them per level."""
    weighted = membership @ (values * weights[:, None])
    total = np.asarray(membership @ weights).ravel()[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.round(np.where(total > 0, weighted / total, np.nan), 1)


def long_frame(
    array: np.ndarray, territory_ids: np.ndarray, years: list[int], by_age: bool, drop_zeros: bool
) -> pd.DataFrame:
    """Flatten (territory, year[, band]) arrays to rows: territory_id, period,
    age_band, value."""
    t: np.ndarray  # territory and year positions, 3-D or 2-D
    y: np.ndarray
    if by_age:
        t, y, b = np.meshgrid(
            np.arange(array.shape[0]), np.arange(array.shape[1]), np.arange(array.shape[2]), indexing="ij"
        )
        frame = pd.DataFrame(
            {
                "territory_id": territory_ids[t.ravel()],
                "period": np.asarray(years)[y.ravel()],
                "age_band": np.asarray(AGE_BANDS, dtype=object)[b.ravel()],
                "value": array.ravel().astype(np.float64),
            }
        )
    else:
        t, y = np.meshgrid(np.arange(array.shape[0]), np.arange(array.shape[1]), indexing="ij")
        frame = pd.DataFrame(
            {
                "territory_id": territory_ids[t.ravel()],
                "period": np.asarray(years)[y.ravel()],
                "age_band": "",
                "value": array.ravel().astype(np.float64),
            }
        )
    if drop_zeros:
        frame = frame[frame["value"] != 0]
    return frame.reset_index(drop=True)
