"""The files of the snapshots, and which snapshot is current: where a
snapshot's directory lives, what is written in it at publication and how
it is read back. Nothing here computes a figure (compute/) nor decides
what a reader may see (reading.py, readers.py).

A snapshot directory, PF2S_DATA_DIR/snapshots/<id>-<random>/, is written
once and never rewritten (own territories' figures are added to it):
  <indicator>.parquet        an indicator's published rows, every level and period
  secrecy.parquet            the public masks: variable, territory_id, period, ages, suppressed
  units/<variable>.npz       a variable's commune counts, private (never served)
  own/known/<variable>.npz   what the published cells of a variable determine
  own/known/free.json        the variables own territories read freely
  own/v<id>.parquet          a live own-territory version's figures (every indicator)

Imported light: no model at module level (the publication's pool
processes, which import only pure code, write the own territories'
figures through it), and the engine's compute modules only where a
function needs them (every web request asks it for the current snapshot;
a web process should not load the engine to start).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from django.conf import settings

if TYPE_CHECKING:
    from .compute.cells import Geography
    from .compute.frames import Series
    from .compute.protect import Known
    from .models import Snapshot

UNITS_DIR = "units"
SECRECY_FILE = "secrecy.parquet"
OWN_DIR = "own"
KNOWN_DIR = "known"
FREE_FILE = "free.json"

#: The columns of an indicator's rows every channel reads.
ROW_FIELDS = [
    "territory_code",
    "territory_name",
    "level",
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
#: The columns of an own territory's figures: the indicator, then a row's own
#: figures (the territory is the file's).
FIGURE_COLUMNS = ["indicator", *(c for c in ROW_FIELDS if c not in ("territory_code", "territory_name", "level"))]


# --- the directories ---------------------------------------------------------


def snapshots_root() -> Path:
    return Path(settings.PF2S_DATA_DIR) / "snapshots"


def snapshot_directory_new(snapshot_id: int) -> Path:
    """A directory name for a new snapshot's files (not created): unique,
    since ids can be reused after a rollback and files are never overwritten."""
    return snapshots_root() / f"{snapshot_id}-{uuid.uuid4().hex[:12]}"


def snapshot_directory_remove(directory: str) -> None:
    """Remove a snapshot's files (a run that failed or was given up)."""
    if directory:
        shutil.rmtree(directory, ignore_errors=True)


# --- the current snapshot ----------------------------------------------------

_CURRENT: dict[str, object] = {"at": -1.0, "snapshot": None}


def current_snapshot() -> Snapshot | None:
    """The published snapshot every reader sees. A process trusts its answer
    for PF2S_CURRENT_SNAPSHOT_TTL seconds (a publication in this process
    forgets it at once)."""
    from .models import Snapshot

    now = time.monotonic()
    if now - _CURRENT["at"] > settings.PF2S_CURRENT_SNAPSHOT_TTL:
        _CURRENT["snapshot"] = Snapshot.objects.filter(is_current=True).first()
        _CURRENT["at"] = now
    return _CURRENT["snapshot"]


def current_snapshot_forget() -> None:
    _CURRENT["at"] = -1.0


# --- the indicators' rows ----------------------------------------------------


def indicator_write(directory: Path, code: str, frame: pd.DataFrame) -> None:
    frame.to_parquet(directory / f"{code}.parquet", index=False)


def indicator_link(source: str, directory: Path, code: str) -> pd.Series | None:
    """Carry an indicator's file over from the snapshot in `source` into
    `directory` (a hard link: both are immutable). Returns its rows' status
    column, None if `source` has no such file."""
    path = Path(source) / f"{code}.parquet"
    if not path.exists():
        return None
    os.link(path, directory / path.name)
    return pd.read_parquet(path, columns=["status"])["status"]


@lru_cache(maxsize=256)
def indicator_read(directory: str, code: str) -> pd.DataFrame:
    """An indicator's rows in a snapshot (no row if it has none); kept in
    memory, as the files never change."""
    path = Path(directory) / f"{code}.parquet"
    if not path.exists():
        return pd.DataFrame(columns=ROW_FIELDS)
    return pd.read_parquet(path)


# --- the commune counts ------------------------------------------------------


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


def units_read(directory: str, variable) -> tuple[Series, np.ndarray] | None:
    """A variable's commune counts as published in a snapshot, with the
    commune codes of its rows (None if the snapshot has none, e.g. a value
    variable). `variable`: a Variable, its source selected."""
    from .compute.frames import Series

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


# --- the public masks --------------------------------------------------------


def secrecy_write(directory: Path, masks: dict[int, dict], geo: Geography, codes: dict[int, str]) -> pd.DataFrame:
    """The public masks {variable id: {(kind, row, period, ages): suppressed}}
    as secrecy.parquet, by variable code and territory id."""
    from .compute.protect import mask_frame

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
    masks_frame.to_parquet(directory / SECRECY_FILE, index=False)
    return masks_frame


def masks_read(directory: str | None, geo: Geography, variables: dict[str, int]) -> dict[int, dict]:
    """The public masks of a snapshot as {variable id: {(kind, row, period,
    ages): suppressed}} (the previous run's, to keep masks stable).
    `variables`: {code: id}."""
    from .compute.cells import PUBLIC

    if not directory:
        return {}
    path = Path(directory) / SECRECY_FILE
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
        for vid, mask in masks_read(directory, geo, variables).items()
    }


# --- the own territories -----------------------------------------------------


def own_folder(directory: str | Path) -> Path:
    folder = Path(directory) / OWN_DIR
    folder.mkdir(exist_ok=True)
    return folder


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
    from .compute.determination import Determination
    from .compute.protect import Known

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


@lru_cache(maxsize=8)
def free_read(directory: str) -> frozenset[str]:
    """The variables own territories read freely in a snapshot (none for a
    snapshot that does not say)."""
    path = Path(directory) / OWN_DIR / KNOWN_DIR / FREE_FILE
    return frozenset(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else frozenset()


def figures_save(directory: Path, figures: pd.DataFrame) -> int:
    """Write `own/v<id>.parquet` for each version in `figures` (rows with
    territory_id the version's id, FIGURE_COLUMNS). Returns files written."""
    folder = own_folder(directory)
    written = 0
    for version_id, part in figures.groupby("territory_id"):
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


def own_caches_clear() -> None:
    """Forget what was read of the own territories (a cold start, as a new
    worker's)."""
    for cached in (known_read, free_read, _figures_cached):
        cached.cache_clear()
