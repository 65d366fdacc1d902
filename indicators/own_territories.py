"""The partners' own territories inside the engine: their cells are decided
once per snapshot (at publication for all, or when a territory is created
or edited between two publications), their figures are written beside the
snapshot, and every figure ever shown stays known to the attacker (the
audit keeps retired versions while the data they were computed on have not
changed).

Files of a snapshot directory:
  own/cells.parquet            own cells decided at publication
  own/v<id>.cells.parquet      those of a version checked afterwards
  own/v<id>.parquet            a live version's figures (every indicator)
  fingerprints.json            a digest of each variable's counts per year
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from django.conf import settings
from django.db import connection

from .compute.cells import FREE, INERT, KNOWN, WITHHELD, Geography, OwnRows
from .compute.frames import IndicatorSpec, Rows, Series, indicator_frame

OWN_DIR = "own"
CELL_COLUMNS = ["version", "variable", "period", "ages", "suppressed"]
FIGURE_COLUMNS = ["indicator", "period", "value", "numerator", "denominator", "ci_low", "ci_high",
                  "significance", "status", "demo"]
#: Advisory lock key (PostgreSQL) serialising own-territory checks and publications.
LOCK_KEY = 0x0F2502


@dataclass(frozen=True)
class Version:
    """An own territory's version as the engine sees it."""

    pk: int
    communes: tuple[str, ...]
    retired: bool


def fingerprints(series: dict[int, Series], geo: Geography) -> dict[str, dict[str, str]]:
    """{variable code: {year: digest of its commune counts}}: a cell whose
    years all keep their digest has kept its value."""
    communes = hashlib.sha1("|".join(geo.commune_codes).encode()).hexdigest()[:12]
    out = {}
    for s in series.values():
        if s.is_value:
            continue
        out[s.code] = {str(year): hashlib.sha1(np.ascontiguousarray(s.units[:, j, :]).tobytes()
                                               + communes.encode()).hexdigest()[:20]
                       for j, year in enumerate(s.years)}
    return out


def fingerprints_read(directory: str | Path) -> dict:
    path = Path(directory) / "fingerprints.json"
    return json.loads(path.read_text()) if path.exists() else {}


def cells_read(directory: str | Path) -> pd.DataFrame:
    """Every own cell decided in a snapshot (at publication and since)."""
    folder = Path(directory) / OWN_DIR
    frames = [pd.read_parquet(p) for p in sorted(folder.glob("*cells.parquet"))] if folder.exists() else []
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=CELL_COLUMNS)
    return pd.concat(frames, ignore_index=True).drop_duplicates(["version", "variable", "period", "ages"],
                                                                 keep="last")


def cells_frame(masks_own: dict[int, dict], versions: list[Version], codes: dict[int, str]) -> pd.DataFrame:
    """{variable id: {(own row, period, ages): suppressed}} as rows."""
    rows = []
    for variable_id, mask in masks_own.items():
        for (row, period, ages), suppressed in mask.items():
            rows.append((versions[row].pk, codes[variable_id], period, ages, bool(suppressed)))
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


def own_rows(versions: list[Version], geo: Geography) -> OwnRows:
    """The versions as rows over the communes (in version order)."""
    column = {code: i for i, code in enumerate(geo.commune_codes)}
    rows, cols = [], []
    for r, version in enumerate(versions):
        for code in version.communes:
            if code in column:
                rows.append(r)
                cols.append(column[code])
    G = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(versions), geo.n_communes))
    return OwnRows(G=G, ids=np.array([v.pk for v in versions], dtype=np.int64),
                   order=np.arange(len(versions), dtype=np.int64))


def _unchanged(old: dict, new: dict, code: str, period: str) -> bool:
    years = period.split("-") if "-" in period else [period]
    if len(years) == 2:
        years = [str(y) for y in range(int(years[0]), int(years[1]) + 1)]
    before, after = old.get(code, {}), new.get(code, {})
    return all(y in before and before.get(y) == after.get(y) for y in years)


