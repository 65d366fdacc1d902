"""Protection of one variable: build its secrecy tables, suppress the public
cells, list the cells that the variable's relations to others (a part never
exceeds its whole) could narrow, and say which sums the published cells
determine (own territories are shown only where they do). Pure and
picklable, so that a process pool can run one variable per core."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import cells as cellmath
from .cells import HIDDEN, PUBLIC, Block
from .determination import Determination, determination
from .secrecy import (
    NO_CAP,
    Table,
    audit,
    certified,
    move_bounds,
    primary_secret,
    secondary_suppression,
    signature_ids,
)


@dataclass
class Whole:
    """A variable that contains the job's variable, unit by unit: its counts
    on the job's years and bands, its cells, and the bounds its own
    relations put on it (its wholes: cap; its other parts: floor)."""

    code: str
    units: np.ndarray
    blocks: list[Block]
    cap: np.ndarray | None = None
    floor: np.ndarray | None = None


@dataclass
class SecrecyJob:
    """Everything one variable's protection needs, picklable for a worker
    process.

    G: every territory (communes first); rank: level rank per row of G.
    blocks: the variable's cells, by period and age restriction.
    previous: {(kind, row, period, ages): suppressed} of the last snapshot.
    public: None to decide the public cells, or their decided mask
    {(row, period, ages): suppressed} (kept as they are).
    cap, floor: (n_c, Y, B) bounds of each unit from related variables (the
    attacker is assumed to know them exactly)."""

    variable_id: int
    code: str
    G: sp.csr_matrix
    n_communes: int
    rank: np.ndarray
    units: np.ndarray
    years: list[int]
    blocks: list[Block]
    previous: dict = field(default_factory=dict)
    public: dict | None = None
    cap: np.ndarray | None = None
    floor: np.ndarray | None = None
    wholes: list[Whole] = field(default_factory=list)
    zero_wholes: list[Whole] = field(default_factory=list)


@dataclass
class Known:
    """What one table of a variable determines: its years, the blocks
    (period, ages) it holds, and the determination."""

    years: list[int]
    blocks: list[tuple[str, str]]
    determination: Determination


@dataclass
class SecrecyOutcome:
    """What one variable's protection decided."""

    variable_id: int
    public: dict[tuple[int, str, str], bool]
    totals: dict
    failures: list[tuple[int, str, str]]
    candidates: list[tuple[str, int, str, str]]
    known: list[Known] = field(default_factory=list)


def year_groups(blocks: list[Block]) -> list[list[Block]]:
    """Blocks that share no year form independent tables."""
    groups: list[tuple[set[int], list[Block]]] = []
    for block in blocks:
        years = set(block.years)
        joined = [g for g in groups if g[0] & years]
        for g in joined:
            groups.remove(g)
            years |= g[0]
        groups.append((years, [b for g in joined for b in g[1]] + [block]))
    return [sorted(b, key=lambda b: (b.period, b.ages)) for _, b in sorted(groups, key=lambda g: min(g[0]))]


def protect(job: SecrecyJob) -> SecrecyOutcome:
    """Suppress and audit one variable (runs in a worker process)."""
    totals: dict[str, int] = defaultdict(int)
    outcome = SecrecyOutcome(job.variable_id, {}, {}, [], [])
    for blocks in year_groups(job.blocks):
        years = sorted({y for b in blocks for y in b.years})
        index = [job.years.index(y) for y in years]
        units = job.units[:, index, :]
        parts = cellmath.age_parts(sorted({b.ages for b in blocks}), units.shape[2])
        table, key = cellmath.secrecy_table(job.G, job.rank, job.n_communes, units, years, blocks, job.previous)
        is_public = key.kind == PUBLIC
        if job.public is None:
            suppressed = secondary_suppression(table)
            result = audit(table, suppressed)
            for name, value in result.summary().items():
                totals[name] += value
            threshold = table.thresholds()
            primary = is_public & (table.values >= 1) & (table.values < threshold)
            totals["primary"] += int(primary.sum())
            totals["secondary"] += int((suppressed & is_public & ~primary).sum())
            totals["secondary_sum"] += int(table.values[suppressed & is_public & ~primary].sum())
            totals["hidden_secret"] += int(
                (~table.shown & (table.values >= 1) & (table.values < threshold) & (key.kind == HIDDEN)).sum()
            )
            outcome.failures += [(int(key.row[c]), key.period[c], key.ages[c]) for c in result.failures]
        else:
            suppressed = np.array(
                [
                    bool(is_public[c]) and job.public.get((int(key.row[c]), key.period[c], key.ages[c]), False)
                    for c in range(len(key.kind))
                ],
                dtype=bool,
            )
        zero = _known_zero(job, index, parts)
        if job.cap is not None or job.floor is not None or zero is not None:
            if zero is not None:  # a whole known to be 0 makes the part 0: he knows it
                table.cap = np.where(zero, 0.0, table.cap)
            if job.cap is not None:
                table.cap = np.minimum(table.cap, cellmath.parts_of(job.cap[:, index, :], parts).ravel())
            if job.floor is not None:
                table.floor = cellmath.parts_of(job.floor[:, index, :], parts).ravel()
            result = audit(table, suppressed)
            failing = np.array(result.failures, dtype=np.int64)
            if len(failing) and job.wholes:
                failing = failing[~_moved_together(job, table, suppressed, failing, blocks, years, index)]
            outcome.candidates += [(key.kind[c], int(key.row[c]), key.period[c], key.ages[c]) for c in failing]
        for c in np.flatnonzero(is_public):
            outcome.public[(int(key.row[c]), key.period[c], key.ages[c])] = bool(suppressed[c])
        outcome.known.append(
            Known(
                years=years,
                blocks=[(b.period, b.ages) for b in blocks],
                determination=determination(table.incidence, table.values, table.shown & ~suppressed),
            )
        )
    outcome.totals = dict(totals)
    return outcome


