"""Which sums the published cells of a table already determine.

A partner's own territory is published, variable by variable and cell by
cell, only when its value follows from what everybody can already read: its
units are whole atoms (units no published cell tells apart) whose totals are
known. Then its figures tell nobody anything new, whatever organisation
asks, in whatever order, edited or deleted; and the decision to withhold one
depends on the published cells only, never on a hidden count, so it cannot
serve as an oracle ("withheld, so the commune left out is small").

Known totals, found without LP: an atom inside a published zero is 0; a
published cell whose atoms are all known but one makes that one known (an
atom held alone by a cell first), and one whose known atoms already make its
value makes each other atom 0 (a département minus its whole EPCI leaves 0
for the commune of another EPCI: none of its deaths); repeated down the
hierarchy. A sum is
determined when it splits no atom (bar zeros) and its unknown atoms are
none, or exactly the unknown atoms of one published cell (the cell minus
what is known): found by a hash of the atom set, then compared atom by atom
(a hash alone could be forged by choosing communes). This is sufficient,
not necessary: a sum it misses is withheld, never wrongly shown. Pure:
arrays in, arrays out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .secrecy import signature_ids

_RNG_SEED = 3317
_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass
class Determination:
    """One table's known sums. atom: per unit; size: units per atom;
    known: atom totals known (zeros included); keys: hashes of the unknown
    remainder of each published cell, sorted, and the remainders
    themselves (CSR over atoms: rest_start, rest_atoms), in the same order."""

    atom: np.ndarray
    size: np.ndarray
    known: np.ndarray
    zero: np.ndarray
    keys: np.ndarray
    rest_start: np.ndarray
    rest_atoms: np.ndarray

    FIELDS = ("atom", "size", "known", "zero", "keys", "rest_start", "rest_atoms")

    def save(self) -> dict:
        return {
            "atom": self.atom.astype(np.int32),
            "size": self.size.astype(np.int32),
            "known": self.known,
            "zero": self.zero,
            "keys": self.keys,
            "rest_start": self.rest_start.astype(np.int64),
            "rest_atoms": self.rest_atoms.astype(np.int32),
        }

    @classmethod
    def load(cls, data: dict) -> Determination:
        return cls(
            atom=np.asarray(data["atom"], dtype=np.int64),
            size=np.asarray(data["size"], dtype=np.int64),
            known=np.asarray(data["known"], dtype=bool),
            zero=np.asarray(data["zero"], dtype=bool),
            keys=np.asarray(data["keys"], dtype=np.uint64),
            rest_start=np.asarray(data["rest_start"], dtype=np.int64),
            rest_atoms=np.asarray(data["rest_atoms"], dtype=np.int64),
        )


def _weights(n_atoms: int) -> np.ndarray:
    # below 2**31: sums of up to 2**22 atoms stay exact in float64
    rng = np.random.default_rng(_RNG_SEED)
    return rng.integers(1, 2**31, size=(n_atoms, 2)).astype(np.float64)


def _keys(pairs: np.ndarray) -> np.ndarray:
    first = pairs[:, 0].astype(np.uint64)
    second = pairs[:, 1].astype(np.uint64)
    with np.errstate(over="ignore"):
        return first * _MIX + (second ^ (second >> np.uint64(29)))


def determination(incidence: sp.csr_matrix, values: np.ndarray, published: np.ndarray) -> Determination:
    """The known sums of a table given its published cells (values: each
    cell's value; only published ones are read)."""
    n_units = incidence.shape[1]
    if not published.any():
        atom = np.zeros(n_units, dtype=np.int64)
        return Determination(
            atom,
            np.array([n_units]),
            np.zeros(1, bool),
            np.zeros(1, bool),
            np.zeros(0, np.uint64),
            np.zeros(1, np.int64),
            np.zeros(0, np.int64),
        )
    atom = signature_ids(incidence, published)
    n_atoms = int(atom.max()) + 1
    member = sp.csr_matrix((np.ones(n_units), (np.arange(n_units), atom)), shape=(n_units, n_atoms))
    size = np.asarray(member.sum(axis=0)).ravel().astype(np.int64)
    rows = np.flatnonzero(published)
    P = (incidence[rows] @ member).tocsr()
    P.data[:] = 1.0
    cell_values = np.asarray(values, dtype=np.float64)[rows]
    zero = np.zeros(n_atoms, dtype=bool)
    zero_rows = rows[cell_values == 0]
    if len(zero_rows):
        zero[np.unique((incidence[zero_rows] @ member).indices)] = True
    known = zero.copy()
    total = np.zeros(n_atoms)  # of known atoms, from published values only
    while True:
        # a cell with one unknown atom left gives it (its value minus the
        # known ones); a cell whose known atoms already make its value
        # gives 0 for each unknown one (counts are never negative)
        unknown = (~known).astype(np.float64)
        left = np.asarray(P @ unknown).ravel()
        rest = cell_values - np.asarray(P @ (total * known)).ravel()
        ready = np.flatnonzero(np.abs(left - 1) < 0.5)
        empty = np.flatnonzero((left > 0.5) & (np.abs(rest) < 0.5))
        if not len(ready) and not len(empty):
            break
        if len(empty):
            masked = _on_atoms(P[empty], unknown)  # the known atoms keep their totals
            zero[masked.indices] = True
            known[masked.indices] = True
            total[masked.indices] = 0.0
            continue  # the cells left with one unknown atom are counted again
        if len(ready):
            masked = _on_atoms(P[ready], unknown)
            total[masked.indices] = rest[ready]
            known[masked.indices] = True
    weights = _weights(n_atoms)
    unknown = (~known).astype(np.float64)
    remainder = _on_atoms(P, unknown)
    remainder = remainder[np.diff(remainder.indptr) > 0]
    remainder.sort_indices()
    keys = _keys(np.asarray(remainder @ weights)) if remainder.shape[0] else np.zeros(0, np.uint64)
    order = np.argsort(keys, kind="stable")
    remainder = remainder[order]
    return Determination(
        atom=atom,
        size=size,
        known=known,
        zero=zero,
        keys=keys[order],
        rest_start=remainder.indptr.astype(np.int64),
        rest_atoms=remainder.indices.astype(np.int64),
    )


def _on_atoms(rows: sp.csr_matrix, atoms: np.ndarray) -> sp.csr_matrix:
    """The entries of `rows` (cells × atoms) on the atoms flagged 1 in
    `atoms`, the others dropped (elementwise product, explicit zeros gone)."""
    masked = rows.multiply(atoms[None, :]).tocsr()
    masked.eliminate_zeros()
    return masked


def determined(det: Determination, targets: sp.csr_matrix) -> np.ndarray:
    """Which target sums (rows over the table's units) the published cells
    determine."""
    n_units = len(det.atom)
    member = sp.csr_matrix((np.ones(n_units), (np.arange(n_units), det.atom)), shape=(n_units, len(det.size)))
    counts = (targets @ member).tocsr()
    out = np.ones(targets.shape[0], dtype=bool)
    rows = np.repeat(np.arange(targets.shape[0]), np.diff(counts.indptr))
    atoms = counts.indices
    whole = np.abs(counts.data - det.size[atoms]) < 0.5
    split = ~whole & ~det.zero[atoms]
    out[np.unique(rows[split])] = False
    open_whole = whole & ~det.known[atoms]
    if open_whole.any():
        weights = _weights(len(det.size))
        sums = np.zeros((targets.shape[0], 2))
        np.add.at(sums, rows[open_whole], weights[atoms[open_whole]])
        has = np.zeros(targets.shape[0], dtype=bool)
        has[rows[open_whole]] = True
        wanted = np.flatnonzero(has & out)
        keys = _keys(sums[wanted])
        first = np.searchsorted(det.keys, keys, side="left")
        last = np.searchsorted(det.keys, keys, side="right")
        # each target's open atoms, sorted, beside the remainders with its hash
        open_rows, open_atoms = rows[open_whole], atoms[open_whole]
        by_row = np.lexsort((open_atoms, open_rows))
        open_rows, open_atoms = open_rows[by_row], open_atoms[by_row]
        begin = np.searchsorted(open_rows, wanted, side="left")
        end = np.searchsorted(open_rows, wanted, side="right")
        for target, lo, hi, b, e in zip(wanted, first, last, begin, end, strict=True):
            mine = open_atoms[b:e]
            out[target] = any(
                np.array_equal(mine, det.rest_atoms[det.rest_start[r] : det.rest_start[r + 1]]) for r in range(lo, hi)
            )
    return out
