"""indicators.compute.rates against the test data of PHEindicatormethods 2.1.0
(the Fingertips methods), read from tests/fixtures/pheindicatormethods (origin
and licence in its README).

Every comparison is at rtol=1e-9: the spreadsheets hold full double precision
values, and the formulas here reproduce them to about 1e-14 (the residue is
floating point: the normal and chi-square quantiles are evaluated by different
libraries). Nothing needed loosening.

Oracle content not compared, and why:

* DSR_testdata.csv (not copied into tests/fixtures) only holds results (period, quintile, total population,
  value and limits), not the age-specific counts and populations they were
  computed from; its inputs cannot be reconstructed (it is the input of the
  package's slope-index-of-inequality tests, not of its DSR tests).
* testresults_DSR, rows testdata_nonind_*: the *values* are compared, the
  limits are not, because they use the package's adjustment of Dobson limits
  for non-independent events (several events per person), which is not part
  of directly_standardised_rate.
* testresults_DSR, row testdata_1976, 99.8 % columns: the oracle limits are
  exactly ten times the limits at the row's multiplier (its "per 10000" row
  holds the per-100000 limits and its "per 100000" row the per-1000000 ones,
  a slip in the test data — the 95 % limits and the value are at the stated
  multiplier). They are compared, at rtol=1e-9, against our limits computed
  with multiplier × 10, rather than skipped.
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from indicators.compute.rates import (
    ESP2013,
    Z95,
    byar_interval,
    compare_to_reference,
    crude_rate,
    directly_standardised_rate,
    exact_poisson_interval,
    indirectly_standardised_ratio,
    poisson_count_interval,
    pooled_counts,
    proportion,
    wilson_interval,
)

RTOL = 1e-9
#: Confidence levels of the oracle columns (95 % and 99.8 %).
LEVELS = {"95%": 0.95, "99.8%": 0.998}
LIMIT_COLUMNS = {0.95: ("lower95_0cl", "upper95_0cl"), 0.998: ("lower99_8cl", "upper99_8cl")}


#: The oracle files, kept with the tests: a clone anywhere finds them.
ORACLES = Path(__file__).resolve().parent.parent / "fixtures" / "pheindicatormethods"


@cache
def sheet(filename: str, name: str | None = None) -> pd.DataFrame:
    return pd.read_excel(ORACLES / filename, sheet_name=name or 0)


def dsr_isr(name: str) -> pd.DataFrame:
    return sheet("testdata_DSR_ISR.xlsx", name)


def by_area(frame: pd.DataFrame, column: str) -> tuple[list[str], np.ndarray]:
    """(areas in order of appearance, (n_areas, n_bands) array of column)."""
    areas = list(dict.fromkeys(frame["area"]))
    values = np.vstack([frame.loc[frame["area"] == area, column].to_numpy(dtype=float) for area in areas])
    return areas, values


def multiplier_of(statistic: str) -> float:
    """'dsr per 100000' -> 100000; 'indirectly standardised ratio x 100' -> 100."""
    return float(statistic.split()[-1])


@pytest.fixture(autouse=True)
def no_runtime_warnings():
    """The functions promise no warnings on zeros and NaN: make any an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- Byar and Wilson limits (testdata_Byars_Wilson.xlsx) ---------------------------------


def test_it_matches_every_byar_and_wilson_row():
    data = sheet("testdata_Byars_Wilson.xlsx")
    assert len(data) == 13
    for row in data.itertuples():
        confidence = LEVELS[row.confidence]
        if row.method == "Byars":
            lower, upper = byar_interval(np.array([row.x]), confidence)
        else:
            lower, upper = wilson_interval(np.array([row.x]), np.array([row.n]), confidence)
        assert_allclose([lower[0], upper[0]], [row.lowercl, row.uppercl], rtol=RTOL, err_msg=str(row))


