"""The publication run: aggregation, rates, secrecy and snapshots, checked
against the observations with an independent computation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from indicators.choices import SnapshotStatus
from indicators.compute import rates
from indicators.models import Observation, Snapshot, Territory
from indicators.publish import snapshot_publish
from tests.geography import HDF

pytestmark = pytest.mark.django_db
NUMBERS = ["value", "numerator", "denominator", "ci_low", "ci_high"]


def frame(snapshot: Snapshot, code: str) -> pd.DataFrame:
    return pd.read_parquet(Path(snapshot.directory) / f"{code}.parquet")


def observations(variable: str) -> pd.DataFrame:
    rows = Observation.objects.filter(variable__code=variable).values_list(
        "territory__code", "territory__level", "territory__epci__code", "period", "age_band", "value"
    )
    return pd.DataFrame(list(rows), columns=["code", "level", "epci", "period", "age_band", "value"])


def test_it_publishes_each_indicator_at_its_levels_with_france(published):
    assert published.status == SnapshotStatus.PUBLISHED and published.is_current
    assert published.is_demo and published.audit["ok"] is True
    aah = frame(published, "ALL-01")
    assert set(aah["level"]) == {"commune", "epci", "departement", "region", "territoire_demonstrateur", "france"}
    periods = ["2018", "2019", "2020", "2021", "2022"]
    assert sorted(aah["period"].unique()) == periods
    assert (aah["level"] == "commune").sum() == HDF.communes * len(periods)
    assert aah["demo"].all()


def test_aggregates_are_the_sums_of_their_communes(published):
    density = frame(published, "SOI-01")
    obs = observations("medecins_generalistes")
    communes = obs[obs["level"] == "commune"]
    expected = communes.groupby(["epci", "period"])["value"].sum()
    epci = density[density["level"] == "epci"].set_index(["territory_code", "period"])["numerator"]
    for (code, period), total in expected.items():
        assert epci[(code, str(period))] == total
    region = density[(density["level"] == "region") & (density["period"] == "2021")].iloc[0]
    assert region["numerator"] == communes[communes["period"] == 2021]["value"].sum()


def test_france_is_the_imported_reference_not_the_sum_of_the_region(published):
    density = frame(published, "SOI-01")
    france = density[(density["level"] == "france") & (density["period"] == "2021")].iloc[0]
    obs = observations("medecins_generalistes")
    imported = obs[(obs["level"] == "france") & (obs["period"] == 2021)]["value"].item()
    assert france["numerator"] == imported
    assert france["territory_code"] == "FR"


def test_rates_and_intervals_follow_the_formulas(published):
    density = frame(published, "SOI-01")
    row = density[
        (density["level"] == "departement") & (density["territory_code"] == "80") & (density["period"] == "2020")
    ].iloc[0]
    expected = rates.crude_rate(np.array([row["numerator"]]), np.array([row["denominator"]]), 10_000)
    assert row["value"] == pytest.approx(row["numerator"] / row["denominator"] * 10_000, rel=1e-12)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((expected["ci_low"][0], expected["ci_high"][0]), rel=1e-12)
    france = density[(density["level"] == "france") & (density["period"] == "2020")]["value"].item()
    if row["ci_low"] > france:
        assert row["significance"] == "higher"
    elif row["ci_high"] < france:
        assert row["significance"] == "lower"
    else:
        assert row["significance"] == "similar"


def test_mortality_is_pooled_over_five_years_and_standardised(published):
    mortality = frame(published, "MOR-01")
    assert sorted(mortality["period"].unique()) == ["2014-2018", "2015-2019", "2016-2020", "2017-2021", "2018-2022"]
    assert "commune" not in set(mortality["level"])
    deaths = observations("deces_age")
    region_deaths = deaths[(deaths["level"] == "commune") & deaths["period"].between(2014, 2018)]["value"].sum()
    region = mortality[(mortality["level"] == "region") & (mortality["period"] == "2014-2018")].iloc[0]
    assert region["numerator"] == region_deaths
    # premature mortality keeps the bands under 65 only
    premature = frame(published, "MPR-01")
    under_65 = deaths[
        (deaths["level"] == "commune") & deaths["period"].between(2014, 2018) & (deaths["age_band"] < "65")
    ]["value"].sum()
    row = premature[(premature["level"] == "region") & (premature["period"] == "2014-2018")].iloc[0]
    assert row["numerator"] == under_65 < region_deaths
    # direct standardisation on the European population, recomputed here
    pops = observations("pop_age")

    def by_band(table):
        sub = table[(table["level"] == "commune") & table["period"].between(2014, 2018)]
        return sub.groupby("age_band")["value"].sum().reindex(sorted(set(pops["age_band"]))).fillna(0).to_numpy()

    dsr = rates.directly_standardised_rate(by_band(deaths)[None, :], by_band(pops)[None, :], rates.ESP2013)
    assert region["value"] == pytest.approx(dsr["value"][0], rel=1e-9)


def test_icm_compares_with_france_and_with_the_region(published):
    icm = frame(published, "MOR-02")
    ok = icm[icm["status"] == "ok"]
    region = ok[ok["level"] == "region"].iloc[0]
    assert region["value_vs_region"] == pytest.approx(100)
    assert set(ok["significance"]) <= {"higher", "lower", "similar", ""}
    higher = ok[ok["significance"] == "higher"]
    assert (higher["ci_low"] > 100).all()


def test_secret_rows_carry_no_number_and_no_small_count_is_published(published):
    for code in ("ALL-01", "ALL-02", "MOR-02"):
        data = frame(published, code)
        secret = data[data["status"] == "secret"]
        assert len(secret), code
        assert secret[NUMBERS].isna().all().all()
        shown = data[(data["status"] == "ok") & (data["level"] != "france")]
        assert not shown["numerator"].between(1, 10).any(), code


def test_the_attacker_recovers_no_secret_count(published):
    """An LP attacker with every published count of the AAH table for 2021
    (communes, EPCI, départements, region, composites) cannot pin a secret
    cell or prove it below 11."""
    data = frame(published, "ALL-02")
    data = data[(data["period"] == "2021") & (data["level"] != "france")]
    communes = list(Territory.objects.filter(level="commune").order_by("code").values_list("code", flat=True))
    column = {c: i for i, c in enumerate(communes)}
    members = {}
    for t in Territory.objects.exclude(level__in=["commune", "france"]).prefetch_related("members"):
        if t.is_composite:
            members[(t.level, t.code)] = [column[m.code] for m in t.members.all()]
    for code, epci, dep in Territory.objects.filter(level="commune").values_list(
        "code", "epci__code", "departement__code"
    ):
        members.setdefault(("commune", code), []).append(column[code])
        members.setdefault(("epci", epci), []).append(column[code])
        members.setdefault(("departement", dep), []).append(column[code])
        members.setdefault(("region", "32"), []).append(column[code])
    matrix = np.zeros((len(data), len(communes)))
    for i, (level, code) in enumerate(zip(data["level"], data["territory_code"], strict=True)):
        matrix[i, members[(level, code)]] = 1
    published_rows = (data["status"] == "ok").to_numpy()
    secret_rows = np.flatnonzero((data["status"] == "secret").to_numpy())
    # every secret aggregate, and a sample of secret communes
    levels = data["level"].to_numpy()
    sample = [r for r in secret_rows if levels[r] != "commune"] + list(
        np.random.default_rng(1).choice([r for r in secret_rows if levels[r] == "commune"], 25, replace=False)
    )
    A, b = matrix[published_rows], data["numerator"].to_numpy()[published_rows]
    for row in sample:
        low = linprog(matrix[row], A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        high = linprog(-matrix[row], A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        assert low.status == 0 and high.status in (0, 3)
        upper = np.inf if high.status == 3 else -high.fun
        assert upper > low.fun + 1e-6, f"{data.iloc[row]['territory_code']} pinned"
        assert upper >= 11 - 1e-6, f"{data.iloc[row]['territory_code']} proved below 11"


def test_a_new_run_switches_the_current_snapshot_and_keeps_the_old(published):
    first = published
    second = snapshot_publish()
    first.refresh_from_db()
    assert second.is_current and not first.is_current
    assert first.status == SnapshotStatus.PUBLISHED
    assert (Path(first.directory) / "ALL-01.parquet").exists()
    assert Snapshot.objects.filter(is_current=True).count() == 1
    # the same data gives the same masks (stable secrecy)
    before = pd.read_parquet(Path(first.directory) / "secrecy.parquet")
    after = pd.read_parquet(Path(second.directory) / "secrecy.parquet")
    pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True))


def test_a_run_left_building_is_abandoned_by_the_next(published, tmp_path):
    orphan = Snapshot.objects.create(status=SnapshotStatus.BUILDING, directory=str(tmp_path / "orphan"))
    (tmp_path / "orphan").mkdir()
    snapshot_publish()
    orphan.refresh_from_db()
    assert orphan.status == SnapshotStatus.FAILED and not orphan.is_current
    assert not (tmp_path / "orphan").exists()


def test_one_indicator_can_be_recomputed_alone(published):
    from indicators.compute.snapshot import indicators_sharing
    from indicators.models import Indicator

    everything = list(Indicator.objects.all())
    # AAH share and AAH count share their numerator: recomputed together
    assert {i.code for i in indicators_sharing(everything, ["ALL-01"])} == {"ALL-01", "ALL-02"}
    fresh = snapshot_publish(indicator_codes=["SOI-01"])
    assert fresh.is_current and fresh.audit["recomputed"] == ["SOI-01"]
    assert fresh.audit["carried_over_from"] == published.pk
    for code in ("ALL-01", "MOR-01", "SOI-01"):
        pd.testing.assert_frame_equal(frame(published, code), frame(fresh, code))
    assert fresh.row_count == published.row_count and fresh.secret_count == published.secret_count
    masks = pd.read_parquet(Path(fresh.directory) / "secrecy.parquet")
    assert set(masks["variable"]) == set(pd.read_parquet(Path(published.directory) / "secrecy.parquet")["variable"])
