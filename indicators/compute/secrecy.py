"""Statistical secrecy: primary and secondary suppression, and the audit of
what an attacker can deduce from everything published together.

The model. A *table* is a set of finest units (commune × year × age part)
holding non-negative counts `v`, and a set of cells (a territory at a level,
for a period and an age restriction), each the sum
of some units: `t = A @ v` with `A` a 0/1 sparse incidence matrix (cells ×
units). A cell is *shown* (some reader would see it) or *hidden* (a commune of
a variable never published at commune level: nobody reads it, but a small one
is still a secret to protect). A shown cell is published unless suppressed.

The attacker knows every published cell, that every unit lies between its
floor and its cap (0 and +∞, or the values of related variables: a count of
RSA recipients never exceeds the population aged 15-64 it is a part of), that
counts are integers, and nothing else: primary and secondary secrets carry
the same marker and the same neutral reason, so the rule "1 to threshold - 1
is secret" tells him nothing. He computes the range of a cell by linear
programming and rounds it to integers.

A cell is *protected* when that integer range is not a single value and its
top reaches the cell's threshold (he cannot prove it small). Cells that must
be protected: the secrets, every cell (shown or hidden) whose count is from 1
to its threshold - 1. The cells suppressed to protect them hold 0 or a count
at or above the threshold: pinning one tells nothing secret.

Fast certification (no LP). Units with the same signature over the published
cells form an *atom*: moving mass between two units of an atom changes no
published cell. For a cell k, moving mass of the atoms it straddles into k
(or out of k), within the units' floors and caps, gives feasible points,
hence certified bounds. Only the cells this cannot certify go to an exact LP
(HiGHS, one model per table and published set, reused across cells), over
atoms refined by the cells asked about.

Secondary suppression adds, for each uncertified secret cell, the smallest
published *siblings* (same group: level, period; inside the smallest
published cell containing it) until the certification holds, then asks the
LP and suppresses the smallest published cell that binds a failing one.
Cells suppressed in the previous snapshot are preferred, to keep masks
stable.

Everything here is pure: arrays in, arrays out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

_RNG_SEED = 20180612
#: Stands for "no cap" in sums (finite, so that differences stay defined).
NO_CAP = 1e12
_EPS = 1e-6


class Table:
    """One secrecy table.

    incidence: (n_cells, n_units) 0/1 CSR matrix, cell = sum of its units.
    units: (n_units,) non-negative counts.
    shown: (n_cells,) bool, the cell may be published (else hidden).
    group: (n_cells,) int, cells comparable as siblings (same level and period).
    previous: (n_cells,) bool, suppressed in the previous snapshot (stability).
    threshold: (n_cells,) int, the cell's secrecy threshold (None: the one
        passed to each function).
    cap, floor: (n_units,) what the attacker knows bounds each unit (None:
        +∞ and 0; always arrays once the table is built).
    """

    def __init__(
        self,
        incidence: sp.csr_matrix,
        units: np.ndarray,
        shown: np.ndarray,
        group: np.ndarray,
        previous: np.ndarray | None = None,
        threshold: np.ndarray | None = None,
        cap: np.ndarray | None = None,
        floor: np.ndarray | None = None,
    ) -> None:
        self.incidence = sp.csr_matrix(incidence, dtype=np.float64)
        self.units = np.asarray(units, dtype=np.float64)
        self.shown = np.asarray(shown, dtype=bool)
        self.group = group
        self.previous = previous
        self.threshold = threshold
        self.values = np.asarray(self.incidence @ self.units).ravel()
        self.sizes = np.asarray(self.incidence.sum(axis=1)).ravel()
        n_units = self.units.shape[0]
        self.cap: np.ndarray = (
            np.full(n_units, NO_CAP) if cap is None else np.minimum(np.asarray(cap, dtype=np.float64), NO_CAP)
        )
        self.floor: np.ndarray = np.zeros(n_units) if floor is None else np.asarray(floor, dtype=np.float64)

    def thresholds(self, threshold: int | None = None) -> np.ndarray:
        if self.threshold is not None:
            return np.asarray(self.threshold, dtype=np.float64)
        return np.full(self.incidence.shape[0], float(threshold or 0))


@dataclass
class AuditResult:
    """Per cell that must be protected, the attacker's range (exact where
    the LP failed to certify it; for a certified cell, a feasible range
    within it); which cells failed and how each was decided."""

    cells: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    certified_fast: int = 0
    solved_lp: int = 0
    failures: list[int] = field(default_factory=list)
    binding: dict[int, np.ndarray] = field(default_factory=dict)
    lp_certified: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> dict:
        return {
            "secret_cells": int(len(self.cells)),
            "certified_without_lp": self.certified_fast,
            "solved_by_lp": self.solved_lp,
            "failures": len(self.failures),
        }


def primary_secret(values: np.ndarray, threshold: float | np.ndarray) -> np.ndarray:
    """Counts from 1 to threshold - 1 are secret; 0 is publishable.
    `threshold` is a number or an array aligned with `values`."""
    values = np.asarray(values, dtype=np.float64)
    threshold = np.asarray(threshold, dtype=np.float64)
    return (values >= 1) & (values < threshold) & (threshold > 1)


def must_protect(table: Table, suppressed: np.ndarray, threshold: int | None = None) -> np.ndarray:
    """Cells whose range the attacker must not narrow: the secrets (counts
    from 1 to the threshold - 1), shown or hidden. A cell suppressed only to
    protect them holds 0 or a count at or above the threshold: pinning it
    tells nothing secret."""
    return primary_secret(table.values, table.thresholds(threshold))


def certified(upper: np.ndarray, lower: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Integer range [ceil(lower), floor(upper)] reaches the threshold and
    holds more than one value."""
    top = np.floor(np.asarray(upper) + _EPS)
    bottom = np.ceil(np.asarray(lower) - _EPS)
    return (top >= threshold) & (top > bottom)