def test_it_gives_no_byar_lower_limit_where_the_approximation_breaks_down():
    # the oracle's last row: 1 event at 99.8 %, the cubed bracket is negative
    lower, upper = byar_interval(np.array([1.0]), 0.998)
    assert np.isnan(lower[0]) and np.isfinite(upper[0])
    # whereas the Fingertips rule takes the exact interval there
    lower, _ = poisson_count_interval(np.array([1.0]), 0.998)
    assert lower[0] > 0


def test_it_evaluates_all_byar_and_wilson_rows_in_one_vectorised_call():
    data = sheet("testdata_Byars_Wilson.xlsx")
    for level, confidence in LEVELS.items():
        byars = data[(data["method"] == "Byars") & (data["confidence"] == level)]
        lower, upper = byar_interval(byars["x"], confidence)
        assert_allclose(lower, byars["lowercl"], rtol=RTOL)
        assert_allclose(upper, byars["uppercl"], rtol=RTOL)
        wilson = data[(data["method"] == "Wilson") & (data["confidence"] == level)]
        lower, upper = wilson_interval(wilson["x"], wilson["n"], confidence)
        assert_allclose(lower, wilson["lowercl"], rtol=RTOL)
        assert_allclose(upper, wilson["uppercl"], rtol=RTOL)


# --- Proportions (testdata_Proportion.xlsx) ---------------------------------------------


def test_it_matches_the_proportion_sheet_at_95_and_99_8_percent():
    data = sheet("testdata_Proportion.xlsx", "testdata_Prop")
    assert len(data) == 19
    for multiplier, rows in data.groupby("multiplier"):
        for confidence, (low, high) in LIMIT_COLUMNS.items():
            result = proportion(rows["Numerator"], rows["Denominator"], multiplier, confidence)
            assert list(result.columns) == ["value", "ci_low", "ci_high"]
            assert_allclose(result["value"], rows["value"], rtol=RTOL)
            assert_allclose(result["ci_low"], rows[low], rtol=RTOL)
            assert_allclose(result["ci_high"], rows[high], rtol=RTOL)


def test_it_matches_the_grouped_proportion_sheet():
    data = sheet("testdata_Proportion.xlsx", "testdata_Prop_g")
    assert len(data) == 11 and set(data["confidence"]) == {"95%"}
    result = proportion(data["Numerator"], data["Denominator"], multiplier=1)
    assert_allclose(result["value"], data["value"], rtol=RTOL)
    assert_allclose(result["ci_low"], data["lowercl"], rtol=RTOL)
    assert_allclose(result["ci_high"], data["uppercl"], rtol=RTOL)


# --- Crude rates (testdata_Rate.xlsx) ---------------------------------------------------


def test_it_matches_the_rate_sheet_at_95_and_99_8_percent():
    data = sheet("testdata_Rate.xlsx", "testdata_Rate")
    assert len(data) == 20
    for multiplier, rows in data.groupby("multiplier"):
        for confidence, (low, high) in LIMIT_COLUMNS.items():
            result = crude_rate(rows["Numerator"], rows["Denominator"], multiplier, confidence)
            assert list(result.columns) == ["value", "ci_low", "ci_high"]
            assert_allclose(result["value"], rows["value"], rtol=RTOL)
            assert_allclose(result["ci_low"], rows[low], rtol=RTOL)
            assert_allclose(result["ci_high"], rows[high], rtol=RTOL)


def test_it_matches_the_grouped_rate_sheet():
    data = sheet("testdata_Rate.xlsx", "testdata_Rate_g")
    assert len(data) == 12 and set(data["confidence"]) == {"95%"}
    result = crude_rate(data["Numerator"], data["Denominator"], multiplier=100_000)
    assert_allclose(result["value"], data["value"], rtol=RTOL)
    assert_allclose(result["ci_low"], data["lowercl"], rtol=RTOL)
    assert_allclose(result["ci_high"], data["uppercl"], rtol=RTOL)


