"""The partners' own territories inside the engine. An own territory shows a
figure only where the snapshot's published cells already determine it
(compute/determination.py): its figures then tell nobody anything new, in
any combination, for any organisation, edited or deleted, and withholding
one depends on published cells only, never on a hidden count.

What each variable's published cells determine is written beside the
snapshot at publication; a territory created or edited between two
publications is decided from it in a moment, and its figures are written
beside the snapshot too.

It fails closed: a figure is shown only if each of its variables is either
listed as free at publication (nothing secret in it nor under it) or has
what its published cells determine for that period and age restriction; a
snapshot written before this, an indicator or a period added since, or a
variable absent from the snapshot, withholds.

Files of a snapshot directory:
  own/known/<variable>.npz   what the published cells of a variable determine
  own/known/free.json        the variables own territories read freely
  own/v<id>.parquet          a live version's figures (every indicator)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .compute import cells as cellmath
from .compute.cells import Geography
from .compute.determination import Determination, determined
from .compute.frames import IndicatorSpec, Rows, Series, indicator_frame
from .compute.protect import Known

OWN_DIR = "own"
KNOWN_DIR = "known"
FIGURE_COLUMNS = [
    "indicator",
    "period",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "significance",
    "status",
    "demo",
]


@dataclass(frozen=True)
class Version:
    """An own territory's version as the engine sees it."""

    pk: int
    communes: tuple[str, ...]
    retired: bool = False


def own_folder(directory: str | Path) -> Path:
    folder = Path(directory) / OWN_DIR
    folder.mkdir(exist_ok=True)
    return folder


FREE_FILE = "free.json"


def known_write(directory: Path, known: dict[int, list[Known]], codes: dict[int, str], free: list[str]) -> None:
    """What each variable's published cells determine, and the variables
    read freely, beside the snapshot."""
    folder = own_folder(directory) / KNOWN_DIR
    folder.mkdir(exist_ok=True)
    (folder / FREE_FILE).write_text(json.dumps(sorted(free)), encoding="utf-8")
    for variable_id, tables in known.items():
        arrays, meta = {}, []
        for i, table in enumerate(tables):
            meta.append({"years": table.years, "blocks": table.blocks})
            for name, value in table.determination.save().items():
                arrays[f"{i}_{name}"] = value
        np.savez(folder / f"{codes[variable_id]}.npz", meta=np.array(json.dumps(meta)), **arrays)


@lru_cache(maxsize=8)
def known_read(directory: str) -> dict[str, list[Known]]:
    """{variable code: what its published cells determine} of a snapshot."""
    folder = Path(directory) / OWN_DIR / KNOWN_DIR
    out: dict[str, list[Known]] = {}
    for path in sorted(folder.glob("*.npz")) if folder.exists() else []:
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            out[path.stem] = [
                Known(
                    years=m["years"],
                    blocks=[tuple(b) for b in m["blocks"]],
                    determination=Determination.load({k: data[f"{i}_{k}"] for k in Determination.FIELDS}),
                )
                for i, m in enumerate(meta)
            ]
    return out


def own_matrix(versions: list[Version], commune_codes: np.ndarray) -> sp.csr_matrix:
    """The versions as rows over the communes (in the snapshot's order)."""
    column = {code: i for i, code in enumerate(commune_codes)}
    rows, cols = [], []
    for r, version in enumerate(versions):
        for code in version.communes:
            if code in column:
                rows.append(r)
                cols.append(column[code])
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(versions), len(commune_codes)))


def own_masks(G_own: sp.csr_matrix, known: dict[str, list[Known]], series: dict[int, Series]) -> dict[int, dict]:
    """{variable id: {(own row, period, ages): withheld}} for every variable
    whose cells something secret could hide in (the others are read freely):
    withheld where the published cells do not determine the sum."""
    masks: dict[int, dict] = {}
    by_code = {s.code: vid for vid, s in series.items()}
    for code, tables in known.items():
        variable_id = by_code.get(code)
        if variable_id is None:
            continue
        mask: dict = {}
        n_bands = series[variable_id].units.shape[2]
        for table in tables:
            parts = cellmath.age_parts(sorted({a for _, a in table.blocks}), n_bands)
            for period, ages in table.blocks:
                years = cellmath.period_years(period)
                year_vector = np.isin(table.years, years).astype(np.float64)
                part_vector = np.array([1.0, 0.0]) if (ages == "0-64" and len(parts) == 2) else np.ones(len(parts))
                selector = sp.csr_matrix(np.outer(year_vector, part_vector).ravel())
                targets = sp.kron(G_own, selector, format="csr")
                shown = determined(table.determination, targets)
                for row, ok in enumerate(shown):
                    mask[(row, period, ages)] = not bool(ok)
        masks[variable_id] = mask
    return masks


