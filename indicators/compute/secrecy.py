"""Statistical secrecy: primary and secondary suppression, and the audit of
what an attacker can deduce from everything published together.

The model. A *table* is a set of finest units (for example commune × year)
holding non-negative counts `v`, and a set of cells (a territory at a level,
for a period), each the sum of some units: `t = A @ v` with `A` a 0/1 sparse
incidence matrix (cells × units). Cells are *shown* (the reader would see
them) or not (a level the indicator is never published at). A shown cell is
published unless suppressed. The attacker knows every published cell, that
every unit is ≥ 0, and nothing else: primary and secondary secrets carry the
same marker, so the rule "1 to threshold - 1 is secret" tells him nothing.

A secret cell is *protected* when its feasible range [min, max] is not a
single value and max ≥ threshold (he cannot prove it small).

Fast certification (no LP). Units with the same signature over the published
cells form an *atom*: moving mass between two units of an atom changes no
published cell. For a secret cell k, moving all the mass of the atoms it
straddles into k (or out of k) gives feasible points, hence certified bounds
max ≥ t_k + Σ out-mass and min ≤ t_k − Σ in-mass. Only the cells this cannot
certify go to an exact LP (HiGHS), on the units that are not published alone.

Secondary suppression adds, for each uncertified secret cell, the smallest
published *siblings* (same group: level, period; inside the smallest
published cell containing it) until the certification holds, and repeats.
Cells suppressed in the previous snapshot are preferred, to keep masks
stable. Everything here is pure: arrays in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog

_RNG_SEED = 20180612


@dataclass
class Table:
    """One secrecy table.

    incidence: (n_cells, n_units) 0/1 CSR matrix, cell = sum of its units.
    units: (n_units,) non-negative counts.
    shown: (n_cells,) bool, the cell is displayed at some level.
    group: (n_cells,) int, cells comparable as siblings (same level and period).
    previous: (n_cells,) bool, suppressed in the previous snapshot (stability).
    """

    incidence: sp.csr_matrix
    units: np.ndarray
    shown: np.ndarray
    group: np.ndarray
    previous: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.incidence = sp.csr_matrix(self.incidence, dtype=np.float64)
        self.units = np.asarray(self.units, dtype=np.float64)
        self.values = np.asarray(self.incidence @ self.units).ravel()
        self.sizes = np.asarray(self.incidence.sum(axis=1)).ravel()


@dataclass
class AuditResult:
    """Per secret cell, the attacker's range; which cells failed and how each
    was decided."""

    cells: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    certified_fast: int = 0
    solved_lp: int = 0
    failures: list[int] = field(default_factory=list)
    binding: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> dict:
        return {"secret_cells": int(len(self.cells)), "certified_without_lp": self.certified_fast,
                "solved_by_lp": self.solved_lp, "failures": len(self.failures)}


def primary_secret(values: np.ndarray, threshold: int) -> np.ndarray:
    """Counts from 1 to threshold - 1 are secret; 0 is publishable."""
    values = np.asarray(values, dtype=np.float64)
    if threshold <= 1:
        return np.zeros(values.shape, dtype=bool)
    return (values >= 1) & (values < threshold)


def _atoms(table: Table, published: np.ndarray) -> np.ndarray:
    """Atom id of every unit: units with equal signature over published cells."""
    rng = np.random.default_rng(_RNG_SEED)
    n_cells = table.incidence.shape[0]
    # integer weights below 2**40: sums of a few dozen stay exact in float64
    weights = rng.integers(1, 2**40, size=(n_cells, 2)).astype(np.float64)
    weights[~published] = 0.0
    signature = np.asarray(table.incidence.T @ weights)
    return _factorize(signature)


def _factorize(pairs: np.ndarray) -> np.ndarray:
    """Group ids of equal rows of an (n, 2) array (hash-based, no sort)."""
    return pd.DataFrame(pairs).groupby([0, 1], sort=False).ngroup().to_numpy()


def witness_bounds(table: Table, published: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Certified bounds for `cells` (indices): a feasible max (≤ true max)
    and a feasible min (≥ true min), from mass moves inside atoms."""
    if len(cells) == 0:
        return np.zeros(0), np.zeros(0)
    atom = _atoms(table, published)
    n_units = table.units.shape[0]
    n_atoms = int(atom.max()) + 1
    member = sp.csr_matrix((np.ones(n_units), (np.arange(n_units), atom)), shape=(n_units, n_atoms))
    mass = sp.csr_matrix((table.units, (np.arange(n_units), atom)), shape=(n_units, n_atoms))
    atom_size = np.asarray(member.sum(axis=0)).ravel()
    atom_mass = np.asarray(mass.sum(axis=0)).ravel()
    rows = table.incidence[cells]
    count_in = (rows @ member).tocoo()
    mass_in = (rows @ mass).tocsr()
    straddling = count_in.data < atom_size[count_in.col]
    r, a = count_in.row[straddling], count_in.col[straddling]
    inside = np.asarray(mass_in[r, a]).ravel()
    outside = atom_mass[a] - inside
    gain = np.bincount(r, weights=outside, minlength=len(cells))
    loss = np.bincount(r, weights=inside, minlength=len(cells))
    values = table.values[cells]
    return values + gain, values - loss