def test_it_uses_the_exact_interval_below_10_events_and_byar_from_10():
    # The oracle labels each rate row with its method: check the switch is where it says.
    for name in ("testdata_Rate", "testdata_Rate_g"):
        data = sheet("testdata_Rate.xlsx", name).dropna(subset=["method"])
        counts = data["Numerator"].to_numpy(dtype=float)
        exact = data["method"].eq("Exact").to_numpy()
        assert (counts[exact] < 10).all() and (counts[~exact] >= 10).all()
        assert 10 in counts[~exact]  # Area10 / Area2 of the grouped sheet: 10 is Byar
    counts = np.arange(0.0, 30.0)
    for confidence in LEVELS.values():
        lower, upper = poisson_count_interval(counts, confidence)
        exact_lower, exact_upper = exact_poisson_interval(counts, confidence)
        byar_lower, byar_upper = byar_interval(counts, confidence)
        assert_allclose(lower[:10], exact_lower[:10], rtol=RTOL)
        assert_allclose(upper[:10], exact_upper[:10], rtol=RTOL)
        assert_allclose(lower[10:], byar_lower[10:], rtol=RTOL)
        assert_allclose(upper[10:], byar_upper[10:], rtol=RTOL)


def test_it_matches_the_exact_rows_with_the_exact_poisson_interval_itself():
    data = sheet("testdata_Rate.xlsx", "testdata_Rate")
    exact = data[data["method"] == "Exact"]
    for confidence, (low, high) in LIMIT_COLUMNS.items():
        lower, upper = exact_poisson_interval(exact["Numerator"], confidence)
        scale = exact["multiplier"] / exact["Denominator"]
        assert_allclose(lower * scale, exact[low], rtol=RTOL)
        assert_allclose(upper * scale, exact[high], rtol=RTOL)


# --- Directly standardised rates (testdata_DSR_ISR.xlsx) --------------------------------


def dsr_expected(area: str, multiplier: float) -> pd.Series:
    results = dsr_isr("testresults_DSR")
    rows = results[results["area"] == area]
    if area in ("testdata_tiny", "testdata_nonind_tiny"):  # "dsr NA for total count < 10"
        return rows.iloc[0]
    rows = rows[rows["statistic"].map(multiplier_of) == multiplier]
    assert len(rows) == 1
    return rows.iloc[0]


def test_it_matches_the_dsr_of_every_multiarea_row_with_esp2013():
    areas, counts = by_area(dsr_isr("testdata_multiarea"), "count")
    _, populations = by_area(dsr_isr("testdata_multiarea"), "pop")
    assert areas == ["testdata_big", "testdata_small", "testdata_tiny"]
    assert counts.shape == (3, 19)
    lookup = dsr_isr("testdata_multiarea_lookup").set_index("area")["total_count"]
    for multiplier in (10_000, 100_000):
        for confidence, (low, high) in LIMIT_COLUMNS.items():
            result = directly_standardised_rate(counts, populations, ESP2013, multiplier, confidence)
            assert list(result.columns) == [
                "value",
                "ci_low",
                "ci_high",
                "total_count",
                "total_pop",
            ]
            for i, area in enumerate(areas):
                expected = dsr_expected(area, multiplier)
                got = result.iloc[i]
                assert_allclose(
                    [got["value"], got["ci_low"], got["ci_high"]],
                    [expected["value"], expected[low], expected[high]],
                    rtol=RTOL,
                    err_msg=f"{area} per {multiplier} at {confidence}",
                )
                assert got["total_count"] == expected["total_count"] == lookup[area]
                assert got["total_pop"] == expected["total_pop"]


def test_it_suppresses_the_dsr_below_10_events_but_keeps_the_totals():
    # testdata_tiny: 9 events, one band's count missing (NaN, taken as 0)
    _, counts = by_area(dsr_isr("testdata_multiarea"), "count")
    _, populations = by_area(dsr_isr("testdata_multiarea"), "pop")
    tiny = directly_standardised_rate(counts[2:], populations[2:], ESP2013).iloc[0]
    assert np.isnan([tiny["value"], tiny["ci_low"], tiny["ci_high"]]).all()
    assert (tiny["total_count"], tiny["total_pop"]) == (9, 8970)
    # and computes it on request, with the exact interval of the 9 events
    forced = directly_standardised_rate(counts[2:], populations[2:], ESP2013, min_count=0)
    assert forced["ci_low"].iloc[0] < forced["value"].iloc[0] < forced["ci_high"].iloc[0]


