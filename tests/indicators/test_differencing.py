"""Exact differencing on tiny hand-built systems."""

from __future__ import annotations

import numpy as np

from indicators.compute.differencing import determined_units, newly_determined


def test_a_sum_over_one_unknown_gives_it_away():
    assert determined_units(np.array([[1, 0, 0]])).tolist() == [True, False, False]


def test_a_sum_over_two_unknowns_keeps_both():
    assert determined_units(np.array([[1, 1, 0]])).tolist() == [False, False, False]


def test_nested_sums_differ_by_one_unit():
    # T = {a, b}; T plus one commune = {a, b, c}: c = difference
    assert newly_determined(np.array([[1, 1, 0]]), np.array([1, 1, 1])).tolist() == [False, False, True]


def test_overlapping_sums_solve_the_system():
    known = np.array([[1, 1, 0], [0, 1, 1]])
    assert not determined_units(known).any()
    assert newly_determined(known, np.array([1, 0, 1])).tolist() == [True, True, True]


def test_a_sum_that_adds_no_information_is_safe():
    known = np.array([[1, 1, 0, 0], [0, 0, 1, 1]])
    assert not newly_determined(known, np.array([1, 1, 1, 1])).any()  # the sum of two known sums


def test_no_rows_determine_nothing():
    assert determined_units(np.zeros((0, 4))).tolist() == [False] * 4
