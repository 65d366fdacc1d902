"""The own-territory channel and supplied values, at the level of the pure
functions: what a review found after the first attacker test passed."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from indicators.compute import determination as det_module
from indicators.compute.determination import determination, determined
from indicators.compute.frames import IndicatorSpec, Rows, Series, indicator_frame
from indicators.own_territories import Version, figures_write
from indicators.snapshot_store import figures_read

YEARS = [2021]


def series(variable_id: int, code: str, counts, threshold: int = 11, is_value: bool = False, supplied=None):
    units = np.asarray(counts, dtype=float).reshape(-1, 1, 1)
    return Series(
        variable_id=variable_id,
        code=code,
        threshold=threshold,
        by_age=False,
        is_value=is_value,
        years=YEARS,
        units=units,
        france=np.ones((1, 1)),
        missing=np.zeros(units.shape[:2], dtype=bool),
        supplied=None if supplied is None else np.asarray(supplied, float).reshape(-1, 1, 1),
        demo=False,
    )


def rows(n: int) -> Rows:
    return Rows(
        G=sp.identity(n, format="csr"),
        ids=np.arange(n),
        codes=np.array([str(i) for i in range(n)]),
        names=np.array([""] * n, dtype=object),
        levels=np.array(["commune"] * n, dtype=object),
    )


def test_a_supplied_value_is_withheld_wherever_its_base_count_is():
    """A mean income resting on a count of tax households that the snapshot
    publishes: shown where the count is suppressed, it proved that count's
    suppression secondary; withheld where the count is small, it proved the
    count small. Its status now follows the count's mask, nothing else."""
    households = series(1, "foyers", [5, 40, 300, 80])
    income = series(2, "revenu", [0, 0, 0, 0], is_value=True, supplied=[20e3, 21e3, 22e3, 23e3])
    spec = IndicatorSpec(
        code="EMP-25",
        kind="value",
        multiplier=1,
        ages="",
        pool_years=None,
        numerator_id=2,
        denominator_id=None,
        release_base_id=1,
        release_threshold=11,
    )
    # the count's mask: commune 0 primary, commune 1 secondary, 2 and 3 published
    masks = {1: {(0, "2021", ""): True, (1, "2021", ""): True, (2, "2021", ""): False, (3, "2021", ""): False}}
    frame = indicator_frame(spec, {1: households, 2: income}, rows(4), masks, [0, 1, 2, 3], supplied_rows=np.arange(4))
    status = frame[frame["level"] == "commune"]["status"].tolist()
    assert status == ["secret", "secret", "ok", "ok"]
    # a base no indicator publishes: the release rule alone, never below the
    # base's own secrecy threshold (a release base of 5 would prove 1-4)
    spec5 = IndicatorSpec(**{**spec.__dict__, "release_threshold": 5})
    frame = indicator_frame(
        spec5,
        {1: series(1, "foyers", [7, 40, 300, 80]), 2: income},
        rows(4),
        {},
        [0, 1, 2, 3],
        supplied_rows=np.arange(4),
    )
    assert frame[frame["level"] == "commune"]["status"].tolist() == ["secret", "ok", "ok", "ok"]


def test_own_figures_fail_closed_where_the_snapshot_decided_nothing(tmp_path):
    """A snapshot written before the determination files, or an indicator
    added since: nothing is known of the variable, so nothing is shown
    (a raw 'EPCI minus one commune' gave the commune away)."""
    deaths = series(1, "deces", [3, 50, 60])
    population = series(2, "pop", [100, 2000, 3000], threshold=0)
    spec = IndicatorSpec(
        code="MOR-X", kind="crude_rate", multiplier=1000, ages="", pool_years=None, numerator_id=1, denominator_id=2
    )
    versions = [Version(pk=1, communes=("1", "2"))]
    codes = np.array(["0", "1", "2"])
    written = figures_write(tmp_path, versions, codes, {1: deaths, 2: population}, [spec], known={}, free=frozenset())
    assert written == 1
    assert (figures_read(str(tmp_path), 1)["status"] == "secret").all()
    # the same, told that both variables have nothing secret: shown
    figures_write(
        tmp_path,
        [Version(pk=2, communes=("1", "2"))],
        codes,
        {1: deaths, 2: population},
        [spec],
        known={},
        free=frozenset({"deces", "pop"}),
    )
    shown = figures_read(str(tmp_path), 2)
    assert shown["status"].tolist() == ["ok"] and shown["numerator"].tolist() == [110]


def test_a_version_read_before_its_check_is_read_again_after(tmp_path):
    """A web process that asked too early kept answering 'being checked'."""
    assert figures_read(str(tmp_path), 7) is None
    pop = series(1, "pop", [100, 200], threshold=0)
    spec = IndicatorSpec(
        code="POP", kind="count", multiplier=1, ages="", pool_years=None, numerator_id=1, denominator_id=None
    )
    figures_write(
        tmp_path,
        [Version(pk=7, communes=("0", "1"))],
        np.array(["0", "1"]),
        {1: pop},
        [spec],
        known={},
        free=frozenset({"pop"}),
    )
    assert figures_read(str(tmp_path), 7)["numerator"].tolist() == [300]
    assert not list((tmp_path / "own").glob(".v*"))  # nothing half-written left behind


def test_a_forged_hash_does_not_make_a_sum_determined(monkeypatch):
    """The remainder of a published cell is recognised by a hash of its atoms,
    then compared atom by atom: communes chosen to collide with the hash
    (here: every hash collides) are not enough."""
    # two published cells over six communes: X = {0..3}, Y = {2..5}; atoms
    # a = {0, 1}, b = {2, 3}, c = {4, 5}; X and Y determine a+b and b+c only
    incidence = sp.csr_matrix(np.array([[1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1]], dtype=float))
    det = determination(incidence, np.array([30.0, 40.0]), np.array([True, True]))
    targets = sp.csr_matrix(np.array([[1, 1, 1, 1, 0, 0], [1, 1, 0, 0, 1, 1], [1, 0, 1, 1, 0, 0]], dtype=float))
    assert determined(det, targets).tolist() == [True, False, False]
    monkeypatch.setattr(det_module, "_keys", lambda pairs: np.zeros(len(pairs), dtype=np.uint64))
    det = determination(incidence, np.array([30.0, 40.0]), np.array([True, True]))
    assert determined(det, targets).tolist() == [True, False, False]  # a + c is still not shown


def test_a_cell_that_makes_its_rest_zero_leaves_its_known_atoms_their_totals():
    """A region of 13 published with its EPCI of 13: the commune outside the
    EPCI is 0, but the EPCI's two communes (1 and 12, never published) are
    not; a territory of one of them is not determined (found by the property
    test: the EPCI's atom was marked 0, and "region minus one commune" was
    shown, pinning a count of 1)."""
    incidence = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 1]], dtype=float))
    values = np.array([13.0, 13.0])
    det = determination(incidence, values, np.array([True, True]))
    one_commune = sp.csr_matrix(np.array([[1, 0, 0]], dtype=float))
    outside = sp.csr_matrix(np.array([[0, 0, 1]], dtype=float))
    assert not determined(det, one_commune)[0]
    assert determined(det, outside)[0]