def _signature_ids(incidence: sp.csr_matrix, rows: np.ndarray, seed: int) -> np.ndarray:
    """Id per unit: units covered by the same set of `rows` share it."""
    rng = np.random.default_rng(seed)
    n_cells = incidence.shape[0]
    # two sums of integer weights below 2**40 (exact in float64), mixed into
    # one 64-bit key: two different sets collide with odds far below 2**-60
    weights = rng.integers(1, 2**40, size=(n_cells, 2)).astype(np.float64)
    weights[~rows] = 0.0
    return _factorize(np.asarray(incidence.T @ weights))


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _factorize(pairs: np.ndarray) -> np.ndarray:
    """Group ids of equal rows of an (n, 2) array of whole numbers."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=np.int64)
    first = pairs[:, 0].astype(np.uint64)
    second = pairs[:, 1].astype(np.uint64)
    with np.errstate(over="ignore"):
        key = first * _MIX + (second ^ (second >> np.uint64(29)))
    return pd.factorize(key)[0]


def move_bounds(
    incidence: sp.csr_matrix,
    values: np.ndarray,
    atom: np.ndarray,
    out_cap: np.ndarray,
    in_cap: np.ndarray,
    cells: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of `cells` reached by moving mass between units of the same
    atom (which no published cell tells apart): each unit can give at most
    `out_cap` and take at most `in_cap`. Returns (a feasible max, a feasible
    min) of each cell, given its true value in `values`."""
    if len(cells) == 0:
        return np.zeros(0), np.zeros(0)
    n_units = len(atom)
    n_atoms = int(atom.max()) + 1 if n_units else 0
    unit_index = np.arange(n_units)

    def per_atom(weights: np.ndarray) -> sp.csr_matrix:
        return sp.csr_matrix((weights, (unit_index, atom)), shape=(n_units, n_atoms))

    member, give, take = per_atom(np.ones(n_units)), per_atom(out_cap), per_atom(in_cap)
    atom_size = np.asarray(member.sum(axis=0)).ravel()
    atom_give = np.asarray(give.sum(axis=0)).ravel()
    atom_take = np.asarray(take.sum(axis=0)).ravel()
    rows = incidence[cells]
    count_in = (rows @ member).tocoo()
    straddling = count_in.data < atom_size[count_in.col] - 0.5
    r, a = count_in.row[straddling], count_in.col[straddling]

    def inside(matrix: sp.csr_matrix) -> np.ndarray:
        return np.asarray((rows @ matrix).tocsr()[r, a]).ravel()

    give_in, take_in = inside(give), inside(take)
    give_out, take_out = atom_give[a] - give_in, atom_take[a] - take_in
    gain = np.maximum(np.minimum(give_out, take_in), 0.0)
    loss = np.maximum(np.minimum(give_in, take_out), 0.0)
    return (
        values + np.bincount(r, weights=gain, minlength=len(cells)),
        values - np.bincount(r, weights=loss, minlength=len(cells)),
    )


