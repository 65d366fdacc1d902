"""The attacker across variables: a count of RSA recipients never exceeds the
population aged 15-64, a death count by cause never exceeds all deaths, a
numerator never exceeds its denominator. Each variable's table alone is
audited in protect.py, with the related variables' values taken as known
exactly (a stronger attacker, so what passes there is safe); the cells that
fail there come here, where the related variables are unknowns too, bound by
their own published cells and by part ≤ whole unit by unit. Pure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .secrecy import NO_CAP, Table, certified, goals_of, reach


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
    indices. Shown cells are all rows (unpublished ones free), so that
    suppressing a cell only changes its bounds and the model warm-starts."""

    def __init__(self, variables: list[JointVariable], relations: list[tuple[int, int]]):
        import highspy

        self.variables = variables
        n_units = variables[0].table.units.shape[0]
        self.n_units = n_units
        self.offsets = [i * n_units for i in range(len(variables))]
        self.row_of: list[np.ndarray] = []
        blocks, lower, upper = [], [], []
        self.row_owner: list[tuple[int, int]] = []
        for i, variable in enumerate(variables):
            table = variable.table
            shown = np.flatnonzero(table.shown)
            rows = table.incidence[shown]
            padded = sp.hstack([sp.csr_matrix((len(shown), n_units * i)), rows,
                                sp.csr_matrix((len(shown), n_units * (len(variables) - i - 1)))], format="csr")
            blocks.append(padded)
            values = table.values[shown]
            published = variable.published[shown]
            lower.append(np.where(published, values, -np.inf))
            upper.append(np.where(published, values, np.inf))
            position = np.full(len(table.shown), -1, dtype=np.int64)
            position[shown] = sum(len(o) for o in lower[:-1]) + np.arange(len(shown))
            self.row_of.append(position)
            self.row_owner += [(i, int(c)) for c in shown]
        self.n_cell_rows = sum(len(o) for o in lower)
        for part, whole in relations:
            columns = np.concatenate([self.offsets[part] + np.arange(n_units),
                                      self.offsets[whole] + np.arange(n_units)])
            rows = np.concatenate([np.arange(n_units), np.arange(n_units)])
            data = np.concatenate([np.ones(n_units), -np.ones(n_units)])
            blocks.append(sp.csr_matrix((data, (rows, columns)), shape=(n_units, n_units * len(variables))))
            lower.append(np.full(n_units, -np.inf))
            upper.append(np.zeros(n_units))
        matrix = sp.vstack(blocks, format="csc")
        row_lower, row_upper = np.concatenate(lower), np.concatenate(upper)
        col_lower = np.concatenate([v.table.floor for v in variables])
        col_upper = np.concatenate([v.table.cap for v in variables])
        self.matrix, self.row_lower, self.row_upper = matrix.tocsr(), row_lower, row_upper
        self.col_lower, self.col_upper = col_lower, col_upper
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
        lp.col_cost_ = np.zeros(matrix.shape[1])
        lp.col_lower_ = col_lower
        lp.col_upper_ = np.where(col_upper >= NO_CAP, highspy.kHighsInf, col_upper)
        infinity = highspy.kHighsInf
        lp.row_lower_ = np.where(np.isinf(row_lower), -infinity, row_lower)
        lp.row_upper_ = np.where(np.isinf(row_upper), infinity, row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data
        self.highs.passModel(lp)

    def suppress(self, which: int, cell: int) -> None:
        """The cell is no longer published: its row is free."""
        import highspy

        self.variables[which].published[cell] = False
        row = int(self.row_of[which][cell])
        self.row_lower[row], self.row_upper[row] = -np.inf, np.inf
        self.highs.changeRowBounds(row, -highspy.kHighsInf, highspy.kHighsInf)

    def reached(self, which: int, cells: np.ndarray) -> np.ndarray:
        """Which cells of variable `which` one feasible point takes to their
        goals (threshold, and above their value): protected as they are."""
        table = self.variables[which].table
        rows = table.incidence[cells].tocoo()
        targets = sp.csr_matrix((rows.data, (rows.row, rows.col + self.offsets[which])),
                                shape=(len(cells), self.matrix.shape[1]))
        goals = goals_of(table.values[cells], table.thresholds()[cells])
        values = reach(self.matrix, self.row_lower, self.row_upper, self.col_lower, self.col_upper, targets,
                       np.zeros(len(cells)), goals)
        return values >= goals - 1e-6

    def range(self, which: int, cell: int) -> tuple[float, float, list[tuple[int, int]]]:
        """(min, max, binding published cells as (variable index, cell))."""
        import highspy

        target = self.variables[which].table.incidence[cell]
        columns = (self.offsets[which] + target.indices).astype(np.int32)
        bounds, binding = [], set()
        for sense in (1.0, -1.0):
            self.highs.changeColsCost(len(columns), columns, np.full(len(columns), sense))
            self.highs.run()
            status = self.highs.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                bounds.append(sense * self.highs.getInfo().objective_function_value)
                duals = np.asarray(self.highs.getSolution().row_dual)[:self.n_cell_rows]
                binding |= {self.row_owner[r] for r in np.flatnonzero(np.abs(duals) > 1e-9)}
            elif sense < 0 and status in (highspy.HighsModelStatus.kUnbounded,
                                          highspy.HighsModelStatus.kUnboundedOrInfeasible):
                bounds.append(np.inf)
            else:
                raise RuntimeError(f"joint secrecy LP: {self.highs.modelStatusToString(status)}")
            self.highs.changeColsCost(len(columns), columns, np.zeros(len(columns)))
        binding = {b for b in binding if self.variables[b[0]].published[b[1]]}
        return bounds[0], bounds[1], sorted(binding)

    def protect(self, which: int, cell: int, max_rounds: int = 50) -> tuple[bool, list[tuple[int, int]]]:
        """Suppress free binding cells until `cell` of variable `which` is
        protected: the highest ranked first (the latest own territory), then
        the smallest value. Returns (protected, cells suppressed)."""
        table = self.variables[which].table
        threshold = table.thresholds()[cell:cell + 1]
        suppressed: list[tuple[int, int]] = []
        for _ in range(max_rounds):
            low, high, binding = self.range(which, cell)
            if certified(np.array([high]), np.array([low]), threshold)[0]:
                return True, suppressed
            choices = [(v, c) for v, c in binding if self.variables[v].free[c]]
            if not choices:
                return False, suppressed
            v, c = min(choices, key=lambda vc: (-self.variables[vc[0]].table.rank[vc[1]],
                                                self.variables[vc[0]].table.values[vc[1]], vc))
            self.suppress(v, c)
            suppressed.append((v, c))
        return False, suppressed
