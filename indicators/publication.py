"""The publication run: recompute every indicator at every level from the
commune counts, enforce statistical secrecy, audit it, and publish an
immutable snapshot that becomes current atomically.

Order (selector → compute → save): observations and geography are read once;
pure functions aggregate, suppress, audit and compute rates; Parquet files
are written under a new snapshot directory; only then, in one transaction,
the snapshot becomes current. A run killed midway leaves the current
snapshot untouched; the next run marks the orphan as failed."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import time
import uuid
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import services
from .choices import (
    AGE_BANDS,
    BatchStatus,
    IndicatorKind,
    PeriodKind,
    SnapshotStatus,
    TerritoryLevel,
    ValueStatus,
)
from .compute import cells as cellmath
from .compute import rates
from .compute.demo import YEARS
from .compute.protect import SecrecyJob, protect
from .models import ImportBatch, Indicator, Snapshot, Territory, Variable
from .observation_store import observations_read
from .selectors import membership_matrix

log = logging.getLogger(__name__)

LEVEL_RANK = {level: rank for rank, level in enumerate(TerritoryLevel.values)}
VALUE_COLUMNS = ["value", "numerator", "denominator", "ci_low", "ci_high"]


def snapshots_root() -> Path:
    return Path(settings.PF2S_DATA_DIR) / "snapshots"


@dataclass
class Geography:
    """Territories in matrix order: communes first, then every aggregate."""

    ids: np.ndarray
    levels: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    G: sp.csr_matrix
    n_communes: int
    france_id: int
    row_of: dict[int, int] = field(default_factory=dict)


def geography_read() -> Geography:
    communes = list(Territory.objects.filter(level=TerritoryLevel.COMMUNE).order_by("code")
                    .values_list("id", flat=True))
    commune_ids = np.array(communes)
    aggregate_ids, M = membership_matrix(commune_ids)
    ids = np.concatenate([commune_ids, aggregate_ids])
    info = {pk: (lv, code, name) for pk, lv, code, name in
            Territory.objects.values_list("id", "level", "code", "name")}
    G = sp.vstack([sp.identity(len(commune_ids), format="csr"), M], format="csr")
    france = Territory.objects.get(level=TerritoryLevel.FRANCE)
    geo = Geography(
        ids=ids, levels=np.array([info[i][0] for i in ids], dtype=object),
        codes=np.array([info[i][1] for i in ids], dtype=object),
        names=np.array([info[i][2] for i in ids], dtype=object),
        G=G, n_communes=len(commune_ids), france_id=france.pk,
    )
    geo.row_of = {int(t): i for i, t in enumerate(ids)}
    return geo


@dataclass
class Series:
    """One variable as arrays: communes (n_c, Y, B), France (Y, B), the
    aggregate values supplied as is for value variables, missing mask."""

    variable: Variable
    years: list[int]
    units: np.ndarray
    france: np.ndarray
    missing: np.ndarray
    supplied: np.ndarray | None
    demo: bool


def series_build(frame: pd.DataFrame, variable: Variable, geo: Geography) -> Series:
    years = YEARS[variable.history]
    if len(frame):
        years = sorted(set(years) | set(int(p) for p in frame["period"].unique()))
    n_bands = len(AGE_BANDS) if variable.by_age else 1
    band_pos = {b: i for i, b in enumerate(AGE_BANDS)} if variable.by_age else {"": 0}
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
    units = everywhere[:geo.n_communes]
    missing = np.isnan(units).any(axis=2)
    return Series(variable=variable, years=years, units=np.nan_to_num(units), france=france,
                  missing=missing, supplied=everywhere if variable.is_value else None,
                  demo=bool(frame["is_demo"].any()) if len(frame) else False)


def _uses(indicators: list[Indicator]) -> dict[int, list[Indicator]]:
    uses = defaultdict(list)
    for indicator in indicators:
        uses[indicator.numerator_id].append(indicator)
        if indicator.denominator_id:
            uses[indicator.denominator_id].append(indicator)
    return uses


def indicator_periods(indicator: Indicator, years: list[int]) -> list[tuple[str, list[int]]]:
    pool = indicator.pool_years if indicator.period_kind == PeriodKind.POOLED else None
    return cellmath.windows(years, pool)


@dataclass
class SecrecyOutcome:
    masks: dict[int, dict[tuple[int, str, str], bool]]
    audit: dict
    frames: list[pd.DataFrame]


def secrecy_jobs(series: dict[int, Series], indicators: list[Indicator], geo: Geography,
                 previous: pd.DataFrame | None) -> list[SecrecyJob]:
    jobs = []
    for variable_id, users in _uses(indicators).items():
        s = series.get(variable_id)
        if s is None or s.variable.is_value or s.variable.source.secrecy_threshold <= 1:
            continue
        levels = set().union(*[set(i.levels) for i in users]) - {TerritoryLevel.FRANCE}
        rows = np.flatnonzero(np.isin(geo.levels, list(levels)))
        pooled = [i for i in users if i.period_kind == PeriodKind.POOLED]
        prev = {}
        if previous is not None:
            mine = previous[previous["variable"] == s.variable.code]
            prev = {(geo.row_of.get(int(t), -1), p, a): bool(m) for t, p, a, m in
                    mine[["territory_id", "period", "ages", "suppressed"]].itertuples(index=False)}
        jobs.append(SecrecyJob(
            variable_id=variable_id, code=s.variable.code,
            threshold=s.variable.source.secrecy_threshold, G=geo.G[rows], rows=rows,
            rank=np.array([LEVEL_RANK[lv] for lv in geo.levels[rows]]), units=s.units,
            years=s.years, periods=indicator_periods(pooled[0], s.years) if pooled else None,
            restrictions=sorted({i.ages for i in users}), previous=_local(prev, rows)))
    # the biggest first, so that two processes finish together
    return sorted(jobs, key=lambda j: -j.units.size)


def engine_workers() -> int:
    """Processes for the secrecy work: all cores, unless we are a daemonic
    process (a Celery prefork child), which may not have children."""
    if multiprocessing.current_process().daemon:
        return 1
    return max(1, int(settings.PF2S_ENGINE_WORKERS or os.cpu_count() or 1))


def secrecy_run(series: dict[int, Series], indicators: list[Indicator], geo: Geography,
                previous: pd.DataFrame | None, workers: int | None = None) -> SecrecyOutcome:
    """Suppress and audit every count variable shown by some indicator."""
    jobs = secrecy_jobs(series, indicators, geo, previous)
    workers = workers or engine_workers()
    if workers > 1 and len(jobs) > 1:
        # forkserver: safe from a threaded worker, children import only pure code
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(protect, jobs))
    else:
        results = [protect(job) for job in jobs]
    masks, totals, failures, frames = {}, defaultdict(int), [], []
    codes = {job.variable_id: job.code for job in jobs}
    for variable_id, mask, job_totals, job_failures, frame in results:
        masks[variable_id] = mask
        for name, value in job_totals.items():
            totals[name] += value
        failures += [f"{codes[variable_id]} {geo.codes[r]} {p}" for r, p in job_failures]
        frames.append(frame.assign(territory_id=geo.ids[frame["territory_row"].to_numpy()])
                      .drop(columns="territory_row"))
    summary = dict(totals)
    summary["failures"] = failures
    summary["ok"] = not failures
    summary["variables"] = len(jobs)
    return SecrecyOutcome(masks=masks, audit=summary, frames=frames)


def _local(previous: dict, rows: np.ndarray) -> dict:
    if not previous:
        return {}
    local = {int(r): i for i, r in enumerate(rows)}
    return {(local[r], p, a): m for (r, p, a), m in previous.items() if r in local}


def _sum_cells(s: Series, geo: Geography, rows: np.ndarray, period_years: list[int],
               ages: str) -> tuple[np.ndarray, np.ndarray]:
    """(values, missing) over territory rows for a period and age restriction."""
    index = [s.years.index(y) for y in period_years if y in s.years]
    if len(index) < len(period_years):
        return np.full(len(rows), np.nan), np.ones(len(rows), bool)
    bands = cellmath.band_mask(ages, s.units.shape[2])
    values = cellmath.cell_counts(geo.G[rows], s.units, index, bands)
    missing = np.asarray(geo.G[rows] @ s.missing[:, index].any(axis=1)).ravel() > 0
    return values, missing


def _by_age(s: Series, geo: Geography, rows: np.ndarray, period_years: list[int], ages: str) -> np.ndarray:
    index = [s.years.index(y) for y in period_years]
    bands = cellmath.band_mask(ages, s.units.shape[2])
    summed = s.units[:, index, :].sum(axis=1)[:, bands]
    return np.asarray(geo.G[rows] @ summed)


def _france_sum(s: Series, period_years: list[int], ages: str) -> float:
    index = [s.years.index(y) for y in period_years]
    return float(s.france[index][:, cellmath.band_mask(ages, s.france.shape[1])].sum())


def indicator_frame(indicator: Indicator, series: dict[int, Series], geo: Geography,
                    masks: dict[int, dict]) -> pd.DataFrame:
    """Every published row of one indicator: its levels plus France, every period."""
    num = series[indicator.numerator_id]
    den = series.get(indicator.denominator_id) if indicator.denominator_id else None
    levels = [lv for lv in indicator.levels if lv != TerritoryLevel.FRANCE]
    rows = np.flatnonzero(np.isin(geo.levels, levels))
    frames = []
    for label, period_years in indicator_periods(indicator, num.years):
        if den is not None and any(y not in den.years for y in period_years):
            continue
        frames.append(_period_frame(indicator, num, den, geo, rows, label, period_years, masks))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _period_frame(indicator, num, den, geo, rows, label, period_years, masks) -> pd.DataFrame:
    kind = indicator.kind
    multiplier = indicator.multiplier
    n = len(rows)
    extra = {}
    if kind == IndicatorKind.VALUE:
        index = [num.years.index(y) for y in period_years]
        values = np.concatenate([num.supplied[rows][:, index, 0].mean(axis=1),
                                 [num.france[index, 0].mean()]])
        result = pd.DataFrame({"value": values, "numerator": np.nan, "denominator": np.nan,
                               "ci_low": np.nan, "ci_high": np.nan})
        significance = np.full(n + 1, "", dtype=object)
        missing = np.isnan(values)
    else:
        numerator, missing = _sum_cells(num, geo, rows, period_years, indicator.ages)
        numerator = np.append(numerator, _france_sum(num, period_years, indicator.ages))
        missing = np.append(missing, False)
        if den is not None:
            denominator, den_missing = _sum_cells(den, geo, rows, period_years, indicator.ages)
            denominator = np.append(denominator, _france_sum(den, period_years, indicator.ages))
            missing |= np.append(den_missing, False)
        else:
            denominator = np.full(n + 1, np.nan)
        if kind == IndicatorKind.COUNT:
            # pooled counts are published as a yearly average ("nombre annuel moyen")
            result = pd.DataFrame({"value": numerator / len(period_years), "ci_low": np.nan, "ci_high": np.nan})
        elif kind == IndicatorKind.PROPORTION:
            result = rates.proportion(numerator, denominator, multiplier)
        elif kind == IndicatorKind.CRUDE_RATE:
            result = rates.crude_rate(numerator, denominator, multiplier)
        else:
            counts = np.vstack([_by_age(num, geo, rows, period_years, indicator.ages),
                                _france_by_age(num, period_years, indicator.ages)])
            pops = np.vstack([_by_age(den, geo, rows, period_years, indicator.ages),
                              _france_by_age(den, period_years, indicator.ages)])
            bands = cellmath.band_mask(indicator.ages, len(AGE_BANDS))
            if kind == IndicatorKind.STANDARDISED_RATE:
                result = rates.directly_standardised_rate(counts, pops, rates.ESP2013[bands], multiplier)
            else:
                with np.errstate(invalid="ignore", divide="ignore"):
                    france_rates = np.nan_to_num(counts[-1] / pops[-1])
                result = rates.indirectly_standardised_ratio(counts, pops, france_rates, multiplier)
                region_row = np.flatnonzero(geo.levels[rows] == TerritoryLevel.REGION)
                if len(region_row):
                    r = region_row[0]
                    with np.errstate(invalid="ignore", divide="ignore"):
                        region_rates = np.nan_to_num(counts[r] / pops[r])
                    vs_region = rates.indirectly_standardised_ratio(counts, pops, region_rates, multiplier)
                    extra = {"value_vs_region": vs_region["value"].to_numpy(),
                             "significance_vs_region": vs_region["significance"].to_numpy()}
        result = result.reset_index(drop=True)
        result["numerator"] = numerator
        result["denominator"] = denominator
        missing = missing | ~np.isfinite(result["value"].to_numpy(dtype=float))
        if kind == IndicatorKind.ICM:
            significance = result["significance"].fillna("").to_numpy(dtype=object)
        elif kind in (IndicatorKind.COUNT,):
            significance = np.full(n + 1, "", dtype=object)
        else:
            france_value = result["value"].iloc[-1]
            significance = rates.compare_to_reference(
                result["ci_low"].to_numpy(), result["ci_high"].to_numpy(), france_value).astype(object)
            significance[-1] = ""
    secret = np.zeros(n + 1, dtype=bool)
    for variable_id in (indicator.numerator_id, indicator.denominator_id):
        mask = masks.get(variable_id)
        if mask:
            secret[:n] |= np.array([mask.get((int(r), label, indicator.ages), False) for r in rows])
    status = np.where(secret, ValueStatus.SECRET, np.where(missing, ValueStatus.MISSING, ValueStatus.OK))
    frame = pd.DataFrame({
        "territory_id": np.append(geo.ids[rows], geo.france_id),
        "territory_code": np.append(geo.codes[rows], "FR"),
        "territory_name": np.append(geo.names[rows], "France"),
        "level": np.append(geo.levels[rows], TerritoryLevel.FRANCE),
        "period": label,
    })
    for column in VALUE_COLUMNS:
        frame[column] = result[column].to_numpy(dtype=float)
    frame["significance"] = significance
    for name, values in extra.items():
        frame[name] = values
    frame["status"] = status.astype(str)
    frame["demo"] = bool(num.demo or (den.demo if den is not None else False))
    # a secret or missing row carries no number at all
    hidden = frame["status"] != ValueStatus.OK
    number_columns = [c for c in frame.columns if c in VALUE_COLUMNS or c == "value_vs_region"]
    frame.loc[hidden, number_columns] = np.nan
    frame.loc[hidden, [c for c in ("significance", "significance_vs_region") if c in frame]] = ""
    return frame


UNITS_DIR = "units"


def units_write(directory: Path, series: dict[int, Series], geo: Geography) -> None:
    """The commune counts behind this snapshot, kept private beside it (never
    served): territories of the partners' own are computed from them, so that
    they agree with the published figures."""
    folder = directory / UNITS_DIR
    folder.mkdir(exist_ok=True)
    codes = geo.codes[:geo.n_communes].astype(str)
    for s in series.values():
        if s.variable.is_value:
            continue  # values (medians…) do not add up over communes
        # counts are whole numbers far below 2**24: float32 keeps them exact at half the size
        np.savez(folder / f"{s.variable.code}.npz", units=s.units.astype(np.float32), years=np.array(s.years),
                 france=s.france, missing=s.missing, communes=codes, demo=np.array(s.demo))


def units_read(directory: str, variable: Variable) -> tuple[Series, np.ndarray] | None:
    """A variable's commune counts as published in a snapshot, with the
    commune codes of its rows (None if the snapshot has none, e.g. a value
    variable)."""
    path = Path(directory) / UNITS_DIR / f"{variable.code}.npz"
    if not path.exists():
        return None
    with np.load(path) as data:
        series = Series(variable=variable, years=[int(y) for y in data["years"]],
                        units=data["units"].astype(np.float64),
                        france=data["france"], missing=data["missing"], supplied=None, demo=bool(data["demo"]))
        return series, data["communes"]


def _france_by_age(s: Series, period_years: list[int], ages: str) -> np.ndarray:
    index = [s.years.index(y) for y in period_years]
    return s.france[index].sum(axis=0)[cellmath.band_mask(ages, s.france.shape[1])][None, :]


def _previous_masks() -> pd.DataFrame | None:
    current = Snapshot.objects.filter(is_current=True).first()
    if current is None:
        return None
    path = Path(current.directory) / "secrecy.parquet"
    return pd.read_parquet(path) if path.exists() else None


def provenance() -> dict:
    """What the snapshot was computed from: every loaded import batch."""
    batches = ImportBatch.objects.filter(status__in=[BatchStatus.LOADED, BatchStatus.PARTIAL])
    return {"batches": [
        {"id": b.pk, "file": b.file_name, "sha256": b.sha256, "source": b.source.code,
         "loaded_at": b.created_at.isoformat(), "rows": b.rows_loaded, "demo": b.is_demo}
        for b in batches.select_related("source")
    ]}


def snapshots_abandon_stale() -> int:
    """Mark runs left 'building' by a killed worker as failed, drop their files."""
    stale = Snapshot.objects.filter(status=SnapshotStatus.BUILDING)
    for snapshot in stale:
        if snapshot.directory:
            shutil.rmtree(snapshot.directory, ignore_errors=True)
    return stale.update(status=SnapshotStatus.FAILED)


def indicators_sharing(indicators: list[Indicator], codes: list[str]) -> list[Indicator]:
    """The given indicators and every indicator sharing a variable with them,
    transitively: a variable's secrecy mask must be the same for all its
    indicators, so they are recomputed together."""
    selected = {i.code for i in indicators if i.code in codes}
    variables = set()
    changed = True
    while changed:
        changed = False
        for indicator in indicators:
            mine = {indicator.numerator_id, indicator.denominator_id} - {None}
            if indicator.code in selected and not mine <= variables:
                variables |= mine
                changed = True
            elif indicator.code not in selected and mine & variables:
                selected.add(indicator.code)
                changed = True
    return [i for i in indicators if i.code in selected]


def snapshot_publish(*, job_id: int | None = None, indicator_codes: list[str] | None = None) -> Snapshot:
    """Recompute, protect, audit and publish every indicator (see module doc).
    With `indicator_codes`, only those (and the indicators sharing their
    variables) are recomputed; the others are carried over from the current
    snapshot into the new one."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str, percent: int) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        if job_id:
            services.job_progress(job_id=job_id, step=name, percent=percent)

    snapshots_abandon_stale()
    snapshot = Snapshot.objects.create(job_id=job_id)
    # unique: ids can be reused after a rollback, files are never overwritten
    directory = snapshots_root() / f"{snapshot.pk}-{uuid.uuid4().hex[:12]}"
    directory.mkdir(parents=True)
    snapshot.directory = str(directory)
    snapshot.save(update_fields=["directory"])

    geo = geography_read()
    indicators = list(Indicator.objects.select_related("numerator__source", "denominator__source"))
    variables = {v.pk: v for v in Variable.objects.select_related("source")}
    current = Snapshot.objects.filter(is_current=True).first()
    carried: list[str] = []
    if indicator_codes and current is not None:
        recomputed = indicators_sharing(indicators, indicator_codes)
        carried = [i.code for i in indicators if i not in recomputed]
        indicators = recomputed
        needed = {i.numerator_id for i in indicators} | {i.denominator_id for i in indicators} - {None}
        observations = observations_read(sorted(needed))
    else:
        observations = observations_read()
    lap("lecture", 10)
    series = {vid: series_build(group, variables[vid], geo)
              for vid, group in observations.groupby("variable_id")}
    lap("agrégation", 20)
    secrecy = secrecy_run(series, indicators, geo, _previous_masks())
    lap("secret statistique et audit", 70)
    if not secrecy.audit["ok"]:
        snapshot.status = SnapshotStatus.REFUSED
        snapshot.audit = secrecy.audit
        snapshot.save(update_fields=["status", "audit"])
        return snapshot
    row_count = secret_count = written = 0
    periods: dict[str, list[str]] = {}
    for indicator in indicators:
        if indicator.numerator_id not in series or (
                indicator.denominator_id and indicator.denominator_id not in series):
            continue
        frame = indicator_frame(indicator, series, geo, secrecy.masks)
        frame.to_parquet(directory / f"{indicator.code}.parquet", index=False)
        periods[indicator.code] = sorted(frame["period"].unique().tolist()) if len(frame) else []
        row_count += len(frame)
        secret_count += int((frame["status"] == ValueStatus.SECRET).sum())
        written += 1
    lap("calcul et écriture", 90)
    units_write(directory, series, geo)
    masks = pd.concat(secrecy.frames, ignore_index=True) if secrecy.frames else None
    if carried:
        previous_dir = Path(current.directory)
        for code in carried:
            source = previous_dir / f"{code}.parquet"
            if source.exists():
                os.link(source, directory / source.name)  # immutable: a link is a copy
                periods[code] = current.periods.get(code, [])
                status = pd.read_parquet(source, columns=["status"])["status"]
                row_count += len(status)
                secret_count += int((status == ValueStatus.SECRET).sum())
                written += 1
        for source in (previous_dir / UNITS_DIR).glob("*.npz"):
            target = directory / UNITS_DIR / source.name
            if not target.exists():
                os.link(source, target)
        old = _previous_masks()
        if old is not None:
            recomputed_variables = set(masks["variable"]) if masks is not None else set()
            masks = pd.concat([old[~old["variable"].isin(recomputed_variables)], masks])
        secrecy.audit["carried_over_from"] = current.pk
        secrecy.audit["recomputed"] = sorted(i.code for i in indicators)
    if masks is not None:
        masks.to_parquet(directory / "secrecy.parquet", index=False)
    lap("effectifs communaux privés", 95)
    with transaction.atomic():
        Snapshot.objects.filter(is_current=True).update(is_current=False)
        snapshot.status = SnapshotStatus.PUBLISHED
        snapshot.is_current = True
        snapshot.published_at = timezone.now()
        snapshot.indicator_count = written
        snapshot.row_count = row_count
        snapshot.secret_count = secret_count
        snapshot.audit = secrecy.audit
        snapshot.is_demo = any(s.demo for s in series.values()) or bool(carried and current.is_demo)
        snapshot.provenance = provenance()
        snapshot.periods = periods
        snapshot.timings = timings
        snapshot.save()
    from .published import current_snapshot_forget

    current_snapshot_forget()
    lap("bascule", 100)
    snapshot.timings = timings
    Snapshot.objects.filter(pk=snapshot.pk).update(timings=timings)
    return snapshot
