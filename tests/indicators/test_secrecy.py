"""Primary and secondary suppression, checked by an independent LP attacker."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from indicators.compute.secrecy import Table, audit, primary_secret, secondary_suppression

THRESHOLD = 11


def attacker_range(table: Table, published: np.ndarray, cell: int) -> tuple[float, float]:
    """Plain LP over every unit, no shortcut: the reference attacker."""
    A = table.incidence.toarray()
    pub = np.flatnonzero(published)
    kwargs = {"A_eq": A[pub], "b_eq": table.values[pub]} if len(pub) else {}
    low = linprog(A[cell], bounds=[(0, None)] * A.shape[1], method="highs", **kwargs)
    high = linprog(-A[cell], bounds=[(0, None)] * A.shape[1], method="highs", **kwargs)
    return low.fun, (-high.fun if high.status == 0 else np.inf)


def build(structure: list[tuple[int, int]], counts: list[int], composite: list[bool], show_units: bool = True) -> Table:
    """Units are communes (epci, departement); cells: communes, EPCI, départements,
    the region and one composite, all of one period."""
    n = len(counts)
    rows, groups = [], []
    if show_units:
        for i in range(n):
            rows.append([i])
            groups.append(0)
    for epci in sorted({e for e, _ in structure}):
        rows.append([i for i, (e, _) in enumerate(structure) if e == epci])
        groups.append(1)
    for dep in sorted({d for _, d in structure}):
        rows.append([i for i, (_, d) in enumerate(structure) if d == dep])
        groups.append(2)
    rows.append(list(range(n)))
    groups.append(3)
    members = [i for i in range(n) if composite[i]]
    if members:
        rows.append(members)
        groups.append(4)
    data = [(r, u) for r, units in enumerate(rows) for u in units]
    matrix = sp.csr_matrix((np.ones(len(data)), ([d[0] for d in data], [d[1] for d in data])), shape=(len(rows), n))
    return Table(
        incidence=matrix, units=np.array(counts, float), shown=np.ones(len(rows), bool), group=np.array(groups)
    )


def check_protected(table: Table, suppressed: np.ndarray) -> None:
    published = table.shown & ~suppressed
    small = published & (table.values >= 1) & (table.values < THRESHOLD)
    assert not small.any(), f"published counts below the threshold: {table.values[small]}"
    secrets = (table.values >= 1) & (table.values < THRESHOLD)
    assert not (secrets & ~suppressed).any()
    for cell in np.flatnonzero(secrets):
        low, high = attacker_range(table, published, cell)
        assert high > low + 1e-7, f"cell {cell} pinned to {low}"
        assert high >= THRESHOLD - 1e-7, f"cell {cell} proved below the threshold ({high})"


def test_it_marks_counts_from_one_to_the_threshold_minus_one():
    assert primary_secret(np.array([0, 1, 10, 11, 50]), 11).tolist() == [False, True, True, False, False]
    assert not primary_secret(np.array([0, 1, 3]), 0).any()


def test_a_lone_secret_commune_gets_a_sibling_suppressed():
    # EPCI 0 = communes 0,1,2 ; only commune 0 is small: publishing the others
    # and the EPCI total would give it away.
    table = build([(0, 0), (0, 0), (0, 0), (1, 0)], [4, 30, 12, 40], [False] * 4)
    suppressed = secondary_suppression(table, THRESHOLD)
    assert suppressed[0]
    assert suppressed[2] and not suppressed[1], "the smallest sibling is the one added"
    check_protected(table, suppressed)


def test_an_epci_straddling_two_departements_is_protected():
    # EPCI 1 has communes in départements 0 and 1.
    structure = [(0, 0), (0, 0), (1, 0), (1, 1), (2, 1), (2, 1)]
    table = build(structure, [15, 20, 3, 2, 25, 40], [False] * 6)
    suppressed = secondary_suppression(table, THRESHOLD)
    check_protected(table, suppressed)
    assert audit(table, suppressed, THRESHOLD).ok


def test_a_composite_cutting_across_epci_is_protected():
    structure = [(0, 0)] * 4 + [(1, 0)] * 4
    counts = [5, 14, 22, 30, 6, 18, 25, 40]
    composite = [True, True, False, False, True, False, False, False]
    table = build(structure, counts, composite)
    suppressed = secondary_suppression(table, THRESHOLD)
    check_protected(table, suppressed)


def test_it_protects_aggregates_published_without_their_communes():
    # EPCI-level indicator: communes are not shown, a small EPCI is secret.
    structure = [(0, 0), (0, 0), (1, 0), (2, 0), (2, 0)]
    table = build(structure, [2, 3, 30, 12, 9], [False] * 5, show_units=False)
    suppressed = secondary_suppression(table, THRESHOLD)
    check_protected(table, suppressed)
    assert suppressed.sum() >= 2


def test_it_prefers_cells_suppressed_in_the_previous_snapshot():
    structure = [(0, 0)] * 4
    table = build(structure, [4, 15, 16, 30], [False] * 4)
    first = secondary_suppression(table, THRESHOLD)
    assert first.tolist()[:4] == [True, True, False, False]
    previous = np.zeros(len(first), bool)
    previous[2] = True
    table.previous = previous
    second = secondary_suppression(table, THRESHOLD)
    assert second.tolist()[:4] == [True, False, True, False]
    check_protected(table, second)


@st.composite
def hierarchies(draw):
    n_deps = draw(st.integers(1, 3))
    n_epci = draw(st.integers(1, 5))
    n = draw(st.integers(2, 14))
    structure = []
    for _ in range(n):
        epci = draw(st.integers(0, n_epci - 1))
        # EPCI usually sit in one département; some straddle two
        dep = epci % n_deps if draw(st.integers(0, 4)) else draw(st.integers(0, n_deps - 1))
        structure.append((epci, dep))
    counts = draw(st.lists(st.one_of(st.integers(0, 12), st.integers(0, 60)), min_size=n, max_size=n))
    composite = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    show_units = draw(st.booleans())
    return structure, counts, composite, show_units


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchies())
def test_no_secret_cell_can_be_recovered_on_random_hierarchies(case):
    structure, counts, composite, show_units = case
    table = build(structure, counts, composite, show_units)
    suppressed = secondary_suppression(table, THRESHOLD)
    check_protected(table, suppressed)
    assert audit(table, suppressed, THRESHOLD).ok


def test_the_audit_flags_a_pinned_cell():
    table = build([(0, 0), (0, 0)], [4, 30], [False, False])
    naive = np.zeros(table.incidence.shape[0], bool)
    naive[0] = True  # commune 0 alone: EPCI - commune 1 gives it away
    result = audit(table, naive, THRESHOLD)
    assert result.failures == [0]
    assert result.lower[0] == pytest.approx(4) and result.upper[0] == pytest.approx(4)
