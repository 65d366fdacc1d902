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
    indices. A unit held alone by a published cell is a known value and
    leaves the model (so do the rows it settles); the small model left is
    rebuilt after each suppression and warm-started across cells.

    known: (n_units,) units taken as known besides (those of communes far
    from the cells checked: a stronger attacker, so a smaller model whose
    protected cells are protected)."""

    def __init__(self, variables: list[JointVariable], relations: list[tuple[int, int]],
                 known: np.ndarray | None = None):
        self.variables = variables
        n_units = variables[0].table.units.shape[0]
        self.known = None if known is None else np.tile(np.asarray(known, dtype=bool), len(variables))
        self.n_units = n_units
        self.offsets = [i * n_units for i in range(len(variables))]
        n_columns = n_units * len(variables)
        blocks, owners = [], []
        for i, variable in enumerate(variables):
            table = variable.table
            shown = np.flatnonzero(table.shown)
            coo = table.incidence[shown].tocoo()
            blocks.append(sp.csr_matrix((coo.data, (coo.row, coo.col + self.offsets[i])),
                                        shape=(len(shown), n_columns)))
            owners += [(i, int(c)) for c in shown]
        self.cell_rows = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, n_columns))
        self.owners = owners
        self.cell_values = np.concatenate([v.table.values[np.flatnonzero(v.table.shown)] for v in variables])
        relation_blocks = []
        for part, whole in relations:
            columns = np.concatenate([self.offsets[part] + np.arange(n_units),
                                      self.offsets[whole] + np.arange(n_units)])
            rows = np.concatenate([np.arange(n_units), np.arange(n_units)])
            data = np.concatenate([np.ones(n_units), -np.ones(n_units)])
            relation_blocks.append(sp.csr_matrix((data, (rows, columns)), shape=(n_units, n_columns)))
        self.relation_rows = sp.vstack(relation_blocks, format="csr") if relation_blocks else \
            sp.csr_matrix((0, n_columns))
        self.truth = np.concatenate([v.table.units for v in variables])
        self.floor = np.concatenate([v.table.floor for v in variables])
        self.cap = np.minimum(np.concatenate([v.table.cap for v in variables]), NO_CAP)
        self.sizes = np.diff(self.cell_rows.indptr)
        self.all_rows = sp.vstack([self.cell_rows, self.relation_rows], format="csr")
        self.owner_variable = np.array([i for i, _ in owners], dtype=np.int64)
        self.owner_cell = np.array([c for _, c in owners], dtype=np.int64)
        self.row_published = np.concatenate([v.published[np.flatnonzero(v.table.shown)] for v in variables])
        self.row_index = {owner: k for k, owner in enumerate(owners)}
        self.highs = None

    def _build(self) -> None:
        """The model of what is published now: units held alone by a
        published cell are known; rows without an unknown unit go."""
        import highspy

        published = self.row_published
        single = published & (self.sizes == 1)
        fixed = np.zeros(len(self.truth), dtype=bool) if self.known is None else self.known.copy()
        fixed[self.cell_rows.indices[self.cell_rows.indptr[:-1][single]]] = True
        self.fixed = fixed
        self.columns = np.flatnonzero(~fixed)
        self.position = np.full(len(self.truth), -1, dtype=np.int64)
        self.position[self.columns] = np.arange(len(self.columns))
        known = np.where(fixed, self.truth, 0.0)
        n_cells = len(self.owners)
        chosen = np.concatenate([np.flatnonzero(published & ~single),
                                 n_cells + np.arange(self.relation_rows.shape[0])])
        full = self.all_rows[chosen]
        settled = full @ known
        n_published = int((published & ~single).sum())
        rhs = self.cell_values[chosen[:n_published]] - settled[:n_published]
        lower = np.concatenate([rhs, np.full(len(chosen) - n_published, -np.inf)])
        upper = np.concatenate([rhs, -settled[n_published:]])
        free_count = abs(full) @ (~fixed).astype(np.float64)  # a relation row holds +1 and -1
        keep = free_count > 0.5
        self.n_cell_rows = int(keep[:n_published].sum())
        kept_cells = chosen[:n_published][keep[:n_published]]
        self.row_cells = list(zip(self.owner_variable[kept_cells].tolist(), self.owner_cell[kept_cells].tolist(),
                                  strict=True))
        self.full_rows = full[keep]
        matrix, lower, upper = self.full_rows[:, self.columns].tocsc(), lower[keep], upper[keep]
        self.matrix, self.row_lower, self.row_upper = matrix.tocsr(), lower, upper
        self.col_lower, self.col_upper = self.floor[self.columns], self.cap[self.columns]
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        # from cell to cell only the objective changes: the primal simplex
        # restarts from the last basis, still feasible (several times faster)
        self.highs.setOptionValue("simplex_strategy", 4)
        self.highs.setOptionValue("presolve", "off")
        infinity = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
        lp.col_cost_ = np.zeros(matrix.shape[1])
        lp.col_lower_ = self.col_lower
        lp.col_upper_ = np.where(self.col_upper >= NO_CAP, infinity, self.col_upper)
        lp.row_lower_ = np.where(np.isinf(lower), -infinity, lower)
        lp.row_upper_ = np.where(np.isinf(upper), infinity, upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data
        self.highs.passModel(lp)
        # who holds each known unit (to name them when they bind)
        holders: dict[int, list[tuple[int, int]]] = {}
        singles = np.flatnonzero(single)
        held = self.cell_rows.indices[self.cell_rows.indptr[singles]]
        for k, unit in zip(singles.tolist(), held.tolist(), strict=True):
            holders.setdefault(unit, []).append(self.owners[k])
        self.holders = holders

    def suppress(self, which: int, cell: int) -> None:
        """The cell is no longer published (the model is rebuilt when next asked)."""
        self.variables[which].published[cell] = False
        self.row_published[self.row_index[(which, cell)]] = False
        self.highs = None

    def reached(self, which: int, cells: np.ndarray) -> np.ndarray:
        """Which cells of variable `which` one feasible point takes to their
        goals (threshold, and above their value): protected as they are."""
        if self.highs is None:
            self._build()
        table = self.variables[which].table
        rows = table.incidence[cells].tocoo()
        targets = sp.csr_matrix((rows.data, (rows.row, rows.col + self.offsets[which])),
                                shape=(len(cells), len(self.truth)))
        constants = np.asarray(targets[:, np.flatnonzero(self.fixed)] @ self.truth[self.fixed]).ravel()
        goals = goals_of(table.values[cells], table.thresholds()[cells])
        values = reach(self.matrix, self.row_lower, self.row_upper, self.col_lower, self.col_upper,
                       targets[:, self.columns], constants, goals)
        return values >= goals - 1e-6

    def range(self, which: int, cell: int) -> tuple[float, float, list[tuple[int, int]]]:
        """(min, max, binding published cells as (variable index, cell))."""
        import highspy

        if self.highs is None:
            self._build()
        units = self.offsets[which] + self.variables[which].table.incidence[cell].indices
        constant = float(self.truth[units[self.fixed[units]]].sum())
        columns = self.position[units[~self.fixed[units]]].astype(np.int32)
        if not len(columns):
            binding = {h for u in units for h in self.holders.get(int(u), [])}
            return constant, constant, sorted(binding)
        bounds, binding = [], set()
        fixed_units = np.flatnonzero(self.fixed)
        for sense in (1.0, -1.0):
            self.highs.changeColsCost(len(columns), columns, np.full(len(columns), sense))
            self.highs.run()
            status = self.highs.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                bounds.append(sense * self.highs.getInfo().objective_function_value + constant)
                duals = np.asarray(self.highs.getSolution().row_dual)
                binding |= {self.row_cells[r] for r in np.flatnonzero(np.abs(duals[:self.n_cell_rows]) > 1e-9)}
                # a known unit binds when its reduced cost is not zero
                reduced = -np.asarray(self.full_rows[:, fixed_units].T @ duals).ravel()
                reduced[np.isin(fixed_units, units)] += sense
                for unit in fixed_units[np.abs(reduced) > 1e-9]:
                    binding.update(self.holders.get(int(unit), []))
            elif sense < 0 and status in (highspy.HighsModelStatus.kUnbounded,
                                          highspy.HighsModelStatus.kUnboundedOrInfeasible):
                bounds.append(np.inf)
            else:
                raise RuntimeError(f"joint secrecy LP: {self.highs.modelStatusToString(status)}")
            self.highs.changeColsCost(len(columns), columns, np.zeros(len(columns)))
        return bounds[0], bounds[1], sorted(binding)

    def protect(self, which: int, cell: int, max_rounds: int = 50) -> tuple[bool, list[tuple[int, int]]]:
        """Suppress free binding cells until `cell` of variable `which` is
        protected: the smallest value first. Returns (protected, cells
        suppressed)."""
        table = self.variables[which].table
        threshold = table.thresholds()[cell:cell + 1]
        suppressed: list[tuple[int, int]] = []
        for _ in range(max_rounds):
            low, high, binding = self.range(which, cell)
            if certified(np.array([high]), np.array([low]), threshold)[0]:
                return True, suppressed
            choices = [(v, c) for v, c in binding if self.variables[v].free[c] and self.variables[v].published[c]]
            if not choices:
                return False, suppressed
            v, c = min(choices, key=lambda vc: (self.variables[vc[0]].table.values[vc[1]], vc))
            self.suppress(v, c)
            suppressed.append((v, c))
        return False, suppressed