@lru_cache(maxsize=8)
def free_read(directory: str) -> frozenset[str]:
    """The variables own territories read freely in a snapshot (none for a
    snapshot that does not say)."""
    path = Path(directory) / OWN_DIR / KNOWN_DIR / FREE_FILE
    return frozenset(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else frozenset()


def _undecided(
    masks: dict[int, dict],
    known: dict[str, list[Known]],
    free: frozenset[str],
    series: dict[int, Series],
    specs: list[IndicatorSpec],
    n_rows: int,
) -> None:
    """Withhold, in `masks`, every row of a (variable, period, ages) that is
    neither free nor decided at publication."""
    for spec in specs:
        if spec.numerator_id not in series:
            continue
        for label, _ in spec.periods(series[spec.numerator_id].years):
            for variable_id in spec.variables:
                code = series[variable_id].code if variable_id in series else None
                if code in free:
                    continue
                if code in known and any((label, spec.ages) in table.blocks for table in known[code]):
                    continue
                mask = masks.setdefault(variable_id, {})
                for row in range(n_rows):
                    mask[(row, label, spec.ages)] = True


def figures_write(
    directory: Path,
    versions: list[Version],
    geo_codes: np.ndarray,
    series: dict[int, Series],
    specs: list[IndicatorSpec],
    known: dict[str, list[Known]],
    free: frozenset[str],
) -> int:
    """Write `own/v<id>.parquet` for `versions`: every indicator, every
    period, withheld where not determined. Returns files written."""
    if not versions:
        return 0
    folder = own_folder(directory)
    G = own_matrix(versions, geo_codes)
    masks = own_masks(G, known, series)
    _undecided(masks, known, free, series, [s for s in specs if s.kind != "value"], len(versions))
    rows = Rows(
        G=G,
        ids=np.array([v.pk for v in versions]),
        codes=np.array([f"v{v.pk}" for v in versions], dtype=object),
        names=np.array([""] * len(versions), dtype=object),
        levels=np.array(["territoire_personnalise"] * len(versions), dtype=object),
    )
    frames = []
    for spec in specs:
        if spec.kind == "value":
            continue  # a supplied value does not add up over communes
        if spec.numerator_id not in series or (spec.denominator_id and spec.denominator_id not in series):
            continue
        frame = indicator_frame(spec, series, rows, masks, list(range(len(versions))))
        if not len(frame):
            continue
        frames.append(frame[frame["level"] != "france"].assign(indicator=spec.code))
    if not frames:
        return 0
    everything = pd.concat(frames, ignore_index=True)
    written = 0
    for version_id, part in everything.groupby("territory_id"):
        # written aside then renamed: a reader sees the whole file or none
        target = folder / f"v{int(version_id)}.parquet"
        partial = folder / f".v{int(version_id)}.{os.getpid()}.parquet"
        part[FIGURE_COLUMNS].reset_index(drop=True).to_parquet(partial, index=False)
        os.replace(partial, target)
        written += 1
    _figures_cached.cache_clear()
    return written


def figures_read(directory: str, version_id: int) -> pd.DataFrame | None:
    """A version's figures in a snapshot (None: not decided there yet, an
    answer a worker may change any moment, so not cached)."""
    path = Path(directory) / OWN_DIR / f"v{version_id}.parquet"
    if not path.exists():
        return None
    return _figures_cached(str(path))


@lru_cache(maxsize=4096)
def _figures_cached(path: str) -> pd.DataFrame:
    """A written version's figures (never rewritten with other figures)."""
    return pd.read_parquet(path)


def caches_clear() -> None:
    """Forget what was read (a cold start, as a new worker's)."""
    for cached in (known_read, free_read, _figures_cached):
        cached.cache_clear()


__all__ = [
    "Geography",
    "Version",
    "caches_clear",
    "figures_read",
    "figures_write",
    "free_read",
    "known_read",
    "known_write",
    "own_masks",
]