def _certified(upper: np.ndarray, lower: np.ndarray, threshold: int) -> np.ndarray:
    return (upper >= threshold) & (upper > lower + 1e-9)


def lp_bounds(table: Table, published: np.ndarray, cell: int) -> tuple[float, float, np.ndarray]:
    """Exact attacker range of one cell given all published cells (HiGHS),
    and the published cells that bind it (non-zero duals of the max and min
    problems): the ones to suppress if the range is too narrow."""
    A = table.incidence
    pub = np.flatnonzero(published)
    A_pub = A[pub]
    # units fixed because a published cell holds them alone
    singles = pub[table.sizes[pub] == 1]
    fixed = np.zeros(A.shape[1], dtype=bool)
    fixed[A[singles].indices] = True
    free = ~fixed
    target = A[cell]
    target_fixed = float((target[:, fixed] @ table.units[fixed]).sum()) if fixed.any() else 0.0
    c = np.asarray(target[:, free].todense()).ravel()
    if not c.any():
        holding = singles[np.isin(A[singles].indices, target.indices)]
        return target_fixed, target_fixed, holding
    rows = A_pub[:, free]
    rhs = table.values[pub] - (np.asarray(A_pub[:, fixed] @ table.units[fixed]).ravel() if fixed.any() else 0.0)
    row_cells = pub
    keep = np.asarray(rows.sum(axis=1)).ravel() > 0
    rows, rhs, row_cells = rows[keep], np.asarray(rhs).ravel()[keep], row_cells[keep]
    # restrict to the units connected to the target through the constraints
    units = _component(rows, np.flatnonzero(c))
    rows = rows[:, units]
    used = np.asarray(rows.sum(axis=1)).ravel() > 0
    rows, rhs, row_cells = rows[used], rhs[used], row_cells[used]
    c = c[units]
    bounds = [(0, None)] * len(units)
    constraints = {"A_eq": rows, "b_eq": rhs} if rows.shape[0] else {}
    low = linprog(c, bounds=bounds, method="highs", **constraints)
    high = linprog(-c, bounds=bounds, method="highs", **constraints)
    lower = low.fun if low.status == 0 else 0.0
    upper = -high.fun if high.status == 0 else np.inf
    binding = np.zeros(len(row_cells), dtype=bool)
    for solution in (low, high):
        marginals = getattr(getattr(solution, "eqlin", None), "marginals", None)
        if solution.status == 0 and marginals is not None and len(marginals):
            binding |= np.abs(np.asarray(marginals)) > 1e-9
    return target_fixed + lower, target_fixed + upper, row_cells[binding]


def _component(rows: sp.csr_matrix, seeds: np.ndarray) -> np.ndarray:
    """Units reachable from `seeds` through shared constraint rows."""
    n_units = rows.shape[1]
    reached = np.zeros(n_units, dtype=bool)
    reached[seeds] = True
    rows_csc = rows.tocsc()
    frontier = seeds
    seen_rows = np.zeros(rows.shape[0], dtype=bool)
    while len(frontier):
        touched = np.unique(rows_csc[:, frontier].indices)
        touched = touched[~seen_rows[touched]]
        seen_rows[touched] = True
        if not len(touched):
            break
        new_units = np.unique(rows[touched].indices)
        new_units = new_units[~reached[new_units]]
        reached[new_units] = True
        frontier = new_units
    return np.flatnonzero(reached)


