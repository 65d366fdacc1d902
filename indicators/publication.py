"""The publication run: recompute every indicator at every level from the
commune counts, enforce statistical secrecy (public cells and the partners'
own territories, with the relations between variables), audit it, and
publish an immutable snapshot that becomes current atomically.

Order (selector → compute → save): observations and geography are read once;
pure functions aggregate, suppress, audit and compute rates; Parquet files
are written under a new snapshot directory; only then, in one transaction,
the snapshot becomes current. A run that fails removes its files and marks
its snapshot failed; a run killed midway leaves the current snapshot
untouched, and the sweeper (services.jobs_abandon_dead, at the worker's
restart and every few minutes) does the same for it."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import own_territories as own
from . import services
from .choices import AGE_BANDS, BatchStatus, SnapshotStatus, TerritoryLevel, ValueStatus
from .compute.cells import PUBLIC, Geography, period_years
from .compute.demo import YEARS
from .compute.frames import VALUE_COLUMNS, IndicatorSpec, Rows, Series, indicator_frame
from .compute.protect import mask_frame
from .models import ImportBatch, Indicator, OwnTerritoryVersion, Snapshot, Territory, Variable
from .observation_store import observations_read
from .protection import Published, Relations, engine_pool, protect_all, workers_available
from .selectors import membership_matrix

log = logging.getLogger(__name__)

__all__ = ["VALUE_COLUMNS", "Geography", "Series", "snapshot_publish", "units_read"]


def snapshots_root() -> Path:
    return Path(settings.PF2S_DATA_DIR) / "snapshots"


def geography_read() -> Geography:
    communes = list(
        Territory.objects.filter(level=TerritoryLevel.COMMUNE).order_by("code").values_list("id", flat=True)
    )
    commune_ids = np.array(communes)
    aggregate_ids, M = membership_matrix(commune_ids)
    ids = np.concatenate([commune_ids, aggregate_ids])
    info = {pk: (lv, code, name) for pk, lv, code, name in Territory.objects.values_list("id", "level", "code", "name")}
    G = sp.vstack([sp.identity(len(commune_ids), format="csr"), M], format="csr")
    france = Territory.objects.get(level=TerritoryLevel.FRANCE)
    geo = Geography(
        ids=ids,
        levels=np.array([info[i][0] for i in ids], dtype=object),
        codes=np.array([info[i][1] for i in ids], dtype=object),
        names=np.array([info[i][2] for i in ids], dtype=object),
        G=G,
        n_communes=len(commune_ids),
        france_id=france.pk,
    )
    geo.row_of = {int(t): i for i, t in enumerate(ids)}
    return geo


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
    units = everywhere[: geo.n_communes]
    missing = np.isnan(units).any(axis=2)
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


def published_indicators(indicators: list[Indicator]) -> list[Published]:
    return [Published(spec=IndicatorSpec.of(i), levels=list(i.levels)) for i in indicators]


def relations_read(indicators: list[Published]) -> Relations:
    declared = list(Variable.wholes.through.objects.values_list("from_variable_id", "to_variable_id"))
    thresholds = dict(Variable.objects.values_list("pk", "source__secrecy_threshold"))
    return Relations.build(declared, indicators, thresholds)


def _region_row(geo: Geography, rows: np.ndarray) -> int | None:
    found = np.flatnonzero(geo.levels[rows] == TerritoryLevel.REGION)
    return int(found[0]) if len(found) else None


def public_frame(
    indicator: Indicator, series: dict[int, Series], geo: Geography, masks: dict[int, dict]
) -> pd.DataFrame:
    """Every published row of one indicator: its levels plus France, every period."""
    levels = [lv for lv in indicator.levels if lv != TerritoryLevel.FRANCE]
    rows = np.flatnonzero(np.isin(geo.levels, levels))
    spec = IndicatorSpec.of(indicator)
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


UNITS_DIR = "units"


def units_write(directory: Path, series: dict[int, Series], geo: Geography) -> None:
    """The commune counts behind this snapshot, kept private beside it (never
    served): own territories are computed from them, so that they agree
    with the published figures."""
    folder = directory / UNITS_DIR
    folder.mkdir(exist_ok=True)
    codes = geo.commune_codes
    for s in series.values():
        if s.is_value:
            continue  # values (medians…) do not add up over communes
        # counts are whole numbers far below 2**24: float32 keeps them exact at half the size
        np.savez(
            folder / f"{s.code}.npz",
            units=s.units.astype(np.float32),
            years=np.array(s.years),
            france=s.france,
            missing=s.missing,
            communes=codes,
            demo=np.array(s.demo),
        )


def units_read(directory: str, variable: Variable) -> tuple[Series, np.ndarray] | None:
    """A variable's commune counts as published in a snapshot, with the
    commune codes of its rows (None if the snapshot has none, e.g. a value
    variable)."""
    path = Path(directory) / UNITS_DIR / f"{variable.code}.npz"
    if not path.exists():
        return None
    with np.load(path) as data:
        series = Series(
            variable_id=variable.pk,
            code=variable.code,
            threshold=variable.source.secrecy_threshold,
            by_age=variable.by_age,
            is_value=variable.is_value,
            years=[int(y) for y in data["years"]],
            units=data["units"].astype(np.float64),
            france=data["france"],
            missing=data["missing"],
            supplied=None,
            demo=bool(data["demo"]),
        )
        return series, data["communes"]


def previous_masks(directory: str | None, geo: Geography, variables: dict[str, int]) -> dict[int, dict]:
    """The public masks of a snapshot as {variable id: {(kind, row, period,
    ages): suppressed}} (the previous run's, to keep masks stable)."""
    if not directory:
        return {}
    path = Path(directory) / "secrecy.parquet"
    if not path.exists():
        return {}
    frame = pd.read_parquet(path)
    out: dict[int, dict] = defaultdict(dict)
    for code, t, p, a, m in frame[["variable", "territory_id", "period", "ages", "suppressed"]].itertuples(index=False):
        row = geo.row_of.get(int(t))
        if row is not None and code in variables:
            out[variables[code]][(PUBLIC, row, p, a)] = bool(m)
    return dict(out)


def public_masks_read(directory: str, geo: Geography, variables: dict[str, int]) -> dict[int, dict]:
    """{variable id: {(row, period, ages): suppressed}} as published."""
    return {
        vid: {(r, p, a): m for (_, r, p, a), m in mask.items()}
        for vid, mask in previous_masks(directory, geo, variables).items()
    }


def secrecy_write(directory: Path, masks: dict[int, dict], geo: Geography, codes: dict[int, str]) -> pd.DataFrame:
    frames = []
    for variable_id, mask in masks.items():
        frame = mask_frame(codes[variable_id], mask)
        if len(frame):
            frames.append(
                frame.assign(territory_id=geo.ids[frame["territory_row"].to_numpy(dtype=np.int64)]).drop(
                    columns="territory_row"
                )
            )
    masks_frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["variable", "period", "ages", "suppressed", "territory_id"])
    )
    masks_frame.to_parquet(directory / "secrecy.parquet", index=False)
    return masks_frame