def test_it_matches_the_dsr_with_the_1976_standard():
    data = dsr_isr("testdata_1976")
    counts = data["count"].to_numpy(dtype=float)[None, :]
    populations = data["pop"].to_numpy(dtype=float)[None, :]
    standard = data["esp1976"].to_numpy(dtype=float)
    assert standard.shape == (18,) and standard.sum() == 100_000
    for multiplier in (10_000, 100_000):
        expected = dsr_expected("testdata_1976", multiplier)
        result = directly_standardised_rate(counts, populations, standard, multiplier).iloc[0]
        assert_allclose(
            [result["value"], result["ci_low"], result["ci_high"]],
            [expected["value"], expected["lower95_0cl"], expected["upper95_0cl"]],
            rtol=RTOL,
        )
        assert (result["total_count"], result["total_pop"]) == (804, 8763)
        # The oracle's 99.8 % limits of this row are at ten times its multiplier
        # (see the module docstring): compare them as such.
        tenfold = directly_standardised_rate(counts, populations, standard, multiplier * 10, 0.998).iloc[0]
        assert_allclose(
            [tenfold["ci_low"], tenfold["ci_high"]],
            [expected["lower99_8cl"], expected["upper99_8cl"]],
            rtol=RTOL,
        )


def test_it_matches_the_values_of_the_non_independent_events_rows():
    # Only value and totals: the limits of these rows use the package's adjustment
    # for several events per person, which is not implemented here.
    areas, counts = by_area(dsr_isr("testdata_nonindepe"), "count")
    _, populations = by_area(dsr_isr("testdata_nonindepe"), "pop")
    result = directly_standardised_rate(counts, populations, ESP2013)
    for i, area in enumerate(areas):
        expected = dsr_expected(area, 100_000)
        assert_allclose(result["value"].iloc[i], expected["value"], rtol=RTOL, err_msg=area)
        assert result["total_count"].iloc[i] == expected["total_count"]
        assert result["total_pop"].iloc[i] == expected["total_pop"]


@pytest.mark.parametrize("name", ["testdata_err1", "testdata_err3", "testdata_err4"])
def test_it_rejects_negative_counts_populations_or_standard_weights(name):
    data = dsr_isr(name)
    counts = data["count"].to_numpy(dtype=float)[None, :]
    populations = data["pop"].to_numpy(dtype=float)[None, :]
    with pytest.raises(ValueError, match="negative"):
        directly_standardised_rate(counts, populations, data["stdpop"].to_numpy(dtype=float))


def test_it_gives_no_dsr_for_an_area_with_events_in_a_band_without_population():
    # testdata_err2: Area1 has 25 events in a band of population 0; Area2 is testdata_small.
    counts = dsr_isr("testdata_err2")["count"].to_numpy(dtype=float).reshape(2, 19)
    populations = dsr_isr("testdata_err2")["pop"].to_numpy(dtype=float).reshape(2, 19)
    result = directly_standardised_rate(counts, populations, ESP2013)
    assert np.isnan(result.loc[0, ["value", "ci_low", "ci_high"]].to_numpy(dtype=float)).all()
    assert result.loc[0, "total_count"] == 895
    small = dsr_expected("testdata_small", 100_000)
    assert_allclose(
        result.loc[1, ["value", "ci_low", "ci_high"]].to_numpy(dtype=float),
        small[["value", "lower95_0cl", "upper95_0cl"]].to_numpy(dtype=float),
        rtol=RTOL,
    )


def test_it_treats_an_empty_band_as_contributing_nothing():
    counts = np.array([[10.0, 5.0, 0.0]])
    result = directly_standardised_rate(counts, np.array([[1000.0, 500.0, 0.0]]), np.array([1.0, 1.0, 1.0]))
    # (10/1000 + 5/500 + 0) / 3 per person
    assert_allclose(result["value"], [0.02 / 3 * 100_000], rtol=RTOL)