def audit(table: Table, suppressed: np.ndarray, threshold: int) -> AuditResult:
    """Range of every secret cell as the attacker sees it; failures are cells
    pinned to one value or proved below the threshold."""
    suppressed = suppressed & table.shown
    published = table.shown & ~suppressed
    cells = np.flatnonzero(suppressed)
    upper, lower = witness_bounds(table, published, cells)
    ok = _certified(upper, lower, threshold)
    result = AuditResult(cells=cells, lower=lower, upper=upper, certified_fast=int(ok.sum()))
    for i in np.flatnonzero(~ok):
        lo, hi, binding = lp_bounds(table, published, int(cells[i]))
        result.lower[i], result.upper[i] = lo, hi
        result.solved_lp += 1
        if not _certified(np.array([hi]), np.array([lo]), threshold)[0]:
            result.failures.append(int(cells[i]))
            result.binding[int(cells[i])] = binding
    return result


def _twins(table: Table) -> np.ndarray:
    """An id per cell such that cells with the same set of units share it."""
    rng = np.random.default_rng(_RNG_SEED + 1)
    n_units = table.incidence.shape[1]
    weights = rng.integers(1, 2**40, size=(n_units, 2)).astype(np.float64)
    signature = np.asarray(table.incidence @ weights)
    return _factorize(signature)


def _smallest_container(table: Table, published: np.ndarray, cell: int) -> int | None:
    """The smallest published cell containing every unit of `cell` (not a twin)."""
    target = table.incidence[cell]
    overlap = np.asarray((table.incidence @ target.T).todense()).ravel()
    containing = np.flatnonzero(published & (overlap >= table.sizes[cell]) & (table.sizes > table.sizes[cell]))
    if not len(containing):
        return None
    return int(containing[np.argmin(table.sizes[containing])])


def _siblings(table: Table, published: np.ndarray, cell: int, parent: int | None) -> np.ndarray:
    """Published cells of the same group, disjoint from `cell` and inside
    every published cell that contains it (only those can share its atom
    once suppressed), best first: previously suppressed, then smallest
    value, zeros last."""
    A = table.incidence
    candidates = np.flatnonzero(published & (table.group == table.group[cell]))
    if not len(candidates):
        return candidates
    overlap_cell = np.asarray((A[candidates] @ A[cell].T).todense()).ravel()
    keep = overlap_cell == 0
    overlap = np.asarray((A @ A[cell].T).todense()).ravel()
    containers = np.flatnonzero(published & (overlap >= table.sizes[cell]) & (table.sizes > table.sizes[cell]))
    if len(containers):
        inside = np.asarray((A[candidates] @ A[containers].T).todense())
        keep &= (inside >= table.sizes[candidates][:, None]).all(axis=1)
    candidates = candidates[keep]
    previous = table.previous[candidates] if table.previous is not None else np.zeros(len(candidates), bool)
    values = table.values[candidates]
    # zeros last: they add no mass an attacker could move onto a secret cell
    order = np.lexsort((candidates, values, values == 0, ~previous))
    return candidates[order]


def _widen(table: Table, suppressed: np.ndarray, cell: int, need: float, escalate: bool = True) -> bool:
    """Suppress siblings of `cell` worth `need`, or its container when it has
    none left. Returns whether anything was added.

    Cells suppressed last time come first (stable masks, no new loss); then
    the smallest single sibling that covers the need, which is both one cell
    and, usually, less than several small ones added up; failing that the
    largest, and again."""
    published = table.shown & ~suppressed
    parent = _smallest_container(table, published, cell)
    siblings = list(_siblings(table, published, cell, parent))
    chosen = []
    previous = table.previous if table.previous is not None else np.zeros(len(table.values), bool)
    for sibling in [s for s in siblings if previous[s]]:
        chosen.append(sibling)
        need -= table.values[sibling]
        if need <= 0:
            break
    rest = [s for s in siblings if not previous[s] and table.values[s] > 0]
    while need > 0 and rest:
        covering = [s for s in rest if table.values[s] >= need]
        pick = covering[0] if covering else rest[-1]  # siblings are in ascending value
        chosen.append(pick)
        rest.remove(pick)
        need -= table.values[pick]
    if not chosen and siblings:
        chosen = siblings[:1]  # only zeros left: they still stop a cell being pinned
    for sibling in chosen:
        suppressed[sibling] = True
    if not chosen and escalate and parent is not None:
        suppressed[parent] = True
        return True
    return bool(chosen)