def provenance() -> dict:
    """What the snapshot was computed from: every loaded import batch."""
    batches = ImportBatch.objects.filter(status__in=[BatchStatus.LOADED, BatchStatus.PARTIAL])
    return {
        "batches": [
            {
                "id": b.pk,
                "file": b.file_name,
                "sha256": b.sha256,
                "source": b.source.code,
                "loaded_at": b.created_at.isoformat(),
                "rows": b.rows_loaded,
                "demo": b.is_demo,
            }
            for b in batches.select_related("source")
        ]
    }


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
            mine = {indicator.numerator_id, indicator.denominator_id, indicator.release_base_id} - {None}
            if indicator.code in selected and not mine <= variables:
                variables |= mine
                changed = True
            elif indicator.code not in selected and mine & variables:
                selected.add(indicator.code)
                changed = True
    return [i for i in indicators if i.code in selected]


def versions_read() -> list[own.Version]:
    """Every own-territory version (live and retired), in creation order."""
    through = OwnTerritoryVersion.communes.through.objects.values_list("ownterritoryversion_id", "territory__code")
    communes: dict[int, list[str]] = defaultdict(list)
    for version_id, code in through:
        communes[version_id].append(code)
    return [
        own.Version(pk=pk, communes=tuple(sorted(communes.get(pk, []))), retired=retired is not None)
        for pk, retired in OwnTerritoryVersion.objects.order_by("created_at", "pk").values_list("pk", "retired_at")
    ]


