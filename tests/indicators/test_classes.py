"""Class breaks for choropleth maps."""

from __future__ import annotations

import numpy as np
import pytest

from indicators.compute.classes import breaks, classify, colours


def test_quantiles_put_as_many_territories_in_each_class():
    values = np.arange(1, 101, dtype=float)
    bounds = breaks(values, "quantiles", 4)
    assert bounds == pytest.approx([1, 25.75, 50.5, 75.25, 100])
    counts = np.bincount(classify(values, bounds))
    assert counts.tolist() == [25, 25, 25, 25]


def test_jenks_finds_the_natural_gaps():
    values = np.array([1, 2, 3, 50, 51, 52, 100, 101, 102], dtype=float)
    bounds = breaks(values, "jenks", 3)
    assert classify(values, bounds).tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_equal_intervals_and_missing_values():
    values = np.array([0, 10, np.nan, 5], dtype=float)
    bounds = breaks(values, "equal", 5)
    assert bounds == pytest.approx([0, 2, 4, 6, 8, 10])
    assert classify(values, bounds).tolist() == [0, 4, -1, 2]


def test_class_count_is_kept_between_3_and_7_and_colours_follow():
    values = np.random.default_rng(1).random(50)
    assert len(breaks(values, "quantiles", 12)) == 8
    assert len(breaks(values, "quantiles", 1)) == 4
    assert len(colours(5)) == 5 and colours(5)[0] != colours(5)[-1]