def _known_zero(job: SecrecyJob, index: list[int], parts: list[np.ndarray]) -> np.ndarray | None:
    """Units of the variable whose whole of no lower threshold holds 0 (then
    so does the part), as a mask over the table's units. Whether an attacker
    can tell that 0 from published cells (a département minus its whole
    EPCI…) is for the joint check to say (cross.py): here every such unit
    counts as told, so that no cell the joint check should see escapes it."""
    zero = None
    for whole in job.zero_wholes:
        units = np.nan_to_num(whole.units[:, index, :], nan=1.0)  # a missing count is not a known 0
        if units.shape[2] == job.units.shape[2]:
            units = cellmath.parts_of(units, parts)
        else:  # a whole without age bands: 0 for all ages is 0 in each part
            units = np.repeat(units.sum(axis=2, keepdims=True), len(parts), axis=2)
        mask = (units == 0).ravel()
        zero = mask if zero is None else zero | mask
    return zero


def known_of(
    G: sp.csr_matrix,
    rank: np.ndarray,
    n_communes: int,
    units: np.ndarray,
    years_all: list[int],
    blocks: list[Block],
    public: dict,
) -> list[Known]:
    """What the published cells of a variable determine, table by table
    (public: {(row, period, ages): suppressed})."""
    out = []
    for group in year_groups(blocks):
        years = sorted({y for b in group for y in b.years})
        index = [years_all.index(y) for y in years]
        table, key = cellmath.secrecy_table(G, rank, n_communes, units[:, index, :], years, group)
        published = table.shown & ~np.array(
            [
                public.get((int(key.row[c]), key.period[c], key.ages[c]), False) if key.kind[c] == PUBLIC else False
                for c in range(len(key.kind))
            ]
        )
        out.append(
            Known(
                years=years,
                blocks=[(b.period, b.ages) for b in group],
                determination=determination(table.incidence, table.values, published),
            )
        )
    return out


