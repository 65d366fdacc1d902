"""From commune counts to the cells readers see: aggregation over every
territory, periods (single years or pooled windows), age restrictions, and
the secrecy tables built on them. Pure: arrays in, arrays out.

Shapes: `units` arrays are (n_communes, n_years, n_bands); a territory
matrix G (n_territories × n_communes) says which communes make each
territory (identity rows first, for communes)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .secrecy import Table

AGE_UNDER_65 = 13  # the first 13 ESP bands are 0-4 … 60-64

#: Cell kinds of a secrecy table.
PUBLIC, HIDDEN = "public", "hidden"


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
    return [(f"{years[i]}-{years[i + pool - 1]}", years[i : i + pool]) for i in range(len(years) - pool + 1)]


def period_years(label: str) -> list[int]:
    """The years of a period label: "2021" or a pooled window "2016-2020"."""
    first, _, last = label.partition("-")
    return list(range(int(first), int(last or first) + 1))


def cell_counts(G: sp.csr_matrix, units: np.ndarray, year_index: list[int], bands: np.ndarray) -> np.ndarray:
    """Sum of units over the given years and bands for every territory row."""
    collapsed = units[:, year_index, :][:, :, bands].sum(axis=(1, 2))
    return np.asarray(G @ collapsed).ravel()


def age_parts(restrictions: list[str], n_bands: int) -> list[np.ndarray]:
    """Band masks of the table's age parts: all bands, or under 65 and 65+
    when some cell is restricted to 0-64."""
    if "0-64" in restrictions and n_bands > 1:
        return [band_mask("0-64", n_bands), ~band_mask("0-64", n_bands)]
    return [np.ones(n_bands, dtype=bool)]


def parts_of(units: np.ndarray, parts: list[np.ndarray]) -> np.ndarray:
    """(n_c, Y, B) counts → (n_c, Y, P) counts by age part."""
    return np.stack([units[:, :, part].sum(axis=2) for part in parts], axis=2)


@dataclass
class Geography:
    """Territories in matrix order: communes first, then every aggregate."""

    ids: np.ndarray
    levels: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    G: sp.csr_matrix
    n_communes: int
    france_id: int
    row_of: dict[int, int] = field(default_factory=dict)

    @property
    def commune_codes(self) -> np.ndarray:
        return self.codes[: self.n_communes].astype(str)


@dataclass
class Block:
    """Cells of one period and age restriction.

    shown: rows of G shown at this period and restriction (some indicator
    publishes them); commune rows not shown are hidden cells, protected if
    small. threshold: the secrecy threshold of this block's cells."""

    period: str
    years: list[int]
    ages: str
    shown: np.ndarray
    threshold: int


@dataclass
class CellKey:
    """Where each row of a secrecy table lives: kind (public, hidden), row of
    G, period label and age restriction."""

    kind: np.ndarray
    row: np.ndarray
    period: np.ndarray
    ages: np.ndarray


def secrecy_table(
    G: sp.csr_matrix,
    level_rank: np.ndarray,
    n_communes: int,
    units: np.ndarray,
    years: list[int],
    blocks: list[Block],
    previous: dict | None = None,
    cap: np.ndarray | None = None,
    floor: np.ndarray | None = None,
    parts: list[np.ndarray] | None = None,
) -> tuple[Table, CellKey]:
    """The table of one variable: cells = (shown territories, hidden
    communes) × blocks; units = communes × years × age parts.

    G: every territory of the geography, communes first (identity rows).
    level_rank: per row of G, the level's rank (siblings share level, period
    and restriction). previous: {(kind, row, period, ages): suppressed}.
    cap, floor: (n_c, Y, P) what related variables tell of each unit.
    parts: the age parts (default: those the blocks' restrictions need)."""
    restrictions = sorted({b.ages for b in blocks})
    if parts is None:
        parts = age_parts(restrictions, units.shape[2])
    year_pos = {y: i for i, y in enumerate(years)}
    values = parts_of(units, parts)  # (n_c, Y, P)
    n_parts = len(parts)
    blocks_m, kinds, rows, labels, ages, groups, thresholds, shown = ([] for _ in range(8))
    communes = np.arange(n_communes)
    for b_index, block in enumerate(blocks):
        year_vector = np.zeros(len(years))
        year_vector[[year_pos[y] for y in block.years]] = 1
        part_vector = np.array([1.0, 0.0]) if (block.ages == "0-64" and n_parts == 2) else np.ones(n_parts)
        selector = sp.csr_matrix(np.outer(year_vector, part_vector).ravel())
        offset = (b_index + 1) * 100
        public = np.asarray(block.shown, dtype=np.int64)
        hidden = communes[~np.isin(communes, public)]
        pieces = [
            (PUBLIC, public, G[public], level_rank[public] + offset, True),
            (HIDDEN, hidden, G[hidden], np.full(len(hidden), offset + 99), False),
        ]
        for kind, index, matrix, rank_of, is_shown in pieces:
            if not len(index):
                continue
            blocks_m.append(sp.kron(sp.csr_matrix(matrix), selector, format="csr"))
            kinds += [kind] * len(index)
            rows.append(np.asarray(index))
            labels += [block.period] * len(index)
            ages += [block.ages] * len(index)
            groups.append(np.asarray(rank_of))
            thresholds.append(np.full(len(index), block.threshold))
            shown.append(np.broadcast_to(is_shown, len(index)))
    n_units = n_communes * len(years) * n_parts
    if not blocks_m:
        empty = np.zeros(0)
        table = Table(
            incidence=sp.csr_matrix((0, n_units)),
            units=values.ravel(),
            shown=empty.astype(bool),
            group=empty.astype(np.int64),
            threshold=empty,
            cap=None if cap is None else cap.ravel(),
            floor=None if floor is None else floor.ravel(),
        )
        return table, CellKey(
            np.zeros(0, dtype=object), np.zeros(0, dtype=object), np.zeros(0, dtype=object), np.zeros(0, dtype=object)
        )
    incidence = sp.vstack(blocks_m, format="csr")
    key = CellKey(
        np.array(kinds, dtype=object),
        np.concatenate(rows),
        np.array(labels, dtype=object),
        np.array(ages, dtype=object),
    )
    prev = None
    if previous:
        prev = np.array(
            [
                previous.get((k, int(r), p, a), False)
                for k, r, p, a in zip(key.kind, key.row, key.period, key.ages, strict=True)
            ]
        )
    table = Table(
        incidence=incidence,
        units=values.ravel(),
        shown=np.concatenate(shown),
        group=np.concatenate(groups),
        previous=prev,
        threshold=np.concatenate(thresholds),
        cap=None if cap is None else cap.ravel(),
        floor=None if floor is None else floor.ravel(),
    )
    return table, key
