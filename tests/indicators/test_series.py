"""A variable's observations as the engine's arrays (compute/snapshot.py),
on hand-built frames: its years are the ones its observations span."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from indicators.compute.cells import Geography
from indicators.compute.snapshot import series_build

FRANCE_ID = 100
COUNT = SimpleNamespace(pk=7, code="aah", by_age=False, is_value=False, source=SimpleNamespace(secrecy_threshold=11))


def geography() -> Geography:
    """Two communes and the region they make."""
    geo = Geography(
        ids=np.array([1, 2, 9]),
        levels=np.array(["commune", "commune", "region"], dtype=object),
        codes=np.array(["80001", "80002", "32"], dtype=object),
        names=np.array(["A", "B", "Région"], dtype=object),
        G=sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])),
        n_communes=2,
        france_id=FRANCE_ID,
    )
    geo.row_of = {1: 0, 2: 1, 9: 2}
    return geo


def observations(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["territory_id", "period", "value"])
    return frame.assign(age_band="", is_demo=False)


def test_a_variables_years_run_from_its_first_observation_to_its_last():
    frame = observations([(1, 2019, 5), (2, 2019, 6), (1, 2021, 7), (2, 2021, 8), (FRANCE_ID, 2019, 900)])
    series = series_build(frame, COUNT, geography(), age_bands=())
    assert series.years == [2019, 2020, 2021]
    # the year nobody supplied is missing everywhere, not zero
    assert series.missing.tolist() == [[False, True, False], [False, True, False]]
    assert series.units[:, :, 0].tolist() == [[5, 0, 7], [6, 0, 8]]
    np.testing.assert_array_equal(series.france[:, 0], [900, np.nan, np.nan])


def test_years_outside_the_demonstration_window_are_the_variables_own():
    series = series_build(observations([(1, 2030, 3), (2, 2031, 4)]), COUNT, geography(), age_bands=())
    assert series.years == [2030, 2031]
    assert series.missing.tolist() == [[False, True], [True, False]]