def _moved_together(
    job: SecrecyJob,
    table: Table,
    suppressed: np.ndarray,
    cells: np.ndarray,
    blocks: list[Block],
    years: list[int],
    index: list[int],
) -> np.ndarray:
    """Which of `cells` a move of the variable together with its wholes
    protects: mass leaves a unit for another that no published cell of any
    of them tells apart, the same amount of each (so that parts stay within
    wholes). The wholes are taken as published everywhere but on their
    primary secrets: more than will be, so what passes here is safe."""
    # the age parts every cell of the variable and of its wholes needs
    restrictions = sorted(
        {b.ages for b in blocks} | {b.ages for w in job.wholes for b in w.blocks if set(b.years) & set(years)}
    )
    parts = cellmath.age_parts(restrictions, job.units.shape[2])
    if len(parts) != len(cellmath.age_parts(sorted({b.ages for b in blocks}), job.units.shape[2])):
        # the same cells over finer units (cell order does not depend on parts)
        finer, _ = cellmath.secrecy_table(
            job.G, job.rank, job.n_communes, job.units[:, index, :], years, blocks, None, parts=parts
        )
        if job.cap is not None:
            finer.cap = np.minimum(cellmath.parts_of(job.cap[:, index, :], parts).ravel(), NO_CAP)
        if job.floor is not None:
            finer.floor = cellmath.parts_of(job.floor[:, index, :], parts).ravel()
        table = finer
    x_atom = signature_ids(table.incidence, table.shown & ~suppressed)
    signatures = [x_atom]
    x_give = np.maximum(table.units - table.floor, 0.0)
    give = x_give.copy()
    take = np.full(len(table.units), NO_CAP)
    rows = table.incidence[cells].tocsr()
    # two steps: each whole first brings mass into the cell's units from
    # units of its own atom, then the variable follows from units of its atom
    room = np.full(rows.nnz, NO_CAP)
    for whole in job.wholes:
        mine = [b for b in whole.blocks if set(b.years) & set(years)]
        if any(not set(b.years) <= set(years) for b in mine) or (
            len(parts) == 1 and any(b.ages == "0-64" for b in mine)
        ):
            return np.zeros(len(cells), dtype=bool)
        units = whole.units[:, index, :]
        if np.isnan(units).any():
            units = np.nan_to_num(units)  # a missing count cannot move
            frozen = np.isnan(whole.units[:, index, :]).any(axis=2)
        else:
            frozen = None
        w_table, _ = cellmath.secrecy_table(
            job.G, job.rank, job.n_communes, units, years, mine, None, parts=parts if units.shape[2] > 1 else None
        )
        if w_table.incidence.shape[1] != table.incidence.shape[1]:
            return np.zeros(len(cells), dtype=bool)
        shown = w_table.shown & ~primary_secret(w_table.values, w_table.thresholds())
        signatures.append(
            signature_ids(w_table.incidence, shown)
            if w_table.incidence.shape[0]
            else np.zeros(len(table.units), dtype=np.int64)
        )

        def on_units(array: np.ndarray, by_part: bool = units.shape[2] > 1) -> np.ndarray:
            array = array[:, index, :]
            return (cellmath.parts_of(array, parts) if by_part else array).ravel()

        w_values = w_table.units
        w_floor = on_units(whole.floor) if whole.floor is not None else np.zeros(len(w_values))
        w_cap = np.minimum(on_units(whole.cap), NO_CAP) if whole.cap is not None else np.full(len(w_values), NO_CAP)
        w_give = np.maximum(w_values - w_floor, 0.0)
        w_take = np.maximum(w_cap - w_values, 0.0)
        if frozen is not None:
            still = np.repeat(frozen.ravel(), len(parts) if units.shape[2] > 1 else 1)
            w_give[still] = 0.0
            w_take[still] = 0.0
        give = np.minimum(give, w_give)
        take = np.minimum(take, w_take)
        # the whole's mass that can come into each unit of each cell: what its
        # atom holds outside the cell above the variable (and its other
        # parts), shared equally among the cell's units in that atom
        w_atom = signatures[-1]
        spare = np.maximum(w_values - np.maximum(table.units, w_floor), 0.0)
        if frozen is not None:
            spare[still] = 0.0
        atom_spare = np.bincount(w_atom, weights=spare, minlength=int(w_atom.max()) + 1)
        row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
        unit = rows.indices
        key = row_of * (int(w_atom.max()) + 1) + w_atom[unit]
        _, group, counts = np.unique(key, return_inverse=True, return_counts=True)
        inside = np.bincount(group, weights=spare[unit])
        arriving = (atom_spare[w_atom[unit]] - inside[group]) / counts[group]
        arriving = np.minimum(arriving, w_take[unit])
        room = np.minimum(room, np.maximum(w_values[unit] - table.units[unit], 0.0) + arriving)
    atom = (
        pd.DataFrame(np.column_stack(signatures)).groupby(list(range(len(signatures))), sort=False).ngroup().to_numpy()
    )
    upper, lower = move_bounds(table.incidence, table.values[cells], atom, give, take, cells)
    ok = certified(upper, lower, table.thresholds()[cells])
    # the cells are secrets: one point above the threshold protects them
    return ok | (_two_steps(rows, table.values[cells], x_atom, x_give, room) >= table.thresholds()[cells])


def _two_steps(
    rows: sp.csr_matrix, values: np.ndarray, atom: np.ndarray, give: np.ndarray, room: np.ndarray
) -> np.ndarray:
    """A feasible max of each cell (row of `rows`): per atom it straddles,
    the variable's mass outside the cell in that atom, up to the room its
    units inside have (per stored entry of `rows`)."""
    n_atoms = int(atom.max()) + 1
    row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    unit = rows.indices
    key = row_of * n_atoms + atom[unit]
    uniq, group = np.unique(key, return_inverse=True)
    atom_give = np.bincount(atom, weights=give, minlength=n_atoms)
    give_in = np.bincount(group, weights=give[unit])
    room_in = np.bincount(group, weights=room)
    out = atom_give[uniq % n_atoms] - give_in
    gain = np.maximum(np.minimum(out, room_in), 0.0)
    return values + np.bincount(uniq // n_atoms, weights=gain, minlength=rows.shape[0])


def mask_frame(code: str, mask: dict) -> pd.DataFrame:
    """{(row, period, ages): suppressed} as rows of secrecy.parquet."""
    if not mask:
        return pd.DataFrame(columns=["variable", "territory_row", "period", "ages", "suppressed"])
    keys = list(mask)
    return pd.DataFrame(
        {
            "variable": code,
            "territory_row": [k[0] for k in keys],
            "period": [k[1] for k in keys],
            "ages": [k[2] for k in keys],
            "suppressed": list(mask.values()),
        }
    )
