"""Own territories against the pooled attacker, on random geographies: the
engine protects one variable's snapshot (every level, single years and a
pooled window), then several organisations create, edit and delete random
territories in a random order, each reading every figure its territories
show; the attacker of tests/secrecy_attacker.py pools everything shown and
tries every secret cell (communes, suppressed cells, withheld own-territory
figures). He must pin nothing and prove nothing below the threshold."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.compute.cells import Block
from indicators.compute.frames import Series
from indicators.compute.protect import SecrecyJob, protect
from indicators.own_territories import Version, own_masks, own_matrix
from tests.secrecy_attacker import Attacker, Truth

THRESHOLD = 11
YEARS = [2020, 2021, 2022]


@st.composite
def worlds(draw):
    n_deps = draw(st.integers(1, 2))
    structure = []  # (epci, département) per commune
    for dep in range(n_deps):
        for epci in range(draw(st.integers(1, 3))):
            structure += [(dep * 10 + epci, dep)] * draw(st.integers(2, 5))
    n = len(structure)
    count = st.one_of(st.just(0), st.integers(1, THRESHOLD - 1), st.integers(THRESHOLD, 120))
    units = np.array(draw(st.lists(count, min_size=n * len(YEARS), max_size=n * len(YEARS))), dtype=float).reshape(
        n, len(YEARS), 1
    )
    communes_published = draw(st.booleans())
    # every organisation's actions, in the order they happen: create,
    # edit (a new version of one of its territories) or delete
    subset = st.lists(st.integers(0, n - 1), min_size=2, max_size=n, unique=True)
    actions = draw(
        st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from(["create", "edit", "delete"]), subset), min_size=1, max_size=8
        )
    )
    return structure, units, communes_published, actions


def geography(structure):
    """G: communes (identity), EPCIs, départements, the region; ranks."""
    n = len(structure)
    rows = [[i] for i in range(n)]
    rank = [0] * n
    for level, key in ((1, lambda s: s[0]), (2, lambda s: s[1])):
        for value in sorted({key(s) for s in structure}):
            rows.append([i for i, s in enumerate(structure) if key(s) == value])
            rank.append(level)
    rows.append(list(range(n)))
    rank.append(3)
    data = [(r, c) for r, members in enumerate(rows) for c in members]
    G = sp.csr_matrix((np.ones(len(data)), ([d[0] for d in data], [d[1] for d in data])), shape=(len(rows), n))
    return G, np.array(rank), rows


def organisations_act(actions, n):
    """Every version ever read (deleted and replaced ones included)."""
    territories: dict[int, list[tuple[int, ...]]] = {}  # organisation → its live territories
    read = []
    for organisation, action, communes in actions:
        mine = territories.setdefault(organisation, [])
        communes = tuple(sorted(communes))
        if action == "create" or not mine:
            mine.append(communes)
            read.append(communes)
        elif action == "edit":
            mine[-1] = communes
            read.append(communes)
        else:
            mine.pop()
    return read


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_own_territories_of_several_organisations_give_nothing_away(world):
    structure, units, communes_published, actions = world
    n = len(structure)
    G, rank, members = geography(structure)
    aggregates = np.arange(n, G.shape[0])
    shown_rows = np.arange(G.shape[0]) if communes_published else aggregates
    blocks = [Block(period=str(y), years=[y], ages="", shown=aggregates, threshold=THRESHOLD) for y in YEARS]
    blocks.append(Block(period="2020-2022", years=YEARS, ages="", shown=shown_rows, threshold=THRESHOLD))
    job = SecrecyJob(variable_id=1, code="v", G=G, n_communes=n, rank=rank, units=units, years=YEARS, blocks=blocks)
    outcome = protect(job)
    assert not outcome.failures

    attacker = Attacker(truth={"v": Truth("v", THRESHOLD, units, YEARS)}, departement=np.zeros(n, dtype=int))
    targets = []
    for block in blocks:
        for row in range(G.shape[0]):
            value = units[members[row]][:, [YEARS.index(y) for y in block.years], 0].sum()
            shown = row in set(block.shown.tolist()) and not outcome.public[(row, block.period, "")]
            if shown:
                assert not 1 <= value < THRESHOLD, "a small count published"
                attacker.learn("v", members[row], block.years, (0,), value)
            elif 1 <= value < THRESHOLD:
                targets.append(("v", members[row], tuple(block.years), (0,)))

    versions = [
        Version(pk=i, communes=tuple(str(c) for c in communes))
        for i, communes in enumerate(organisations_act(actions, n))
    ]
    series = {
        1: Series(
            variable_id=1,
            code="v",
            threshold=THRESHOLD,
            by_age=False,
            is_value=False,
            years=YEARS,
            units=units,
            france=np.zeros((len(YEARS), 1)),
            missing=np.zeros(units.shape[:2], dtype=bool),
            supplied=None,
            demo=False,
        )
    }
    withheld = own_masks(own_matrix(versions, np.array([str(i) for i in range(n)])), {"v": outcome.known}, series)[1]
    for version in versions:
        communes = [int(c) for c in version.communes]
        for block in blocks:
            value = units[communes][:, [YEARS.index(y) for y in block.years], 0].sum()
            if not withheld[(version.pk, block.period, "")]:
                attacker.learn("v", communes, block.years, (0,), value)
            elif 1 <= value < THRESHOLD:
                targets.append(("v", communes, tuple(block.years), (0,)))

    for verdict in attacker.ranges(targets):
        assert not verdict.pinned, verdict
        assert not verdict.proven_small, verdict


@st.composite
def related_worlds(draw):
    """A part (threshold 11) within a whole, commune by commune: a whole
    published in full (threshold 0, a population), or protected itself
    (threshold 11, all deaths around deaths by a cause: where its published
    cells make a commune's count 0, the part's is 0)."""
    structure, _, communes_published, actions = draw(worlds())
    n = len(structure)
    whole = np.array(
        draw(
            st.lists(
                st.one_of(st.integers(0, 12), st.integers(13, 400)), min_size=n * len(YEARS), max_size=n * len(YEARS)
            )
        ),
        dtype=float,
    ).reshape(n, len(YEARS), 1)
    share = np.array(draw(st.lists(st.floats(0, 1), min_size=n * len(YEARS), max_size=n * len(YEARS)))).reshape(
        n, len(YEARS), 1
    )
    part = np.floor(whole * share)
    whole_threshold = draw(st.sampled_from([0, THRESHOLD]))  # a population, or all deaths (same source)
    return structure, whole, part, communes_published, actions, whole_threshold


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(related_worlds())
def test_a_part_within_a_published_whole_gives_nothing_away(world):
    """The whole engine (protect_all: each variable, then the joint check of
    a part with its whole) and own territories, against the attacker who
    knows that the part never exceeds the whole, commune by commune."""
    from indicators.compute.cells import Geography
    from indicators.compute.frames import IndicatorSpec
    from indicators.protection import Published, Relations, protect_all

    structure, whole, part, communes_published, actions, whole_threshold = world
    n = len(structure)
    G, rank, members = geography(structure)
    levels = np.array(
        ["commune"] * n + ["epci" if r == 1 else "departement" if r == 2 else "region" for r in rank[n:]], dtype=object
    )
    geo = Geography(
        ids=np.arange(G.shape[0]),
        levels=levels,
        codes=np.array([str(i) for i in range(G.shape[0])]),
        names=np.array([""] * G.shape[0], dtype=object),
        G=G,
        n_communes=n,
        france_id=-1,
        row_of={i: i for i in range(G.shape[0])},
    )

    def series_of(variable_id, code, units, threshold):
        return Series(
            variable_id=variable_id,
            code=code,
            threshold=threshold,
            by_age=False,
            is_value=False,
            years=YEARS,
            units=units,
            france=units.sum(axis=0),
            missing=np.zeros(units.shape[:2], dtype=bool),
            supplied=None,
            demo=False,
        )

    series = {1: series_of(1, "pop", whole, whole_threshold), 2: series_of(2, "aah", part, THRESHOLD)}
    shown_levels = ["region", "departement", "epci"] + (["commune"] if communes_published else [])
    spec = IndicatorSpec(
        code="P", kind="proportion", multiplier=100, ages="", pool_years=None, numerator_id=2, denominator_id=1
    )
    population = IndicatorSpec(
        code="POP", kind="count", multiplier=1, ages="", pool_years=None, numerator_id=1, denominator_id=None
    )
    indicators = [Published(spec=spec, levels=shown_levels), Published(spec=population, levels=shown_levels)]
    relations = Relations.build([], indicators, {1: whole_threshold, 2: THRESHOLD})
    masks = protect_all(series, indicators, geo, relations, previous={}, workers=1)
    assert not masks.failures

    attacker = Attacker(
        truth={"pop": Truth("pop", whole_threshold, whole, YEARS), "aah": Truth("aah", THRESHOLD, part, YEARS)},
        departement=np.zeros(n, dtype=int),
        relations=[("aah", "pop")],
    )
    targets = []
    shown_rows = set(np.flatnonzero(np.isin(levels, shown_levels)).tolist())
    for year in YEARS:
        j = YEARS.index(year)
        for row in range(G.shape[0]):
            count = part[members[row], j, 0].sum()
            published = (
                row in shown_rows
                and not masks.public.get(2, {}).get((row, str(year), ""), False)
                and not masks.public.get(1, {}).get((row, str(year), ""), False)
            )
            people = whole[members[row], j, 0].sum()
            if row in shown_rows and not masks.public.get(1, {}).get((row, str(year), ""), False):
                attacker.learn("pop", members[row], (year,), (0,), people)  # the count
            elif 1 <= people < whole_threshold:
                targets.append(("pop", members[row], (year,), (0,)))
            if published:  # the proportion's row shows its numerator and its denominator
                assert not 1 <= count < THRESHOLD
                attacker.learn("aah", members[row], (year,), (0,), count)
                attacker.learn("pop", members[row], (year,), (0,), whole[members[row], j, 0].sum())
            elif 1 <= count < THRESHOLD:
                targets.append(("aah", members[row], (year,), (0,)))

    versions = [
        Version(pk=i, communes=tuple(str(c) for c in communes))
        for i, communes in enumerate(organisations_act(actions, n))
    ]
    withheld = own_masks(
        own_matrix(versions, np.array([str(i) for i in range(n)])),
        {series[v].code: masks.known[v] for v in masks.known},
        series,
    )
    for version in versions:
        communes = [int(c) for c in version.communes]
        for year in YEARS:
            j = YEARS.index(year)
            shown = all(not withheld.get(v, {}).get((version.pk, str(year), ""), False) for v in (1, 2))
            count = part[communes, j, 0].sum()
            if not withheld.get(1, {}).get((version.pk, str(year), ""), False):
                attacker.learn("pop", communes, (year,), (0,), whole[communes, j, 0].sum())
            if shown:
                attacker.learn("aah", communes, (year,), (0,), count)
                attacker.learn("pop", communes, (year,), (0,), whole[communes, j, 0].sum())
            elif 1 <= count < THRESHOLD:
                targets.append(("aah", communes, (year,), (0,)))

    for verdict in attacker.ranges(targets):
        assert not verdict.pinned, verdict
        assert not verdict.proven_small, verdict