def states_for(versions: list[Version], previous: pd.DataFrame, old_prints: dict, new_prints: dict,
               fresh: set[int] = frozenset(), withheld_stays: bool = False,
               default: np.ndarray | None = None) -> dict:
    """State of the versions' cells: {(variable code, period, ages): per
    version state}, and under "default" the state of cells not listed.
    KNOWN where the cell was published before on the same counts; a live
    version's other cells FREE (or, `withheld_stays`, WITHHELD where they
    were suppressed: checking a new territory changes no earlier one), a
    retired version's INERT. `fresh`: versions decided now (all FREE).
    `default`: the state of cells decided nowhere before (default: FREE for
    a live version, INERT for a retired one)."""
    index = {v.pk: i for i, v in enumerate(versions)}
    if default is None:
        default = np.array([INERT if v.retired else FREE for v in versions], dtype=np.int8)
    states: dict = {"default": default}
    if len(previous):
        previous = previous[previous["version"].isin(list(index))]
    if not len(previous):
        return states
    for (code, period, ages), group in previous.groupby(["variable", "period", "ages"]):
        state = default.copy()
        same = _unchanged(old_prints, new_prints, code, period)
        for version, suppressed in zip(group["version"], group["suppressed"], strict=True):
            i = index[int(version)]
            if int(version) in fresh:
                continue
            if not suppressed and same:
                state[i] = KNOWN
            elif suppressed and withheld_stays and not versions[i].retired:
                state[i] = WITHHELD
        states[(code, period, ages)] = state
    return states


def figures_write(directory: Path, versions: list[Version], rows_of: list[int], series: dict[int, Series],
                  specs: list[IndicatorSpec], masks_own: dict[int, dict], geo: Geography,
                  only: set[str] | None = None) -> int:
    """Write `own/v<id>.parquet` for the versions at `rows_of` (their rows
    in the own matrix): every indicator, every period. Returns files written."""
    folder = directory / OWN_DIR
    folder.mkdir(exist_ok=True)
    matrix = own_rows(versions, geo).G
    chosen = np.asarray(rows_of, dtype=np.int64)
    if not len(chosen):
        return 0
    rows = Rows(G=matrix[chosen], ids=np.array([versions[r].pk for r in chosen]),
                codes=np.array([f"v{versions[r].pk}" for r in chosen], dtype=object),
                names=np.array([""] * len(chosen), dtype=object),
                levels=np.array(["territoire_personnalise"] * len(chosen), dtype=object))
    frames = []
    for spec in specs:
        if only is not None and spec.code not in only:
            continue
        if spec.numerator_id not in series or (spec.denominator_id and spec.denominator_id not in series):
            continue
        frame = indicator_frame(spec, series, rows, masks_own, list(chosen), supplied_rows=None)
        if not len(frame):
            continue
        frame = frame[frame["level"] != "france"]
        frames.append(frame.assign(indicator=spec.code))
    if not frames:
        return 0
    everything = pd.concat(frames, ignore_index=True)
    written = 0
    for version_id, part in everything.groupby("territory_id"):
        part[FIGURE_COLUMNS].reset_index(drop=True).to_parquet(folder / f"v{int(version_id)}.parquet", index=False)
        written += 1
    return written


def own_folder(directory: str | Path) -> Path:
    folder = Path(directory) / OWN_DIR
    folder.mkdir(exist_ok=True)
    return folder


@lru_cache(maxsize=2048)
def figures_read(directory: str, version_id: int) -> pd.DataFrame | None:
    """A version's figures in a snapshot (None: not decided there yet)."""
    path = Path(directory) / OWN_DIR / f"v{version_id}.parquet"
    if not path.exists():
        return None
    return pd.read_parquet(path)


@contextlib.contextmanager
def own_lock():
    """One own-territory decision at a time, platform-wide (two territories
    checked side by side would each ignore the other)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        return
    folder = Path(settings.PF2S_DATA_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "own-territories.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