def value_release_check(
    frames: dict[str, pd.DataFrame], indicators: list[Indicator], series: dict[int, Series], geo: Geography
) -> list[str]:
    """Every published supplied value rests on at least its release base:
    the audit of value indicators (a failure refuses the snapshot)."""
    problems = []
    for indicator in indicators:
        frame = frames.get(indicator.code)
        if indicator.kind != "value" or frame is None or not indicator.release_threshold:
            continue
        base = series.get(indicator.release_base_id)
        shown = frame[(frame["status"] == ValueStatus.OK) & (frame["level"] != TerritoryLevel.FRANCE)]
        if base is None:
            if len(shown):
                problems.append(f"{indicator.code}: base de diffusion absente")
            continue
        rows = shown["territory_id"].map(geo.row_of).to_numpy(dtype=np.int64)
        floor = max(indicator.release_threshold, base.threshold)
        for period, index in shown.groupby("period").indices.items():
            years = period_years(str(period))
            positions = [base.years.index(y) for y in years if y in base.years]
            counts = np.asarray(geo.G[rows[index]] @ base.units[:, positions, :].sum(axis=(1, 2))).ravel()
            counts = counts / max(1, len(positions))
            low = int((counts < floor).sum())
            if low:
                problems.append(f"{indicator.code} {period}: {low} valeur(s) sous la base de diffusion")
    return problems


def snapshot_publish(*, job_id: int | None = None, indicator_codes: list[str] | None = None) -> Snapshot:
    """Recompute, protect, audit and publish every indicator (see module doc).
    With `indicator_codes`, only those (and the indicators sharing their
    variables) are recomputed; the others are carried over from the current
    snapshot into the new one."""
    services.snapshots_abandon_stale()
    snapshot = Snapshot.objects.create(job_id=job_id)
    try:
        # unique: ids can be reused after a rollback, files are never overwritten
        directory = snapshots_root() / f"{snapshot.pk}-{uuid.uuid4().hex[:12]}"
        snapshot.directory = str(directory)
        snapshot.save(update_fields=["directory"])
        directory.mkdir(parents=True)
        return _snapshot_build(snapshot, directory, job_id=job_id, indicator_codes=indicator_codes)
    except BaseException:
        # a failed run cleans up after itself: no partial files, no snapshot left 'building'
        services.snapshot_abandon(snapshot_id=snapshot.pk)
        raise


class SnapshotAbandoned(RuntimeError):
    """The run was given up (its snapshot marked failed) while it ran."""