def _release(table: Table, suppressed: np.ndarray, binding: np.ndarray) -> bool:
    """Suppress the smallest published cell among those that pin a secret
    one (from the LP duals), so that mass can move again."""
    candidates = binding[table.shown[binding] & ~suppressed[binding]]
    if not len(candidates):
        return False
    previous = table.previous[candidates] if table.previous is not None else np.zeros(len(candidates), bool)
    order = np.lexsort((candidates, table.values[candidates], ~previous))
    suppressed[candidates[order[0]]] = True
    return True


def _unrelease(table: Table, suppressed: np.ndarray, threshold: int, released: list[int],
               budget: int = 4) -> np.ndarray:
    """Extra cells chosen one at a time may have become unnecessary once
    later ones were: publish each again (largest first, those released by
    the exact check first) if the audit still passes without it."""
    primary = primary_secret(table.values, threshold)
    others = [int(c) for c in np.flatnonzero(suppressed & ~primary & table.shown) if c not in set(released)]
    candidates = sorted(set(released), key=lambda c: -table.values[c]) + \
        sorted(others, key=lambda c: -table.values[c])
    for cell in candidates[:budget]:
        trial = suppressed.copy()
        trial[cell] = False
        if audit(table, trial, threshold).ok:
            suppressed = trial
    return suppressed


def secondary_suppression(table: Table, threshold: int, max_rounds: int = 100) -> np.ndarray:
    """Primary secrets plus the fewest, smallest extra cells so that every
    secret cell is protected. Returns the suppressed mask (shown cells only)."""
    suppressed = primary_secret(table.values, threshold) & table.shown
    if not suppressed.any():
        return suppressed
    twins = _twins(table)
    widened: set[int] = set()
    for _ in range(max_rounds):
        # a cell made of the same units as a secret one is the same number
        suppressed |= table.shown & np.isin(twins, twins[suppressed])
        published = table.shown & ~suppressed
        cells = np.flatnonzero(suppressed)
        upper, lower = witness_bounds(table, published, cells)
        # cells that lack mass get siblings, once each; whether the others
        # (pinned only in appearance, e.g. overlapping pooled periods) are
        # safe is for the exact check below to say
        needy = ~_certified(upper, lower, threshold) & (upper < threshold)
        added = deferred = False
        touched: set[int] = set()
        for cell, high in zip(cells[needy], upper[needy], strict=True):
            if int(cell) in widened:
                continue
            parent = _smallest_container(table, table.shown & ~suppressed, int(cell))
            if parent is not None and parent in touched:
                deferred = True  # a sibling added this round may already cover it
                continue
            widened.add(int(cell))
            if _widen(table, suppressed, int(cell), max(threshold - high, 1.0), escalate=False):
                added = True
                if parent is not None:
                    touched.add(parent)
        if not added and not deferred:
            break
    # what atoms could not certify: exact check, widening around failures
    released: list[int] = []
    for _ in range(max_rounds):
        suppressed |= table.shown & np.isin(twins, twins[suppressed])
        result = audit(table, suppressed, threshold)
        if result.ok:
            # trying every extra cell again is cheap only where atoms decide
            # almost everything (not on overlapping pooled periods)
            return _unrelease(table, suppressed, threshold, released,
                              budget=4 if result.solved_lp <= 5 else len(set(released)))
        added = False
        for cell in result.failures:
            before = suppressed.copy()
            added |= _release(table, suppressed, result.binding.get(cell, np.zeros(0, int))) \
                or _widen(table, suppressed, cell, 1.0)
            released += np.flatnonzero(suppressed & ~before).tolist()
        if not added:
            suppressed |= table.shown  # nothing left to publish safely
    return suppressed
