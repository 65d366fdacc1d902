"""The attacker across variables: a count of RSA recipients never exceeds the
population aged 15-64, a death count by cause never exceeds all deaths, a
numerator never exceeds its denominator. Each variable's table alone is
audited in protect.py, with the related variables' values taken as known
exactly (a stronger attacker, so what passes there is safe); the cells that
fail there come here, where the related variables are unknowns too, bound by
their own published cells and by part ≤ whole unit by unit. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from .secrecy import NO_CAP, Table, certified, goals_of, reach

if TYPE_CHECKING:
    import highspy  # at run time imported where a model is built (half a second to load)

_HIGHS_INF = np.inf  # highspy.kHighsInf


def _infinite(bounds: np.ndarray, cap: float = np.inf) -> np.ndarray:
    """Bounds as HiGHS takes them (infinite from `cap` up)."""
    return np.where(np.asarray(bounds, dtype=np.float64) >= cap, np.inf, bounds)


@dataclass
class JointVariable:
    """One variable of a joint check. table: its cells over the common units
    (communes × years × age parts), with floors and caps from relations to
    variables outside the check; published: its published cells; free: the
    cells that may be suppressed to cure a failure (others keep their
    status)."""

    code: str
    table: Table
    published: np.ndarray
    free: np.ndarray


class JointAttacker:
    """LP over the units of several variables: every published cell,
    floors and caps, and part ≤ whole for each (part, whole) pair of
    indices. A unit held alone by a published cell is a known value (its
    column is fixed until the cell goes); one model serves every cell and
    every suppression (warm starts).

    focus(known): (n_units,) units taken as known besides (those of
    communes far from the cells checked: a stronger attacker, so a smaller
    model whose protected cells are protected)."""

    def __init__(self, variables: list[JointVariable], relations: list[tuple[int, int]]):
        self.variables = variables
        n_units = variables[0].table.units.shape[0]
        self.known: np.ndarray | None = None
        self.n_units = n_units
        self.offsets = [i * n_units for i in range(len(variables))]
        n_columns = n_units * len(variables)
        blocks, owners = [], []
        for i, variable in enumerate(variables):
            table = variable.table
            shown = np.flatnonzero(table.shown)
            coo = table.incidence[shown].tocoo()
            blocks.append(
                sp.csr_matrix((coo.data, (coo.row, coo.col + self.offsets[i])), shape=(len(shown), n_columns))
            )
            owners += [(i, int(c)) for c in shown]
        self.cell_rows = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, n_columns))
        self.owners = owners
        self.cell_values = np.concatenate([v.table.values[np.flatnonzero(v.table.shown)] for v in variables])
        relation_blocks = []
        for part, whole in relations:
            # a relation the data break at a unit bounds nothing there (and
            # the truth stays a feasible point)
            units = np.flatnonzero(variables[part].table.units <= variables[whole].table.units)
            n = len(units)
            columns = np.concatenate([self.offsets[part] + units, self.offsets[whole] + units])
            rows = np.concatenate([np.arange(n), np.arange(n)])
            data = np.concatenate([np.ones(n), -np.ones(n)])
            relation_blocks.append(sp.csr_matrix((data, (rows, columns)), shape=(n, n_columns)))
        self.relation_rows = (
            sp.vstack(relation_blocks, format="csr") if relation_blocks else sp.csr_matrix((0, n_columns))
        )
        self.truth = np.concatenate([v.table.units for v in variables])
        self.floor = np.concatenate([v.table.floor for v in variables])
        self.cap = np.minimum(np.concatenate([v.table.cap for v in variables]), NO_CAP)
        self.sizes = np.diff(self.cell_rows.indptr)
        self.all_rows = sp.vstack([self.cell_rows, self.relation_rows], format="csr")
        self.owner_variable = np.array([i for i, _ in owners], dtype=np.int64)
        self.owner_cell = np.array([c for _, c in owners], dtype=np.int64)
        self.row_published = np.concatenate([v.published[np.flatnonzero(v.table.shown)] for v in variables])
        self.row_index = {owner: k for k, owner in enumerate(owners)}
        self.columns_rows = self.all_rows.tocsc()  # which rows hold a unit
        self.highs: highspy.Highs | None = None  # built on first use

    def focus(self, known: np.ndarray | None) -> None:
        """Units taken as known from now on (None: none); what was
        suppressed stays suppressed."""
        self.known = None if known is None else np.tile(np.asarray(known, dtype=bool), len(self.variables))
        self.highs = None

    def _build(self) -> highspy.Highs:
        """The model of what is published now. Columns: every unit not known
        besides; a unit held alone by a published cell is fixed at its value
        (bounds), freed when that cell goes. Rows: the other published cells
        and the relations, where they hold a column. Suppressing a cell then
        only relaxes a row or a column's bounds: the basis is kept."""
        import highspy

        published = self.row_published
        single = self.sizes == 1
        known = np.zeros(len(self.truth), dtype=bool) if self.known is None else self.known
        self.fixed = known
        self.columns = np.flatnonzero(~known)
        self.position = np.full(len(self.truth), -1, dtype=np.int64)
        self.position[self.columns] = np.arange(len(self.columns))
        n_cells = len(self.owners)
        chosen = np.concatenate([np.flatnonzero(published & ~single), n_cells + np.arange(self.relation_rows.shape[0])])
        if self.known is not None:  # only the rows holding an unknown unit
            touching = np.zeros(self.all_rows.shape[0], dtype=bool)
            touching[self.columns_rows[:, self.columns].indices] = True
            chosen = chosen[touching[chosen]]
        full = self.all_rows[chosen]
        settled = full @ np.where(known, self.truth, 0.0)
        n_published = int((chosen < n_cells).sum())
        rhs = self.cell_values[chosen[:n_published]] - settled[:n_published]
        lower = np.concatenate([rhs, np.full(len(chosen) - n_published, -np.inf)])
        upper = np.concatenate([rhs, -settled[n_published:]])
        free_count = abs(full) @ (~known).astype(np.float64)  # a relation row holds +1 and -1
        keep = free_count > 0.5
        self.n_cell_rows = int(keep[:n_published].sum())
        kept_cells = chosen[:n_published][keep[:n_published]]
        self.row_cells = list(
            zip(self.owner_variable[kept_cells].tolist(), self.owner_cell[kept_cells].tolist(), strict=True)
        )
        self.model_row = np.full(n_cells, -1, dtype=np.int64)
        self.model_row[kept_cells] = np.arange(len(kept_cells))
        matrix = full[keep][:, self.columns].tocsc()
        self.matrix, self.row_lower, self.row_upper = matrix.tocsr(), lower[keep], upper[keep]
        # who holds each unit alone (to fix it, and to name it when it
        # binds), sorted by unit
        singles = np.flatnonzero(single)
        held = self.cell_rows.indices[self.cell_rows.indptr[singles]]
        order = np.argsort(held, kind="stable")
        self.held_units, self.held_rows = held[order], singles[order]
        self.col_lower, self.col_upper = self.floor[self.columns].copy(), self.cap[self.columns].copy()
        fixed_now = self.position[held[published[singles]]]
        fixed_now = fixed_now[fixed_now >= 0]
        self.col_lower[fixed_now] = self.col_upper[fixed_now] = self.truth[self.columns[fixed_now]]
        self.highs = highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        # from cell to cell only the objective or a bound changes: the primal
        # simplex restarts from the last basis (several times faster)
        highs.setOptionValue("simplex_strategy", 4)
        highs.setOptionValue("presolve", "off")
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
        lp.col_cost_ = np.zeros(matrix.shape[1])
        lp.col_lower_ = self.col_lower
        lp.col_upper_ = _infinite(self.col_upper, NO_CAP)
        lp.row_lower_ = _infinite(self.row_lower)
        lp.row_upper_ = _infinite(self.row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data
        highs.passModel(lp)
        return highs

    def _holders(self, units: np.ndarray) -> np.ndarray:
        """Rows of cell_rows holding alone any of `units` (published or not)."""
        units = np.asarray(units)
        start = np.searchsorted(self.held_units, units, side="left")
        stop = np.searchsorted(self.held_units, units, side="right")
        rows = [self.held_rows[a:b] for a, b in zip(start.tolist(), stop.tolist(), strict=True) if b > a]
        return np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)

    def _cells(self, rows: np.ndarray) -> set[tuple[int, int]]:
        return set(zip(self.owner_variable[rows].tolist(), self.owner_cell[rows].tolist(), strict=True))

    def suppress(self, which: int, cell: int) -> None:
        """The cell is no longer published: its row is relaxed, or the unit
        it held alone is freed (unless another published cell holds it)."""
        self.variables[which].published[cell] = False
        k = self.row_index[(which, cell)]
        self.row_published[k] = False
        if self.highs is None:
            return
        if self.sizes[k] != 1:
            row = int(self.model_row[k])
            if row >= 0:
                self.row_lower[row], self.row_upper[row] = -np.inf, np.inf
                self.highs.changeRowBounds(row, -_HIGHS_INF, _HIGHS_INF)
            return
        unit = int(self.cell_rows.indices[self.cell_rows.indptr[k]])
        column = int(self.position[unit])
        if column < 0 or self.row_published[self._holders(np.array([unit]))].any():
            return
        self.col_lower[column], self.col_upper[column] = self.floor[unit], self.cap[unit]
        self.highs.changeColBounds(
            column, float(self.floor[unit]), _HIGHS_INF if self.cap[unit] >= NO_CAP else float(self.cap[unit])
        )

    def reached(self, which: int, cells: np.ndarray) -> np.ndarray:
        """Which cells of variable `which` one feasible point takes to their
        goals (threshold, and above their value): protected as they are."""
        if self.highs is None:
            self._build()
        table = self.variables[which].table
        rows = table.incidence[cells].tocoo()
        targets = sp.csr_matrix(
            (rows.data, (rows.row, rows.col + self.offsets[which])), shape=(len(cells), len(self.truth))
        )
        constants = np.asarray(targets[:, np.flatnonzero(self.fixed)] @ self.truth[self.fixed]).ravel()
        goals = goals_of(table.values[cells], table.thresholds()[cells])
        values = reach(
            self.matrix,
            self.row_lower,
            self.row_upper,
            self.col_lower,
            self.col_upper,
            targets[:, self.columns],
            constants,
            goals,
        )
        return values >= goals - 1e-6

    def range(
        self, which: int, cell: int, senses: tuple[float, ...] = (1.0, -1.0)
    ) -> tuple[float, float, list[tuple[int, int]]]:
        """(min, max, cells that bind them as (variable index, cell), some
        perhaps no longer published). senses=(-1.0,): the max alone (the
        min is then -inf); (1.0,): the min alone (the max is then inf)."""
        import highspy

        highs = self._build() if self.highs is None else self.highs
        units = self.offsets[which] + self.variables[which].table.incidence[cell].indices
        constant = float(self.truth[units[self.fixed[units]]].sum())
        columns = self.position[units[~self.fixed[units]]].astype(np.int32)
        if not len(columns):
            return constant, constant, []
        bounds, binding = {1.0: -np.inf}, set()
        for sense in senses:
            highs.changeColsCost(len(columns), columns, np.full(len(columns), sense))
            highs.run()
            status = highs.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                bounds[sense] = sense * highs.getInfo().objective_function_value + constant
                solution = highs.getSolution()
                duals = np.asarray(solution.row_dual)
                binding |= {self.row_cells[r] for r in np.flatnonzero(np.abs(duals[: self.n_cell_rows]) > 1e-9)}
                # a unit held alone binds when its reduced cost is not zero
                reduced = np.abs(np.asarray(solution.col_dual)) > 1e-9
                binding |= self._cells(self._holders(self.columns[reduced]))
            elif sense < 0 and status in (
                highspy.HighsModelStatus.kUnbounded,
                highspy.HighsModelStatus.kUnboundedOrInfeasible,
            ):
                bounds[sense] = np.inf
            else:
                raise RuntimeError(f"joint secrecy LP: {highs.modelStatusToString(status)}")
            highs.changeColsCost(len(columns), columns, np.zeros(len(columns)))
        return bounds[1.0], bounds.get(-1.0, np.inf), sorted(binding)

    def protect(self, which: int, cell: int, max_rounds: int = 50) -> tuple[bool, list[tuple[int, int]]]:
        """Suppress free binding cells until `cell` of variable `which` is
        protected: the smallest value first. Returns (protected, cells
        suppressed). A secret cell (1 to threshold - 1) is protected when
        its max reaches the threshold (then it is above the true value, not
        pinned): the max alone is solved, and only what binds it goes."""
        table = self.variables[which].table
        threshold = table.thresholds()[cell : cell + 1]
        value = table.values[cell]
        secret = 1 <= value < threshold[0]
        suppressed: list[tuple[int, int]] = []
        for _ in range(max_rounds):
            low, high, binding = self.range(which, cell, senses=(-1.0,) if secret else (1.0, -1.0))
            if secret:
                low = value  # the truth is feasible: the min is no higher
            if certified(np.array([high]), np.array([low]), threshold)[0]:
                return True, suppressed
            choices = [(v, c) for v, c in binding if self.variables[v].free[c] and self.variables[v].published[c]]
            if not choices:
                return False, suppressed
            v, c = min(choices, key=lambda vc: (self.variables[vc[0]].table.values[vc[1]], vc))
            self.suppress(v, c)
            suppressed.append((v, c))
        return False, suppressed
