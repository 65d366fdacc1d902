"""Protection of one variable: build its secrecy tables, suppress, audit.
Pure and picklable, so that a process pool can run one variable per core."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import cells as cellmath
from .secrecy import audit, secondary_suppression


@dataclass
class SecrecyJob:
    """Everything one variable's protection needs, picklable for a worker process."""

    variable_id: int
    code: str
    threshold: int
    G: sp.csr_matrix
    rows: np.ndarray
    rank: np.ndarray
    units: np.ndarray
    years: list[int]
    periods: list[tuple[str, list[int]]] | None  # None: each year is its own table
    restrictions: list[str]
    previous: dict


def protect(job: SecrecyJob) -> tuple[int, dict, dict, list, pd.DataFrame]:
    """Suppress and audit one variable (runs in a worker process)."""
    if job.periods is not None:
        tables = [cellmath.secrecy_table(job.G, job.rank, job.units, job.years, job.periods,
                                         job.restrictions, job.previous)]
    else:
        tables = [cellmath.secrecy_table(job.G, job.rank, job.units[:, [i], :], [y], [(str(y), [y])],
                                         job.restrictions, job.previous)
                  for i, y in enumerate(job.years)]
    totals: dict[str, int] = defaultdict(int)
    failures, mask, frames = [], {}, []
    for table, key in tables:
        suppressed = secondary_suppression(table, job.threshold)
        result = audit(table, suppressed, job.threshold)
        primary = (table.values >= 1) & (table.values < job.threshold)
        for name, value in result.summary().items():
            totals[name] += value
        totals["primary"] += int(primary.sum())
        totals["secondary"] += int((suppressed & ~primary).sum())
        totals["secondary_sum"] += int(table.values[suppressed & ~primary].sum())
        territory_rows = job.rows[key.territory_row]
        failures += [(int(job.rows[key.territory_row[c]]), key.period[c]) for c in result.failures]
        for r, p, a, flag in zip(territory_rows, key.period, key.ages, suppressed, strict=True):
            mask[(int(r), p, a)] = bool(flag)
        frames.append(pd.DataFrame({"variable": job.code, "territory_row": territory_rows,
                                    "period": key.period, "ages": key.ages, "suppressed": suppressed}))
    return job.variable_id, mask, dict(totals), failures, pd.concat(frames, ignore_index=True)
