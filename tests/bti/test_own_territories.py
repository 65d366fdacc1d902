"""Own territories: built from communes or EPCI, computed with the engine's
formulas from the snapshot's counts, shown only where the published figures
already determine them. One regression test per finding of the secrecy
review (issue 10), each written against what a partner reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti.models import OwnTerritory
from bti.readers import reader_for_user
from bti.selectors import own_territories_chosen, own_territories_visible
from bti.services import (
    OwnTerritoryError,
    own_territory_create,
    own_territory_edit,
    own_territory_rename,
    saved_query_create,
)
from indicators import reading as data
from indicators.choices import SECRET_REASON
from indicators.models import Indicator, OwnTerritoryVersion, Territory, Variable
from indicators.snapshot_store import units_read

pytestmark = pytest.mark.django_db


def commune_rows(user, code="ALL-01", period="2021"):
    indicator = Indicator.objects.get(code=code)
    return data.indicator_values(reader=reader_for_user(user), indicator=indicator, level="commune", period=period)


def own_rows(user, code="ALL-01", period="2021", territory=None):
    reader = reader_for_user(user)
    indicator = data.indicator_visible(reader, code)
    territories = (
        own_territories_chosen(reader=reader, territory_ids=[territory.pk])
        if territory
        else list(own_territories_visible(reader=reader))
    )
    return data.own_territory_values(reader=reader, indicator=indicator, period=period, territories=territories)


def own_row(user, territory, code="ALL-01", period="2021"):
    return own_rows(user, code, period, territory).iloc[0]


def truth(snapshot, code: str):
    """The private commune counts of the snapshot: (units, years, commune codes)."""
    series, communes = units_read(snapshot.directory, Variable.objects.select_related("source").get(code=code))
    return series.units, series.years, [str(c) for c in communes]


def test_a_territory_of_published_communes_adds_up_like_the_published_figures(published, personas):
    user = personas.partner_a
    rows = commune_rows(user)
    amiens_epci = Territory.objects.get(level="commune", code="80021").epci
    communes = rows[
        (rows["status"] == "ok") & rows["territory_code"].isin(amiens_epci.epci_communes.values_list("code", flat=True))
    ]
    chosen = communes.head(6)
    territory = own_territory_create(
        reader=reader_for_user(user), name="Six communes", commune_codes=list(chosen["territory_code"])
    )
    row = own_row(user, territory)
    assert row["status"] == "ok" and row["territory_code"] == f"perso-{territory.pk}"
    assert row["numerator"] == chosen["numerator"].sum() and row["denominator"] == chosen["denominator"].sum()
    assert row["value"] == pytest.approx(row["numerator"] / row["denominator"] * 100)
    assert row["ci_low"] < row["value"] < row["ci_high"]


def test_a_whole_epci_gives_the_published_epci_figure(published, personas):
    user = personas.partner_a
    shown = 0
    for epci in Territory.objects.filter(level="epci", partly_outside_region=False).order_by("code")[:4]:
        territory = own_territory_create(
            reader=reader_for_user(user), name=f"EPCI {epci.code}", commune_codes=[], epci_codes=[epci.code]
        )
        for code, period in (("ALL-01", "2021"), ("MOR-01", "2016-2020")):
            mine = own_row(user, territory, code, period)
            official = data.indicator_values(
                reader=reader_for_user(user),
                indicator=Indicator.objects.get(code=code),
                level="epci",
                period=period,
                territory=epci.code,
            ).iloc[0]
            assert mine["status"] == official["status"]
            if official["status"] == "ok":
                shown += 1
                assert mine["value"] == pytest.approx(official["value"], rel=1e-12)
                assert mine["numerator"] == official["numerator"]
    assert shown >= 4


def test_a_withheld_figure_says_the_same_whatever_withheld_it(published, personas):
    """Finding 1: a reason was an oracle ("effectif inférieur au seuil", "la
    valeur secrète de <commune> se déduirait")."""
    user = personas.partner_a
    rows = commune_rows(user, "ALL-02")
    secret = rows[rows["status"] == "secret"].iloc[0]
    zero = rows[(rows["status"] == "ok") & (rows["value"] == 0)].iloc[0]
    epci = Territory.objects.get(level="commune", code=secret["territory_code"]).epci
    members = sorted(epci.epci_communes.values_list("code", flat=True))
    territories = [
        own_territory_create(
            reader=reader_for_user(user),
            name="Secrète et nulle",
            commune_codes=[secret["territory_code"], zero["territory_code"]],
        )
    ]
    territories += [
        own_territory_create(
            reader=reader_for_user(user),
            name=f"{epci.name} sans {code}",
            commune_codes=[c for c in members if c != code],
        )
        for code in members[:8]
    ]
    reasons = set()
    for territory in territories:
        for code in ("ALL-01", "ALL-02", "MOR-01"):
            frame = own_rows(user, code, None, territory)
            withheld = frame[frame["status"] == "secret"]
            reasons |= set(withheld["reason"])
            assert withheld[["value", "numerator", "denominator", "ci_low", "ci_high"]].isna().all().all()
    assert reasons == {SECRET_REASON}
    names = set(Territory.objects.filter(level="commune").values_list("name", flat=True))
    assert not any(name in SECRET_REASON for name in names)


def test_an_epci_minus_one_commune_never_gives_the_commune_away(published, personas):
    """Finding 2: "CU minus one commune" gave the commune's count exactly,
    for an indicator not even published at commune level."""
    user = personas.partner_a
    epci = Territory.objects.filter(level="epci", partly_outside_region=False).order_by("code").first()
    members = sorted(epci.epci_communes.values_list("code", flat=True))
    decisions = []
    for code in members[:10]:
        territory = own_territory_create(
            reader=reader_for_user(user), name=f"sans {code}", commune_codes=[c for c in members if c != code]
        )
        frame = own_rows(user, "MOR-01", None, territory)
        decisions.append(tuple(frame.sort_values("period")["status"]))
        assert (frame["status"] == "secret").all(), "the figure would give the missing commune away"
    # the same answer whatever the commune left out: nothing depends on its count
    assert len(set(decisions)) == 1


def test_every_column_of_an_own_row_is_protected(published, personas):
    """Finding 3: a numerator was refused but the denominator shown."""
    user = personas.partner_a
    rows = commune_rows(user, "ALL-01")
    small = rows[rows["status"] == "secret"].iloc[0]
    large = rows[(rows["status"] == "ok") & (rows["denominator"] > 500)].iloc[0]
    territory = own_territory_create(
        reader=reader_for_user(user),
        name="Petite et grande",
        commune_codes=[small["territory_code"], large["territory_code"]],
    )
    for code in ("ALL-01", "ALL-02"):
        row = own_row(user, territory, code)
        assert row["status"] == "secret" and pd.isna(row["numerator"]) and pd.isna(row["denominator"])


def test_a_published_whole_never_proves_a_part_small(published, personas):
    """Finding 4: a secret count of social dwellings in a commune whose main
    residences were published as 8 was proven below 11."""
    user = personas.partner_a
    social, years, communes = truth(published, "logements_sociaux")
    residences = commune_rows(user, "LOG-01", None).set_index(["territory_code", "period"])
    protected = 0
    for period in ("2018", "2019", "2020", "2021", "2022"):
        j = years.index(int(period))
        for i, code in enumerate(communes):
            if 1 <= social[i, j, 0] < 11:
                row = residences.loc[(code, period)]
                if row["status"] == "ok":
                    assert row["numerator"] >= 11, f"{code} {period}: {row['numerator']} main residences shown"
                else:
                    protected += 1
    assert protected > 0, "the demonstration data hold such communes: their main residences are withheld"


def test_a_rate_withheld_below_ten_events_is_a_secret_like_any_other(published):
    """Finding 5: "non disponible" below 10 events proved the count small.
    A standardised rate on fewer than 10 events is withheld as a secret, and
    its numerator's cells are protected up to 10 at least, whatever the
    source's own threshold."""
    import scipy.sparse as sp

    from indicators.compute.cells import Geography
    from indicators.compute.frames import IndicatorSpec, Rows, Series, period_frame
    from indicators.protection import Published, variable_blocks

    bands = 19
    deaths = np.zeros((3, 1, bands))
    deaths[0, 0, 15], deaths[1, 0, 16], deaths[2, 0, 17] = 0, 4, 30  # 0, 4 and 30 events
    population = np.full((3, 1, bands), 200.0)

    def series(vid, code, units, threshold):
        return Series(
            variable_id=vid,
            code=code,
            threshold=threshold,
            by_age=True,
            is_value=False,
            years=[2020],
            units=units,
            france=units.sum(axis=0) * 100,
            missing=np.zeros((3, 1), bool),
            supplied=None,
            demo=True,
        )

    data_ = {1: series(1, "deaths", deaths, 5), 2: series(2, "population", population, 0)}
    spec = IndicatorSpec(
        code="DSR",
        kind="standardised_rate",
        multiplier=100000,
        ages="",
        pool_years=None,
        numerator_id=1,
        denominator_id=2,
    )
    rows = Rows(
        G=sp.identity(3, format="csr"),
        ids=np.arange(3),
        codes=np.array(["a", "b", "c"], dtype=object),
        names=np.array(["a", "b", "c"], dtype=object),
        levels=np.array(["commune"] * 3, dtype=object),
    )
    frame = period_frame(spec, data_, rows, "2020", [2020], np.zeros(3, bool))
    assert frame["status"].tolist() == ["secret", "secret", "ok", "ok"]  # France last
    assert frame.loc[:1, ["value", "numerator", "ci_low"]].isna().all().all()
    geo = Geography(
        ids=np.arange(3),
        levels=np.array(["commune"] * 3, dtype=object),
        codes=np.array(["a", "b", "c"], dtype=object),
        names=np.array(["a", "b", "c"], dtype=object),
        G=sp.identity(3, format="csr"),
        n_communes=3,
        france_id=99,
    )
    blocks = variable_blocks(data_[1], [Published(spec=spec, levels=["commune"])], geo, data_)
    assert [b.threshold for b in blocks] == [10]  # the source says 5; the rate's rule says 10


def test_a_supplied_value_is_withheld_below_its_release_base(published, personas):
    """Finding 6: median incomes were shown for communes of 28 inhabitants."""
    user = personas.partner_a
    households, years, communes = truth(published, "menages_fiscaux")
    rows = commune_rows(user, "EMP-01", "2021").set_index("territory_code")
    j = years.index(2021)
    below = [c for i, c in enumerate(communes) if households[i, j, 0] < 50]
    above = [c for i, c in enumerate(communes) if households[i, j, 0] >= 50]
    assert below and (rows.loc[below, "status"] == "secret").all()
    assert (rows.loc[above, "status"] == "ok").mean() > 0.99
    assert published.audit["ok"]


def test_an_untrained_member_builds_nothing(client, published, personas):
    """Finding 7: untrained members created territories, queries and tokens."""
    user = personas.partner_a_untrained
    with pytest.raises(OwnTerritoryError, match="formés"):
        own_territory_create(reader=reader_for_user(user), name="X", commune_codes=["80021", "80001"])
    with pytest.raises(ValueError, match="formés"):
        saved_query_create(reader=reader_for_user(user), name="X", query="indicators=ALL-01&level=epci", shared=False)
    client.force_login(user)
    page = client.get("/bti/territoires/").content.decode()
    assert "réservé aux membres formés" in page and 'name="communes"' not in page
    client.post("/bti/territoires/", {"name": "X", "communes": "80021, 80001"})
    client.post("/bti/requetes/", {"name": "X", "query": "indicators=ALL-01&level=epci"})
    client.post("/bti/api/jetons/", {"name": "X"})
    assert not OwnTerritory.objects.exists()
    assert not user.saved_queries.exists() and not user.api_tokens.exists()


def test_a_territory_is_renamed_edited_and_deleted(client, published, personas):
    user = personas.partner_a
    territory = own_territory_create(
        reader=reader_for_user(user), name="Bassin", commune_codes=["80021", "80001", "80002"]
    )
    first_version = territory.version
    before = own_row(user, territory)
    own_territory_rename(reader=reader_for_user(user), territory_id=territory.pk, name="Bassin amiénois")
    assert own_row(user, territory)["territory_name"] == "Bassin amiénois"
    own_territory_edit(
        reader=reader_for_user(user), territory_id=territory.pk, commune_codes=["80021", "80001", "80002", "80003"]
    )
    territory.refresh_from_db()
    first_version.refresh_from_db()
    assert territory.version != first_version and first_version.retired_at is not None
    after = own_row(user, territory)
    assert after["territory_code"] == before["territory_code"] == f"perso-{territory.pk}"
    client.force_login(user)
    response = client.post(f"/bti/territoires/{territory.pk}/", {"action": "delete", "confirm": "on"}, follow=True)
    assert "supprimé" in response.content.decode()
    assert not len(own_rows(user))
    assert OwnTerritoryVersion.objects.filter(retired_at__isnull=False).count() == 2  # kept, retired


def test_another_organisations_territory_is_a_404(client, published, personas):
    territory = own_territory_create(
        reader=reader_for_user(personas.partner_a), name="A seulement", commune_codes=["80021", "80001", "80002"]
    )
    assert not len(own_rows(personas.partner_b))
    with pytest.raises(data.AccessDenied):
        own_rows(personas.partner_b, territory=territory)
    client.force_login(personas.partner_b)
    assert client.get(f"/bti/territoires/{territory.pk}/").status_code == 404
    assert client.post(f"/bti/territoires/{territory.pk}/", {"action": "delete"}).status_code == 404
    assert client.get(f"/api/v1/indicators/ALL-01/values/?own={territory.pk}").status_code == 404
    assert OwnTerritory.objects.get(pk=territory.pk).deleted_at is None
    client.force_login(personas.partner_a_admin)  # same organisation
    assert client.get(f"/bti/territoires/{territory.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("communes", "epci", "message"),
    [
        ("99999, 80021", "", "inconnu"),
        ("80021, 80021, 80001", "", "en double"),
        ("75056, 80021", "", "hors des Hauts-de-France"),
        ("", "", "au moins deux communes"),
        ("80021", "", "au moins deux communes"),
        (", ".join(f"{80000 + i:05d}" for i in range(5000)), "", "au plus"),
        ("80021", "999999999", "EPCI inconnu"),
    ],
)
def test_bad_input_is_refused_whole_with_a_french_message(client, published, personas, communes, epci, message):
    client.force_login(personas.partner_a)
    response = client.post("/bti/territoires/", {"name": "Essai", "communes": communes, "epci": epci})
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert not OwnTerritory.objects.exists() and not OwnTerritoryVersion.objects.exists()
    # what was typed is still there to correct
    assert 'value="Essai"' in page


def test_odd_characters_get_an_answer_not_a_500(client, published, personas):
    """Digits that are not ASCII ('²' passes str.isdigit) and NUL bytes
    (refused by PostgreSQL) came back as server errors."""
    client.force_login(personas.partner_a)
    for url in (
        "/api/v1/indicators/ALL-01/values/?own=²",
        "/bti/tableau/?indicators=ALL-01&own=²",
        "/bti/portrait/?territoire=perso:²",
    ):
        assert client.get(url).status_code in (200, 400, 404), url
    response = client.post("/bti/territoires/", {"name": "Es\x00sai", "communes": "80021\x00, 80001", "epci": ""})
    assert response.status_code == 400 and "Caractère nul interdit" in response.content.decode()
    assert not OwnTerritory.objects.exists()  # refused whole, at the door
    response = client.post("/bti/territoires/", {"name": "Es\x07sai", "communes": "80021, 80001", "epci": ""})
    assert response.status_code == 302  # other control characters are dropped
    territory = OwnTerritory.objects.get()
    assert territory.name == "Essai" and sorted(territory.version.communes.values_list("code", flat=True)) == [
        "80001",
        "80021",
    ]


def test_a_non_additive_indicator_says_so(published, personas):
    territory = own_territory_create(
        reader=reader_for_user(personas.partner_a), name="Deux", commune_codes=["80021", "80001"]
    )
    rows = own_rows(personas.partner_a, code="EMP-01", period=None, territory=territory)
    assert len(rows) and set(rows["status"]) == {"missing"} and "non additif" in rows["reason"].iloc[0]


def test_figures_do_not_depend_on_counts_nobody_reads(published):
    """What a territory shows is decided from the published cells alone:
    move hidden counts around without changing any published figure, and
    every decision stays the same."""
    from indicators.compute import cells as cellmath
    from indicators.compute.determination import determination, determined
    from indicators.protection import level_rank
    from indicators.selectors import geography_read

    geo = geography_read()
    epci_rows = np.flatnonzero(geo.levels == "epci")
    rows = np.concatenate([np.arange(geo.n_communes), epci_rows])
    shown = np.flatnonzero(np.isin(geo.levels, ["epci", "departement", "region"]))
    block = cellmath.Block(period="2021", years=[2021], ages="", shown=shown, threshold=11)
    rng = np.random.default_rng(4)
    units = rng.poisson(3, size=(geo.n_communes, 1, 1)).astype(float)
    table, _ = cellmath.secrecy_table(geo.G, level_rank(geo.levels), geo.n_communes, units, [2021], [block])
    published = table.shown & ~((table.values >= 1) & (table.values < 11))
    # the same published cells, other hidden counts: shuffle counts among the
    # communes of each EPCI in each département
    moved = units.copy()
    dep_rows = np.flatnonzero(geo.levels == "departement")
    for r in epci_rows:
        for d in dep_rows:
            members = np.intersect1d(geo.G[r].indices, geo.G[d].indices)
            moved[members] = rng.permutation(moved[members])
    other, _ = cellmath.secrecy_table(geo.G, level_rank(geo.levels), geo.n_communes, moved, [2021], [block])
    assert np.array_equal(other.values[published], table.values[published])
    targets = geo.G[rows[rng.choice(len(rows), 300)]]
    extra = geo.G[epci_rows[:40]] - geo.G[rng.choice(geo.n_communes, 40)].multiply(geo.G[epci_rows[:40]])
    import scipy.sparse as sp

    targets = sp.vstack([targets, abs(extra)]).tocsr()
    first = determined(determination(table.incidence, table.values, published), targets)
    second = determined(determination(other.incidence, other.values, published), targets)
    assert np.array_equal(first, second) and first.any() and not first.all()