# --- Indirectly standardised ratios (testdata_DSR_ISR.xlsx) -----------------------------


def reference_rates() -> np.ndarray:
    """Age-specific reference rates (events per person) from refdata; the
    refcount/refpop columns of testdata_multiarea_isr repeat the same figures."""
    ref = dsr_isr("refdata")
    return (ref["refcount"] / ref["refpop"]).to_numpy(dtype=float)


def reference_crude_rate() -> float:
    ref = dsr_isr("refdata")
    return ref["refcount"].sum() / ref["refpop"].sum()


def isr_inputs() -> tuple[list[str], np.ndarray, np.ndarray]:
    data = dsr_isr("testdata_multiarea_isr")
    _, refcounts = by_area(data, "refcount")
    ref = dsr_isr("refdata")["refcount"].to_numpy(dtype=float)
    assert_allclose(refcounts[:2], np.vstack([ref, ref]))  # same reference, repeated
    areas, counts = by_area(data, "count")
    _, populations = by_area(data, "pop")
    return areas, counts, populations


def test_it_matches_the_isr_ratios_of_every_multiarea_row():
    areas, counts, populations = isr_inputs()
    results = dsr_isr("testresults_ISR")
    for multiplier in (1, 100):
        rows = results[results["statistic"] == f"indirectly standardised ratio x {multiplier}"]
        rows = rows.set_index("area").loc[areas]
        for confidence, (low, high) in LIMIT_COLUMNS.items():
            result = indirectly_standardised_ratio(counts, populations, reference_rates(), multiplier, confidence)
            assert list(result.columns) == [
                "observed",
                "expected",
                "value",
                "ci_low",
                "ci_high",
                "significance",
            ]
            assert_allclose(result["observed"], rows["observed"], rtol=RTOL)
            assert_allclose(result["expected"], rows["expected"], rtol=RTOL)
            assert_allclose(result["value"], rows["value"], rtol=RTOL)
            assert_allclose(result["ci_low"], rows[low], rtol=RTOL)
            assert_allclose(result["ci_high"], rows[high], rtol=RTOL)


def test_it_matches_the_isr_rates_as_ratio_times_reference_rate():
    # Indirectly standardised rate = ratio (x 1) x crude rate of the reference.
    areas, counts, populations = isr_inputs()
    results = dsr_isr("testresults_ISR")
    for multiplier in (1_000, 100_000):
        rows = results[results["statistic"] == f"indirectly standardised rate per {multiplier}"]
        rows = rows.set_index("area").loc[areas]
        reference = reference_crude_rate() * multiplier
        assert_allclose(rows["ref_rate"], reference, rtol=RTOL)
        for confidence, (low, high) in LIMIT_COLUMNS.items():
            ratio = indirectly_standardised_ratio(counts, populations, reference_rates(), 1, confidence)
            assert_allclose(ratio["value"] * reference, rows["value"], rtol=RTOL)
            assert_allclose(ratio["ci_low"] * reference, rows[low], rtol=RTOL)
            assert_allclose(ratio["ci_high"] * reference, rows[high], rtol=RTOL)


def test_it_matches_the_isr_rows_of_areas_with_a_band_without_population():
    # Rows Area1/Area2 of testresults_ISR are testdata_err2 against refdata: Area1's
    # 5-9 band has 25 events but population 0, so it adds nothing to expected
    # (808.3 instead of 835.9) while its events still count as observed.
    counts = dsr_isr("testdata_err2")["count"].to_numpy(dtype=float).reshape(2, 19)
    populations = dsr_isr("testdata_err2")["pop"].to_numpy(dtype=float).reshape(2, 19)
    results = dsr_isr("testresults_ISR").set_index(["area", "statistic"])
    ratio = indirectly_standardised_ratio(counts, populations, reference_rates(), 100)
    rate = indirectly_standardised_ratio(counts, populations, reference_rates(), 1)
    reference = reference_crude_rate() * 100_000
    for i, area in enumerate(["Area1", "Area2"]):
        expected = results.loc[(area, "indirectly standardised ratio x 100")]
        assert_allclose(
            ratio.loc[i, ["observed", "expected", "value", "ci_low", "ci_high"]].to_numpy(float),
            expected[["observed", "expected", "value", "lower95_0cl", "upper95_0cl"]].to_numpy(float),
            rtol=RTOL,
        )
        expected = results.loc[(area, "indirectly standardised rate per 100000")]
        assert_allclose(
            rate.loc[i, ["value", "ci_low", "ci_high"]].to_numpy(float) * reference,
            expected[["value", "lower95_0cl", "upper95_0cl"]].to_numpy(float),
            rtol=RTOL,
        )


