"""The partners' own territories inside the engine. An own territory shows a
figure only where the snapshot's published cells already determine it
(compute/determination.py): its figures then tell nobody anything new, in
any combination, for any organisation, edited or deleted, and withholding
one depends on published cells only, never on a hidden count.

What each variable's published cells determine is written beside the
snapshot at publication; a territory created or edited between two
publications is decided from it in a moment, and its figures are written
beside the snapshot too (the files: snapshot_store.py).

It fails closed: a figure is shown only if each of its variables is either
listed as free at publication (nothing secret in it nor under it) or has
what its published cells determine for that period and age restriction; a
snapshot written before this, an indicator or a period added since, or a
variable absent from the snapshot, withholds.

Pure but for figures_write, which stores what figures_frame computes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .compute import cells as cellmath
from .compute.cells import Geography
from .compute.determination import determined
from .compute.frames import IndicatorSpec, Rows, Series, indicator_frame
from .compute.protect import Known
from .snapshot_store import figures_save


@dataclass(frozen=True)
class Version:
    """An own territory's version as the engine sees it."""

    pk: int
    communes: tuple[str, ...]
    retired: bool = False


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


def figures_frame(
    versions: list[Version],
    geo_codes: np.ndarray,
    series: dict[int, Series],
    specs: list[IndicatorSpec],
    known: dict[str, list[Known]],
    free: frozenset[str],
) -> pd.DataFrame | None:
    """The figures of `versions`: every indicator, every period, withheld
    where not determined; territory_id is the version's id, the other
    columns snapshot_store.FIGURE_COLUMNS. None when there is none.
    `geo_codes`: the commune codes in the order of the series' rows."""
    if not versions:
        return None
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
    return pd.concat(frames, ignore_index=True) if frames else None


def figures_write(
    directory: Path,
    versions: list[Version],
    geo_codes: np.ndarray,
    series: dict[int, Series],
    specs: list[IndicatorSpec],
    known: dict[str, list[Known]],
    free: frozenset[str],
) -> int:
    """Compute the figures of `versions` (figures_frame) and write them
    beside the snapshot in `directory`. Returns files written."""
    figures = figures_frame(versions, geo_codes, series, specs, known, free)
    return 0 if figures is None else figures_save(directory, figures)


__all__ = [
    "Geography",
    "Version",
    "figures_frame",
    "figures_write",
    "own_masks",
]
