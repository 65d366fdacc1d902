"""From commune counts to the cells readers see: aggregation over every
territory, periods (single years or pooled windows), age restrictions, and
the secrecy tables built on them. Pure: arrays in, arrays out.

Shapes: `units` arrays are (n_communes, n_years, n_bands); a territory
matrix G (n_territories × n_communes) says which communes make each
territory (identity rows for communes)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .secrecy import Table

AGE_UNDER_65 = 13  # the first 13 ESP bands are 0-4 … 60-64


def band_mask(ages: str, n_bands: int) -> np.ndarray:
    """Bands an age restriction keeps ('' keeps all, '0-64' the first 13)."""
    mask = np.ones(n_bands, dtype=bool)
    if ages == "0-64" and n_bands > 1:
        mask[AGE_UNDER_65:] = False
    return mask


def windows(years: list[int], pool: int | None) -> list[tuple[str, list[int]]]:
    """Period labels and their years: each year, or sliding pooled windows."""
    if not pool:
        return [(str(y), [y]) for y in years]
    return [(f"{years[i]}-{years[i + pool - 1]}", years[i:i + pool])
            for i in range(len(years) - pool + 1)]


def cell_counts(G: sp.csr_matrix, units: np.ndarray, year_index: list[int], bands: np.ndarray) -> np.ndarray:
    """Sum of units over the given years and bands for every territory row."""
    collapsed = units[:, year_index, :][:, :, bands].sum(axis=(1, 2))
    return np.asarray(G @ collapsed).ravel()


@dataclass
class CellKey:
    """Where each row of a secrecy table lives: territory row, period label
    and age restriction."""

    territory_row: np.ndarray
    period: np.ndarray
    ages: np.ndarray


def _collapse(G: sp.csr_matrix) -> tuple[np.ndarray, int]:
    """Communes indistinguishable by every shown territory become one unit."""
    rng = np.random.default_rng(7)
    weights = rng.integers(1, 2**40, size=(G.shape[0], 2)).astype(np.float64)
    signature = np.asarray(G.T @ weights)
    _, group = np.unique(signature, axis=0, return_inverse=True)
    return group.ravel(), int(group.max()) + 1 if len(group) else 0


def secrecy_table(G: sp.csr_matrix, level_rank: np.ndarray, units: np.ndarray, years: list[int],
                  periods: list[tuple[str, list[int]]], restrictions: list[str],
                  previous: dict | None = None) -> tuple[Table, CellKey]:
    """The table of one variable: cells = shown territories (rows of G) ×
    periods × age restrictions; units = communes (collapsed when not shown
    alone) × years × age parts.

    level_rank: per row of G, the level's rank (siblings share level, period
    and restriction). previous: {(territory_row, period, ages): suppressed}."""
    n_bands = units.shape[2]
    parts = [np.ones(n_bands, bool)]
    if "0-64" in restrictions and n_bands > 1:
        parts = [band_mask("0-64", n_bands), ~band_mask("0-64", n_bands)]
    group_of, n_groups = _collapse(G)
    C = sp.csr_matrix((np.ones(len(group_of)), (np.arange(len(group_of)), group_of)),
                      shape=(len(group_of), n_groups))
    Gg = (G @ C).tocsr()
    Gg.data[:] = 1.0
    year_pos = {y: i for i, y in enumerate(years)}
    values = np.stack([units[:, :, part].sum(axis=2) for part in parts], axis=2)  # (n_c, Y, P)
    grouped = np.asarray(C.T @ values.reshape(values.shape[0], -1)).reshape(n_groups, len(years), len(parts))
    blocks, ranks, rows, labels, ages = [], [], [], [], []
    for p_index, (label, period_years) in enumerate(periods):
        year_vector = np.zeros(len(years))
        year_vector[[year_pos[y] for y in period_years]] = 1
        for r_index, restriction in enumerate(restrictions):
            part_vector = np.ones(len(parts)) if restriction == "" or len(parts) == 1 else np.array([1.0, 0.0])
            selector = sp.csr_matrix(np.outer(year_vector, part_vector).ravel())
            blocks.append(sp.kron(Gg, selector, format="csr"))
            offset = (p_index * len(restrictions) + r_index) * 100
            ranks.append(level_rank + offset)
            rows.append(np.arange(G.shape[0]))
            labels += [label] * G.shape[0]
            ages += [restriction] * G.shape[0]
    incidence = sp.vstack(blocks, format="csr")
    key = CellKey(np.concatenate(rows), np.array(labels, dtype=object), np.array(ages, dtype=object))
    prev = None
    if previous:
        prev = np.array([previous.get((int(t), p, a), False)
                         for t, p, a in zip(key.territory_row, key.period, key.ages, strict=True)])
    table = Table(incidence=incidence, units=grouped.ravel(), shown=np.ones(incidence.shape[0], bool),
                  group=np.concatenate(ranks), previous=prev)
    return table, key