def test_it_flags_isr_significance_against_the_reference():
    areas, counts, populations = isr_inputs()
    at_95 = indirectly_standardised_ratio(counts, populations, reference_rates(), 100)
    at_998 = indirectly_standardised_ratio(counts, populations, reference_rates(), 100, 0.998)
    # big: 107 (100.2-114.3) at 95 % but (96.4-118.6) at 99.8 %
    assert list(at_95["significance"]) == ["higher", "lower", "lower"]
    assert list(at_998["significance"]) == ["similar", "lower", "lower"]


# --- Edge cases ---------------------------------------------------------------------------


def test_it_gives_zero_events_a_lower_limit_of_0_and_a_finite_upper_limit():
    zero = np.array([0.0])
    for interval in (exact_poisson_interval, byar_interval, poisson_count_interval):
        for confidence in LEVELS.values():
            lower, upper = interval(zero, confidence)
            assert lower[0] == 0 and np.isfinite(upper[0]) and upper[0] > 0
    # exact: upper = chi2(0.975, 2)/2 = -ln(0.025)
    assert_allclose(exact_poisson_interval(zero)[1], [-np.log(0.025)], rtol=1e-12)
    rate = crude_rate(np.array([0.0]), np.array([2500.0]))
    assert rate.loc[0, "value"] == 0 and rate.loc[0, "ci_low"] == 0
    assert_allclose(rate.loc[0, "ci_high"], -np.log(0.025) / 2500 * 100_000, rtol=1e-12)
    share = proportion(np.array([0.0]), np.array([40.0]))
    assert share.loc[0, "value"] == 0 and share.loc[0, "ci_low"] == 0
    assert 0 < share.loc[0, "ci_high"] < 100
    # all cases: upper Wilson limit is exactly 100 %
    assert proportion(np.array([40.0]), np.array([40.0])).loc[0, "ci_high"] == 100


def test_it_returns_nan_for_0_over_0_without_raising():
    share = proportion(np.array([0.0, 3.0]), np.array([0.0, 0.0]))
    assert share.isna().all().all()
    rate = crude_rate(np.array([0.0, 3.0]), np.array([0.0, 0.0]))
    assert rate.isna().all().all()
    lower, upper = wilson_interval(np.array([0.0]), np.array([0.0]))
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    # impossible proportions (more cases than population, negative) are NaN too
    assert proportion(np.array([5.0, -1.0]), np.array([4.0, 4.0])).isna().all().all()
    # scalars are accepted
    assert proportion(1, 4)["value"].tolist() == [25.0]


def test_it_gives_nan_isr_when_nothing_is_expected():
    result = indirectly_standardised_ratio(np.array([[3.0, 0.0]]), np.array([[0.0, 0.0]]), np.array([0.01, 0.02]))
    assert result.loc[0, "observed"] == 3 and result.loc[0, "expected"] == 0
    assert np.isnan(result.loc[0, ["value", "ci_low", "ci_high"]].to_numpy(float)).all()
    assert result.loc[0, "significance"] == ""


def test_it_compares_intervals_to_a_reference_value():
    low = np.array([101.0, 90.0, 95.0, np.nan, 100.0, 80.0])
    high = np.array([110.0, 99.0, 105.0, 105.0, 120.0, 100.0])
    result = compare_to_reference(low, high, 100)
    assert result.tolist() == ["higher", "lower", "similar", "", "similar", "similar"]
    per_row = compare_to_reference(low, high, np.array([100, 100, 110, 100, 90, np.nan]))
    assert per_row.tolist() == ["higher", "lower", "lower", "", "higher", ""]


