"""Which secret cells a set of published sums gives away by differencing.

Units are the secret cells (communes whose published row is secret); every
published sum that covers some of them is a row of 0/1 coefficients over
those units, its known part (the published cells it also covers) already
subtracted. A unit's value is recovered exactly when its unit vector lies in
the row space of these rows, i.e. when every vector of their null space is
zero on it. Exact, linear differencing only: bounds are the secondary
suppression's business (secrecy.py)."""

from __future__ import annotations

import numpy as np


def determined_units(rows: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
    """Boolean mask over the columns of `rows` (sums × units, 0/1): the units
    whose value the sums determine."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.size == 0:
        return np.zeros(rows.shape[1] if rows.ndim == 2 else 0, dtype=bool)
    touched = rows.any(axis=0)
    determined = np.zeros(rows.shape[1], dtype=bool)
    if not touched.any():
        return determined
    sub = rows[:, touched]
    _, singular, vt = np.linalg.svd(sub, full_matrices=True)
    rank = int((singular > tolerance * max(sub.shape) * (singular[0] if len(singular) else 1)).sum())
    null_space = vt[rank:]  # (n_touched - rank) × n_touched
    if len(null_space) == 0:
        determined[touched] = True
    else:
        determined[touched] = np.abs(null_space).max(axis=0) < 1e-7
    return determined


def newly_determined(known: np.ndarray, candidate: np.ndarray) -> np.ndarray:
    """Units that publishing `candidate` (one 0/1 row over the units) would
    give away, given the sums already `known` (rows × units)."""
    known = np.asarray(known, dtype=np.float64)
    known = known.reshape(len(known) if known.ndim == 2 else 0, len(candidate))
    before = determined_units(known)
    after = determined_units(np.vstack([known, np.asarray(candidate, dtype=np.float64)[None, :]]))
    return after & ~before