def witness_bounds(table: Table, published: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Certified bounds for `cells` (indices): a feasible max (≤ true max)
    and a feasible min (≥ true min), from mass moves inside atoms that keep
    every unit between its floor and its cap."""
    if len(cells) == 0:
        return np.zeros(0), np.zeros(0)
    atom = _signature_ids(table.incidence, published, _RNG_SEED)
    return move_bounds(
        table.incidence,
        table.values[cells],
        atom,
        np.maximum(table.units - table.floor, 0),
        np.maximum(table.cap - table.units, 0),
        cells,
    )


def signature_ids(incidence: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """Atom id of each unit over the cells `rows` (see witness_bounds)."""
    return _signature_ids(incidence, rows, _RNG_SEED)


def reach(
    matrix: sp.csr_matrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    targets: sp.csr_matrix,
    constants: np.ndarray,
    goals: np.ndarray,
) -> np.ndarray:
    """One LP for many cells at once: a feasible point that brings as many
    targets as it can up to their goals (maximise Σ min(target, goal)).
    Returns each target's value at that point: a target at its goal or
    above has an attacker max at least that high. Bounds: ±inf allowed."""
    import highspy

    n, k = matrix.shape[1], targets.shape[0]
    if k == 0:
        return np.zeros(0)
    room = np.maximum(np.asarray(goals, dtype=np.float64) - constants, 0.0)
    A = sp.vstack(
        [sp.hstack([matrix, sp.csr_matrix((matrix.shape[0], k))]), sp.hstack([-targets, sp.identity(k)])], format="csc"
    )
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    infinity = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + k, A.shape[0]
    lp.col_cost_ = np.concatenate([np.zeros(n), -np.ones(k)])
    lp.col_lower_ = np.concatenate([col_lower, np.zeros(k)])
    lp.col_upper_ = np.concatenate([np.where(col_upper >= NO_CAP, infinity, col_upper), room])
    lower = np.concatenate([row_lower, np.full(k, -np.inf)])
    upper = np.concatenate([row_upper, np.zeros(k)])
    lp.row_lower_ = np.where(np.isinf(lower), -infinity, lower)
    lp.row_upper_ = np.where(np.isinf(upper), infinity, upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return np.asarray(constants, dtype=np.float64).copy()  # nothing proved: ask cell by cell
    x = np.asarray(highs.getSolution().col_value)[:n]
    return np.asarray(targets @ x).ravel() + constants


def goals_of(values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """What a cell's max must reach to be protected by a single point: its
    threshold, and above its true value (then it is not pinned either)."""
    return np.maximum(thresholds, np.floor(values + _EPS) + 1)


class Attacker:
    """The exact attacker of one table for one published set: the LP range
    of any cell given the published cells and the units' floors and caps.

    Columns are atoms refined by the cells asked about (units no published
    cell nor asked cell tells apart), so that a cell is a sum of whole
    columns. An atom held alone by a published cell is a known value: it
    stays out of the model (subtracted from the rows holding it) until that
    cell is suppressed. One HiGHS model serves every cell, and suppressing a
    cell only relaxes a row or brings a column in (warm starts)."""

    def __init__(self, table: Table, published: np.ndarray, targets: np.ndarray):
        import highspy

        self.table = table
        A = table.incidence
        rows = published.copy()
        rows[targets] = True
        atom = _signature_ids(A, rows, _RNG_SEED + 2)
        n_units, n_atoms = A.shape[1], int(atom.max()) + 1
        self.member = sp.csr_matrix((np.ones(n_units), (np.arange(n_units), atom)), shape=(n_units, n_atoms))
        self.atom_value = np.asarray(self.member.T @ table.units).ravel()
        self.atom_floor = np.asarray(self.member.T @ table.floor).ravel()
        self.atom_cap = np.minimum(np.asarray(self.member.T @ table.cap).ravel(), NO_CAP)
        cells = np.flatnonzero(published)
        P = (A[cells] @ self.member).tocsr()
        P.data[:] = 1.0
        single = np.diff(P.indptr) == 1
        # an atom alone in a published cell is known: its holders fix it
        hold_atoms = P.indices[P.indptr[:-1][single]]
        order = np.argsort(hold_atoms, kind="stable")
        self.h_atoms, self.h_cells = hold_atoms[order], cells[single][order]
        self.h_alive = np.ones(len(self.h_atoms), dtype=bool)
        self.h_index = dict(zip(self.h_cells.tolist(), range(len(self.h_cells)), strict=True))
        kept = ~single & (np.diff(P.indptr) > 0)
        self.row_cells = cells[kept]
        self.row_of_cell = {int(c): r for r, c in enumerate(self.row_cells)}
        self.rows = P[kept].tocsc()  # model rows × every atom
        self.rows_t = self.rows.T.tocsr()  # every atom × model rows
        fixed = np.zeros(n_atoms, dtype=bool)
        fixed[self.h_atoms] = True
        self.columns: list[int] = np.flatnonzero(~fixed).tolist()
        self.position = np.full(n_atoms, -1, dtype=np.int64)
        self.position[self.columns] = np.arange(len(self.columns))
        rhs = table.values[self.row_cells] - np.asarray(self.rows[:, fixed] @ self.atom_value[fixed]).ravel()
        self.row_lower, self.row_upper = rhs.copy(), rhs.copy()
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        # from cell to cell only the objective changes: the primal simplex
        # restarts from the last basis, still feasible (several times faster)
        self.highs.setOptionValue("simplex_strategy", 4)
        self.highs.setOptionValue("presolve", "off")
        lp = highspy.HighsLp()
        matrix = self.rows[:, self.columns].tocsc()
        lp.num_col_, lp.num_row_ = len(self.columns), len(self.row_cells)
        lp.col_cost_ = np.zeros(len(self.columns))
        lp.col_lower_ = self.atom_floor[self.columns]
        lp.col_upper_ = self._upper(np.asarray(self.columns, dtype=np.int64))
        lp.row_lower_ = rhs
        lp.row_upper_ = rhs
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data
        self.highs.passModel(lp)
        self._covered: dict[int, np.ndarray] = {}

    def _upper(self, atoms: np.ndarray) -> np.ndarray:
        import highspy

        upper = self.atom_cap[atoms]
        return np.where(upper >= NO_CAP, highspy.kHighsInf, upper)

    def free_cell(self, cell: int) -> bool:
        """The cell is no longer published: relax its row, or bring in the
        atom it held alone. Always True (the model is kept)."""
        import highspy

        cell = int(cell)
        row = self.row_of_cell.get(cell)
        if row is not None:
            self.row_lower[row], self.row_upper[row] = -np.inf, np.inf
            self.highs.changeRowBounds(row, -highspy.kHighsInf, highspy.kHighsInf)
        index = self.h_index.pop(cell, None)
        if index is not None:
            self.h_alive[index] = False
            atom = int(self.h_atoms[index])
            if not self._holders(atom) and self.position[atom] < 0:
                self._bring_in(atom)
        return True

    def _holders(self, atom: int) -> list[int]:
        left, right = np.searchsorted(self.h_atoms, [atom, atom + 1])
        return self.h_cells[left:right][self.h_alive[left:right]].tolist()

    def _bring_in(self, atom: int) -> None:

        entries = self.rows[:, atom]
        rows = entries.indices.astype(np.int32)
        value = self.atom_value[atom]
        for r in rows:  # the rows no longer count it as known
            if np.isfinite(self.row_lower[r]):
                self.row_lower[r] += value
                self.row_upper[r] += value
                self.highs.changeRowBounds(int(r), float(self.row_lower[r]), float(self.row_upper[r]))
        upper = float(self._upper(np.array([atom]))[0])
        self.highs.addCol(0.0, float(self.atom_floor[atom]), upper, len(rows), rows, np.ones(len(rows)))
        self.position[atom] = len(self.columns)
        self.columns.append(atom)
        self._covered.clear()

    def reached(self, cells: np.ndarray, goals: np.ndarray) -> np.ndarray:
        """Which cells one feasible point takes to their goals."""
        covered = (self.table.incidence[cells] @ self.member).tocsr()
        covered.data[:] = 1.0
        inside = self.position >= 0
        constants = np.asarray(covered[:, ~inside] @ self.atom_value[~inside]).ravel()
        values = reach(
            self.rows[:, self.columns].tocsr(),
            self.row_lower,
            self.row_upper,
            self.atom_floor[self.columns],
            self.atom_cap[self.columns],
            covered[:, self.columns],
            constants,
            goals,
        )
        return values >= goals - _EPS

    def range(self, cell: int, senses: tuple[float, ...] = (1.0, -1.0)) -> tuple[float, float, np.ndarray]:
        """(min, max, binding published cells) of one cell. senses=(-1.0,):
        the max alone (the min is then -inf), and what binds it."""
        import highspy

        covered = self._covered.get(cell)
        if covered is None:
            atoms_of_units = self.member.T[:, self.table.incidence[cell].indices].tocsr()
            covered = np.flatnonzero(np.diff(atoms_of_units.indptr) > 0)
            self._covered[cell] = covered
        known = covered[self.position[covered] < 0]
        constant = float(self.atom_value[known].sum())
        columns = self.position[covered[self.position[covered] >= 0]].astype(np.int32)
        if len(columns) == 0:
            return (
                constant,
                constant,
                np.array(sorted({c for a in known for c in self._holders(int(a))}), dtype=np.int64),
            )
        bounds, binding = {1.0: -np.inf}, np.zeros(len(self.row_cells), dtype=bool)
        fixed_binding: set[int] = set()
        outside = np.flatnonzero(self.position < 0)
        for sense in senses:
            self.highs.changeColsCost(len(columns), columns, np.full(len(columns), sense))
            self.highs.run()
            status = self.highs.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                bounds[sense] = sense * self.highs.getInfo().objective_function_value + constant
                duals = np.asarray(self.highs.getSolution().row_dual)
                binding |= np.abs(duals) > 1e-9
                if len(outside):
                    # a known atom binds when its reduced cost is not zero
                    reduced = -np.asarray(self.rows_t @ duals).ravel()
                    reduced[known] += sense
                    for atom in outside[np.abs(reduced[outside]) > 1e-9]:
                        fixed_binding.update(self._holders(int(atom)))
            elif sense < 0 and status in (
                highspy.HighsModelStatus.kUnbounded,
                highspy.HighsModelStatus.kUnboundedOrInfeasible,
            ):
                bounds[sense] = np.inf  # unbounded above: no published cell caps it
            else:
                raise RuntimeError(f"secrecy LP of cell {cell}: {self.highs.modelStatusToString(status)}")
            self.highs.changeColsCost(len(columns), columns, np.zeros(len(columns)))
        lower, upper = bounds[1.0], bounds.get(-1.0, np.inf)
        cells = np.concatenate([self.row_cells[binding], np.array(sorted(fixed_binding), dtype=np.int64)])
        return lower, upper, np.unique(cells)


def audit(
    table: Table,
    suppressed: np.ndarray,
    threshold: int | None = None,
    cells: np.ndarray | None = None,
    trusted: set[int] | None = None,
) -> AuditResult:
    """Range of every cell that must be protected (or of `cells`) as the
    attacker sees it; failures are cells pinned to one value or proved
    below their threshold. `trusted`: cells the LP certified with more
    cells published than now (still certified: he knows less)."""
    suppressed = suppressed & table.shown
    published = table.shown & ~suppressed
    if cells is None:
        cells = np.flatnonzero(must_protect(table, suppressed, threshold))
    thresholds = table.thresholds(threshold)[cells]
    upper, lower = witness_bounds(table, published, cells)
    ok = certified(upper, lower, thresholds)
    result = AuditResult(cells=cells, lower=lower, upper=upper, certified_fast=int(ok.sum()))
    # no attacker gets a cell above the sum of its units' caps: below the
    # threshold, it fails without asking the LP
    capped = np.asarray(table.incidence[cells] @ table.cap).ravel() if len(cells) else np.zeros(0)
    hopeless = ~ok & (np.floor(capped + _EPS) < thresholds)
    for i in np.flatnonzero(hopeless):
        result.upper[i] = capped[i]
        result.failures.append(int(cells[i]))
        result.binding[int(cells[i])] = np.zeros(0, dtype=np.int64)
    todo = np.flatnonzero(~ok & ~hopeless)
    if trusted:
        known = np.isin(cells[todo], list(trusted))
        result.lp_certified |= set(cells[todo][known].tolist())
        result.certified_fast += int(known.sum())
        todo = todo[~known]
    if len(todo):
        attacker = Attacker(table, published, cells[todo])
        goals = goals_of(table.values[cells[todo]], thresholds[todo])
        if len(todo) > 2:  # one point for many cells, then each of the rest alone
            reached = attacker.reached(cells[todo], goals)
            result.lp_certified |= set(cells[todo][reached].tolist())
            result.solved_lp += int(reached.sum())
            todo = todo[~reached]
        for i in todo:
            # the max, and a feasible min (no lower than the true one): if
            # they certify the cell, so would the true min; else the min too
            lo, hi, binding = attacker.range(int(cells[i]), senses=(-1.0,))
            if certified(np.array([hi]), lower[i : i + 1], thresholds[i : i + 1])[0]:
                lo = lower[i]
            else:
                lo, _, binding_min = attacker.range(int(cells[i]), senses=(1.0,))
                binding = np.union1d(binding, binding_min)
            result.lower[i], result.upper[i] = lo, hi
            result.solved_lp += 1
            if not certified(np.array([hi]), np.array([lo]), thresholds[i : i + 1])[0]:
                result.failures.append(int(cells[i]))
                result.binding[int(cells[i])] = binding
            else:
                result.lp_certified.add(int(cells[i]))
    return result


def _twins(table: Table) -> np.ndarray:
    """An id per cell such that cells with the same set of units share it."""
    rng = np.random.default_rng(_RNG_SEED + 1)
    n_units = table.incidence.shape[1]
    weights = rng.integers(1, 2**40, size=(n_units, 2)).astype(np.float64)
    return _factorize(np.asarray(table.incidence @ weights))


def _smallest_container(table: Table, published: np.ndarray, cell: int) -> int | None:
    """The smallest published cell containing every unit of `cell` (not a twin)."""
    target = table.incidence[cell]
    overlap = np.asarray((table.incidence @ target.T).todense()).ravel()
    containing = np.flatnonzero(published & (overlap >= table.sizes[cell]) & (table.sizes > table.sizes[cell]))
    if not len(containing):
        return None
    return int(containing[np.argmin(table.sizes[containing])])


def _siblings(table: Table, published: np.ndarray, cell: int) -> np.ndarray:
    """Published free cells of the same group, disjoint from `cell` and
    inside every published cell that contains it (only those can share its
    atom once suppressed), best first: previously suppressed, then smallest
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
    siblings = list(_siblings(table, published, cell))
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


def _release(table: Table, suppressed: np.ndarray, binding: np.ndarray, need: float = 0.0) -> bool:
    """Suppress one published free cell among those that pin a secret one
    (from the LP duals), so that mass can move again: the highest ranked,
    then previously suppressed, then, when the secret lacks `need` of
    mass, the smallest that brings it (else the largest), otherwise the
    smallest."""
    candidates = binding[table.shown[binding] & ~suppressed[binding]]
    if not len(candidates):
        return False
    previous = table.previous[candidates] if table.previous is not None else np.zeros(len(candidates), bool)
    values = table.values[candidates]
    if need > 0 and (values > 0).any():
        # a zero brings no mass: the smallest that covers the need, else the largest
        enough = values >= need
        cost = np.where(enough, values, np.where(values > 0, 2 * NO_CAP - values, 4 * NO_CAP))
    else:
        cost = values
    order = np.lexsort((candidates, cost, ~previous))
    suppressed[candidates[order[0]]] = True
    return True


def _repair(
    table: Table,
    suppressed: np.ndarray,
    failing: list[int],
    threshold: int | None,
    fix: Callable[[int, np.ndarray, float], bool],
    max_steps: int = 20,
) -> list[int]:
    """For each failing cell, ask the LP and let `fix(cell, binding, need)`
    suppress something (it returns whether it did), until the cell is
    protected, keeping one model warm across steps. Returns the cells
    suppressed (they must be audited in turn)."""
    thresholds = table.thresholds(threshold)
    attacker = Attacker(table, table.shown & ~suppressed, np.array(failing, dtype=np.int64))
    added: list[int] = []
    for cell in failing:
        # a secret cell is protected when its max reaches the threshold:
        # only what binds the max is asked for (and suppressed)
        secret = 1 <= table.values[cell] < thresholds[cell]
        for _ in range(max_steps):
            low, high, binding = attacker.range(cell, senses=(-1.0,) if secret else (1.0, -1.0))
            if secret:
                low = table.values[cell]  # the truth is feasible: the min is no higher
            if certified(np.array([high]), np.array([low]), thresholds[cell : cell + 1])[0]:
                break
            before = suppressed.copy()
            need = max(float(thresholds[cell] - np.floor(high + _EPS)), 0.0) if np.isfinite(high) else 0.0
            if not fix(cell, binding, need):
                break
            new = np.flatnonzero(suppressed & ~before)
            added += new.tolist()
            if not all(attacker.free_cell(int(c)) for c in new):
                attacker = Attacker(table, table.shown & ~suppressed, np.array(failing, dtype=np.int64))
    return added


def _unrelease(
    table: Table, suppressed: np.ndarray, threshold: int | None, released: list[int], budget: int = 4
) -> np.ndarray:
    """Extra cells chosen one at a time may have become unnecessary once
    later ones were: publish each again (largest first, those released by
    the exact check first) if the audit still passes without it."""
    primary = primary_secret(table.values, table.thresholds(threshold))
    others = [int(c) for c in np.flatnonzero(suppressed & ~primary & table.shown) if c not in set(released)]
    candidates = sorted(set(released), key=lambda c: -table.values[c]) + sorted(others, key=lambda c: -table.values[c])
    for cell in candidates[:budget]:
        trial = suppressed.copy()
        trial[cell] = False
        if audit(table, trial, threshold).ok:
            suppressed = trial
    return suppressed


def secondary_suppression(
    table: Table, threshold: int | None = None, max_rounds: int = 100, suppressed: np.ndarray | None = None
) -> np.ndarray:
    """Primary secrets plus the fewest, smallest extra cells so that every
    cell that must be protected is. Returns the suppressed mask (shown cells
    only). `suppressed`, if given, is the starting mask."""
    thresholds = table.thresholds(threshold)
    primary = primary_secret(table.values, thresholds) & table.shown
    start = np.zeros(len(table.values), bool) if suppressed is None else suppressed.copy()
    suppressed = (start | primary) & table.shown
    if not must_protect(table, suppressed, threshold).any():
        return suppressed
    twins = _twins(table)
    widened: set[int] = set()
    free = table.shown
    for _ in range(max_rounds):
        # a cell made of the same units as a secret one is the same number
        suppressed |= free & np.isin(twins, twins[suppressed])
        published = table.shown & ~suppressed
        cells = np.flatnonzero(suppressed)
        upper, lower = witness_bounds(table, published, cells)
        # cells that lack mass get siblings, once each; whether the others
        # (pinned only in appearance, e.g. overlapping pooled periods) are
        # safe is for the exact check below to say
        needy = ~certified(upper, lower, thresholds[cells]) & (upper < thresholds[cells])
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
            if _widen(table, suppressed, int(cell), max(thresholds[cell] - high, 1.0), escalate=False):
                added = True
                if parent is not None:
                    touched.add(parent)
        if not added and not deferred:
            break
    # what atoms could not certify: exact check, widening around failures.
    # From here the published set only shrinks, and a cell protected stays
    # protected (the attacker knows less): after the first audit, only the
    # cells that failed and those newly suppressed are audited again.
    released: list[int] = []
    trusted: set[int] = set()
    pending: np.ndarray | None = None
    lp_used = 0

    def fix(cell: int, binding: np.ndarray, need: float) -> bool:
        """Free a binding cell, or widen around the failing one."""
        return _release(table, suppressed, binding, need) or bool(
            table.shown[cell] and _widen(table, suppressed, cell, 1.0)
        )

    for _ in range(max_rounds):
        before_twins = suppressed.copy()
        suppressed |= free & np.isin(twins, twins[suppressed])
        if pending is not None:
            pending = np.union1d(pending, np.flatnonzero(suppressed & ~before_twins))
        result = audit(table, suppressed, threshold, trusted=trusted, cells=pending)
        trusted |= result.lp_certified
        lp_used += result.solved_lp
        if result.ok:
            # each trial is a whole audit: a few, the largest first, where
            # the LP decides little
            return _unrelease(table, suppressed, threshold, released, budget=2 if lp_used <= 20 else 0)
        grown = suppressed.copy()
        released += _repair(table, suppressed, result.failures, threshold, fix)
        if not (suppressed & ~grown).any():
            suppressed |= free  # nothing left to publish safely
        pending = np.union1d(np.array(result.failures, dtype=np.int64), np.flatnonzero(suppressed & ~grown))
    return suppressed