def test_it_computes_100_000_territories_at_once():
    rng = np.random.default_rng(2026)
    size = 100_000
    populations = rng.integers(0, 50_000, size).astype(float)
    counts = np.floor(populations * rng.uniform(0, 0.02, size))
    counts[::1000] = np.nan

    rates = crude_rate(pd.Series(counts), pd.Series(populations))
    assert rates.shape == (size, 3)
    ok = (populations > 0) & ~np.isnan(counts)
    assert np.isfinite(rates[ok].to_numpy()).all()
    assert rates[~ok].isna().all().all()
    assert (rates["ci_low"][ok] <= rates["value"][ok]).all()
    assert (rates["value"][ok] <= rates["ci_high"][ok]).all()
    # same numbers as one territory at a time
    for i in np.flatnonzero(ok)[:20]:
        single = crude_rate(np.array([counts[i]]), np.array([populations[i]])).iloc[0]
        assert_allclose(rates.iloc[i].to_numpy(), single.to_numpy(), rtol=1e-12)

    shares = proportion(counts, populations)
    assert shares.shape == (size, 3)
    assert np.isfinite(shares[ok].to_numpy()).all()

    band_pop = rng.integers(0, 3_000, (size, 19)).astype(float)
    band_counts = np.floor(band_pop * rng.uniform(0, 0.03, (size, 19)))
    dsr = directly_standardised_rate(band_counts, band_pop, ESP2013)
    assert dsr.shape == (size, 5)
    enough = dsr["total_count"] >= 10
    assert np.isfinite(dsr[enough].to_numpy()).all()
    assert dsr.loc[~enough, "value"].isna().all()
    isr = indirectly_standardised_ratio(band_counts, band_pop, reference_rates())
    assert isr.shape == (size, 6)
    assert set(isr["significance"]) <= {"higher", "lower", "similar", ""}


def test_it_exposes_the_standard_constants():
    assert_allclose(Z95, 1.959963984540054, rtol=1e-15)
    assert ESP2013.shape == (19,) and ESP2013.sum() == 100_000
    assert ESP2013[0] == 5000 and ESP2013[-1] == 1000


# --- Pooling years ------------------------------------------------------------------------


def test_it_pools_counts_over_years_and_blanks_incomplete_groups():
    frame = pd.DataFrame(
        {
            "territory": ["A"] * 4 + ["B"] * 3 + ["C"] * 3 + ["D"],
            "sex": ["f"] * 11,
            "year": [2014, 2015, 2016, 2017, 2015, 2016, 2017, 2015, 2016, 2017, 2014],
            "events": [100, 1, 2, 3, 10, 20, 30, 5, np.nan, 5, 7],
            "person_years": [1e6, 10, 20, 30, 100, 200, 300, 50, 50, 50, 70],
        }
    )
    # B twice in 2016 (e.g. two sub-units): both rows are summed
    frame = pd.concat([frame, frame.iloc[[5]]], ignore_index=True)
    result = pooled_counts(frame, [2015, 2016, 2017], ["territory", "sex"], ["events", "person_years"])
    assert list(result.columns) == ["territory", "sex", "events", "person_years"]
    result = result.set_index("territory")
    assert result.loc["A", ["events", "person_years"]].tolist() == [6, 60]  # 2014 excluded
    assert result.loc["B", ["events", "person_years"]].tolist() == [80, 800]
    assert np.isnan(result.loc["C", "events"])  # a missing value in a pooled year
    assert result.loc["C", "person_years"] == 150
    assert result.loc["D"].drop("sex").isna().all()  # none of the years
    # a group lacking one year gets NaN
    partial = pooled_counts(frame, [2014, 2015], ["territory"], ["events"]).set_index("territory")
    assert partial.loc["A", "events"] == 101
    assert partial[["events"]].drop(index="A").isna().all().all()