def _snapshot_build(
    snapshot: Snapshot, directory: Path, *, job_id: int | None, indicator_codes: list[str] | None
) -> Snapshot:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str, percent: int) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        if job_id:
            services.job_progress(job_id=job_id, step=name, percent=percent)

    geo = geography_read()
    everything = list(Indicator.objects.select_related("numerator__source", "denominator__source"))
    indicators = everything
    variables = {v.pk: v for v in Variable.objects.select_related("source")}
    codes = {pk: v.code for pk, v in variables.items()}
    by_code = {v.code: pk for pk, v in variables.items()}
    current = Snapshot.objects.filter(is_current=True).first()
    carried: list[str] = []
    if indicator_codes and current is not None:
        recomputed = indicators_sharing(everything, indicator_codes)
        carried = [i.code for i in everything if i not in recomputed]
        indicators = recomputed
    # every variable is read: the relations between them bound the recomputed ones
    observations = observations_read()
    lap("lecture", 10)
    series = {vid: series_build(group, variables[vid], geo) for vid, group in observations.groupby("variable_id")}
    published = published_indicators(everything)
    relations = relations_read(published)
    lap("agrégation", 20)
    previous_dir = current.directory if current else None
    previous = previous_masks(previous_dir, geo, by_code)
    kept = {}
    if carried:
        recomputed_variables = {
            v for i in indicators for v in (i.numerator_id, i.denominator_id, i.release_base_id) if v
        }
        kept = {
            vid: mask
            for vid, mask in public_masks_read(previous_dir, geo, by_code).items()
            if vid not in recomputed_variables
        }
    with engine_pool(workers_available(settings.PF2S_ENGINE_WORKERS)) as pool:
        masks = protect_all(series, published, geo, relations, previous, 1, carried=kept, pool=pool)
        lap("secret statistique et audit", 70)
        # the own territories' figures, in the pool while the public ones are written
        known = {codes[vid]: tables for vid, tables in masks.known.items()}
        # nothing secret in them nor under them: own territories read them freely
        free = [codes[vid] for vid, s in series.items() if vid not in masks.known and not s.is_value]
        live = [v for v in versions_read() if not v.retired]
        own_args = (geo.commune_codes, series, [p.spec for p in published], known, frozenset(free))
        own_jobs = (
            []
            if pool is None or len(live) < 2 or masks.failures
            else [pool.submit(own.figures_write, directory, live[i::2], *own_args) for i in range(2)]
        )
        audit = dict(masks.audit)
        row_count = secret_count = written = 0
        periods: dict[str, list[str]] = {}
        frames: dict[str, pd.DataFrame] = {}
        for indicator in indicators:
            if indicator.numerator_id not in series or (
                indicator.denominator_id and indicator.denominator_id not in series
            ):
                continue
            frame = public_frame(indicator, series, geo, masks.public)
            frames[indicator.code] = frame
            frame.to_parquet(directory / f"{indicator.code}.parquet", index=False)
            periods[indicator.code] = sorted(frame["period"].unique().tolist()) if len(frame) else []
            row_count += len(frame)
            secret_count += int((frame["status"] == ValueStatus.SECRET).sum())
            written += 1
        failures = list(masks.failures) + value_release_check(frames, indicators, series, geo)
        audit["failures"] = failures
        audit["ok"] = not failures
        audit["variables"] = sum(1 for m in masks.public.values() if m)
        if failures:
            for job in own_jobs:
                job.cancel()  # those already running end with the pool
            snapshot.status = SnapshotStatus.REFUSED
            snapshot.audit = audit
            snapshot.save(update_fields=["status", "audit"])
            return snapshot
        lap("calcul et écriture", 85)
        units_write(directory, series, geo)
        secrecy_write(directory, masks.public, geo, codes)
        if carried:
            previous_path = Path(previous_dir)
            for code in carried:
                source = previous_path / f"{code}.parquet"
                if source.exists():
                    os.link(source, directory / source.name)  # immutable: a link is a copy
                    periods[code] = current.periods.get(code, [])
                    status = pd.read_parquet(source, columns=["status"])["status"]
                    row_count += len(status)
                    secret_count += int((status == ValueStatus.SECRET).sum())
                    written += 1
            audit["carried_over_from"] = current.pk
            audit["recomputed"] = sorted(i.code for i in indicators)
        own.known_write(directory, masks.known, codes, free)
        if own_jobs:
            for job in own_jobs:
                job.result()
        else:
            own.figures_write(directory, live, *own_args)
        own.caches_clear()
    audit["own_territories"] = len(live)
    lap("territoires personnalisés", 95)
    with transaction.atomic():
        # the sweeper may have given this run up for dead (silent too long): then it publishes nothing
        if not Snapshot.objects.select_for_update().filter(pk=snapshot.pk, status=SnapshotStatus.BUILDING).exists():
            raise SnapshotAbandoned(f"instantané {snapshot.pk} abandonné pendant le calcul")
        Snapshot.objects.filter(is_current=True).update(is_current=False)
        snapshot.status = SnapshotStatus.PUBLISHED
        snapshot.is_current = True
        snapshot.published_at = timezone.now()
        snapshot.indicator_count = written
        snapshot.row_count = row_count
        snapshot.secret_count = secret_count
        snapshot.audit = audit
        snapshot.is_demo = any(s.demo for s in series.values())
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
