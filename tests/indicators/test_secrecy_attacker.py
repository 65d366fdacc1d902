"""The README's attacker, played against the published snapshot and the own
territories of two organisations: he reads every published figure on the
partners' channels (every level, period, age restriction, numerators and
denominators), every figure ever shown for an own territory (before an edit
and before a deletion too), knows that counts are non-negative integers and
that a part never exceeds its whole. The attacker (tests/secrecy_attacker.py)
shares no code with the engine."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from bti.readers import reader_for_user
from bti.selectors import own_territories_chosen
from bti.services import own_territory_create, own_territory_delete, own_territory_edit
from indicators import reading as data
from indicators.models import Indicator, Territory, Variable
from indicators.snapshot_store import units_read
from tests.secrecy_attacker import Attacker, Truth

pytestmark = pytest.mark.django_db
UNDER_65 = 13  # bands 0-4 … 60-64
SAMPLE = 60  # commune cells tried per variable (all the others are tried)


def parts_of(ages: str, by_age: bool) -> tuple[int, ...]:
    return (0,) if (ages == "0-64" or not by_age) else (0, 1)


def years_of(period: str) -> tuple[int, ...]:
    first, _, last = period.partition("-")
    return tuple(range(int(first), int(last or first) + 1))


@pytest.fixture
def world(published, personas):
    """Territories of two organisations, one edited and one deleted after
    their figures were read, and everything a pooled attacker reads."""
    codes = list(Territory.objects.filter(level="commune").order_by("code").values_list("code", flat=True))
    epci = Territory.objects.get(level="commune", code="80021").epci
    members = sorted(epci.epci_communes.values_list("code", flat=True))
    rng = np.random.default_rng(10)
    a, b = personas.partner_a, personas.partner_b
    made = [
        (a, own_territory_create(reader=reader_for_user(a), name="EPCI sans une commune", commune_codes=members[1:])),
        (a, own_territory_create(reader=reader_for_user(a), name="EPCI entier", commune_codes=members)),
        (b, own_territory_create(reader=reader_for_user(b), name="Deux communes", commune_codes=members[:2])),
        (
            b,
            own_territory_create(
                reader=reader_for_user(b), name="Au hasard", commune_codes=list(rng.choice(codes, 30, replace=False))
            ),
        ),
        (
            a,
            own_territory_create(
                reader=reader_for_user(a), name="EPCI et voisine", commune_codes=[*members, "80001", "80002"]
            ),
        ),
    ]
    indicators = list(Indicator.objects.select_related("numerator", "denominator"))
    shown = []  # (user, territory name, version communes, indicator, row)

    def read(user, territory):
        communes = tuple(territory.version.communes.values_list("code", flat=True))
        for indicator in indicators:
            if indicator.kind == "value":
                continue
            reader = reader_for_user(user)
            chosen = own_territories_chosen(reader=reader, territory_ids=[territory.pk])
            frame = data.own_territory_values(reader=reader, indicator=indicator, territories=chosen)
            for row in frame[frame["status"] == "ok"].to_dict("records"):
                shown.append((communes, indicator, row))

    for user, territory in made:
        read(user, territory)
    own_territory_edit(reader=reader_for_user(a), territory_id=made[0][1].pk, commune_codes=members[2:])
    own_territory_delete(reader=reader_for_user(b), territory_id=made[2][1].pk)
    for user, territory in made:
        territory.refresh_from_db()
        if territory.deleted_at is None:
            read(user, territory)
    return {
        "codes": codes,
        "indicators": indicators,
        "own": shown,
        "territories": made,
        "snapshot": published,
        "personas": personas,
    }


def test_the_pooled_attacker_pins_nothing_and_proves_nothing_small(world):
    snapshot, personas = world["snapshot"], world["personas"]
    codes = world["codes"]
    column = {code: i for i, code in enumerate(codes)}
    communes = Territory.objects.filter(level="commune").select_related("epci", "departement")
    departement = np.array([c.departement.code for c in sorted(communes, key=lambda c: c.code)])
    members: dict[tuple[str, str], list[int]] = defaultdict(list)
    for commune in communes:
        i = column[commune.code]
        members[("commune", commune.code)].append(i)
        members[("epci", commune.epci.code)].append(i)
        members[("departement", commune.departement.code)].append(i)
        members[("region", "32")].append(i)
    for composite in Territory.objects.exclude(level__in=["commune", "epci", "departement", "region", "france"]):
        members[(composite.level, composite.code)] = [
            column[c] for c in composite.members.values_list("code", flat=True)
        ]
    truth = {}
    for variable in Variable.objects.select_related("source").filter(is_value=False):
        loaded = units_read(snapshot.directory, variable)
        if loaded is None:
            continue
        series, _ = loaded
        units = series.units
        if variable.by_age:
            units = np.stack([units[:, :, :UNDER_65].sum(axis=2), units[:, :, UNDER_65:].sum(axis=2)], axis=2)
        truth[variable.code] = Truth(variable.code, variable.source.secrecy_threshold, units, series.years)
    relations = {(v.code, w.code) for v in Variable.objects.prefetch_related("wholes") for w in v.wholes.all()}
    relations |= {(i.numerator.code, i.denominator.code) for i in world["indicators"] if i.kind == "proportion"}
    attacker = Attacker(truth=truth, departement=departement, relations=sorted(relations))
    cells = defaultdict(set)  # variable → the cells readers see, (territory key, period, ages)
    for indicator in world["indicators"]:
        if indicator.kind == "value":
            continue
        frame = data.indicator_values(reader=reader_for_user(personas.admin), indicator=indicator)
        for row in frame[frame["level"] != "france"].to_dict("records"):
            key = (row["level"], row["territory_code"])
            for variable, column_name in ((indicator.numerator, "numerator"), (indicator.denominator, "denominator")):
                if variable is None:
                    continue
                by_age = variable.by_age
                cells[variable.code].add((key, row["period"], indicator.ages))
                if row["status"] == "ok" and row[column_name] == row[column_name]:
                    attacker.learn(
                        variable.code,
                        members[key],
                        years_of(row["period"]),
                        parts_of(indicator.ages, by_age),
                        row[column_name],
                    )
    own_keys = []
    for communes_, indicator, row in world["own"]:
        key = ("own", communes_)
        members[key] = [column[c] for c in communes_]
        own_keys.append(key)
        for variable, column_name in ((indicator.numerator, "numerator"), (indicator.denominator, "denominator")):
            if variable is not None and row[column_name] == row[column_name]:
                attacker.learn(
                    variable.code,
                    members[key],
                    years_of(row["period"]),
                    parts_of(indicator.ages, variable.by_age),
                    row[column_name],
                )
    # the cells tried: every secret one (a count from 1 to the threshold - 1)
    # of every territory read, hidden communes and every own territory too
    rng = np.random.default_rng(3)
    targets = []
    for code, seen in cells.items():
        t = truth[code]
        if t.threshold <= 1:
            continue
        blocks = {(period, ages) for _, period, ages in seen}
        keys = {key for key, _, _ in seen} | {("commune", c) for c in codes} | set(own_keys)
        secret = []
        for key in keys:
            for period, ages in blocks:
                years, parts = years_of(period), parts_of(ages, t.units.shape[2] > 1)
                index = [t.years.index(y) for y in years]
                value = t.units[np.ix_(members[key], index, list(parts))].sum()
                if 1 <= value < t.threshold:
                    secret.append((key, years, parts))
        communal = [s for s in secret if s[0][0] == "commune"]
        others = [s for s in secret if s[0][0] != "commune"]
        chosen = [communal[i] for i in rng.choice(len(communal), min(SAMPLE, len(communal)), replace=False)]
        targets += [(code, members[key], years, parts) for key, years, parts in others + chosen]
    verdicts = attacker.ranges(targets)
    pinned = [v for v in verdicts if v.pinned]
    small = [v for v in verdicts if v.proven_small]
    print(
        f"\nattacker: {len(verdicts)} secret cells tried, {len(pinned)} pinned, {len(small)} proven small; "
        f"{len(attacker.sums)} published sums read, {len(world['own'])} own-territory rows"
    )
    assert len(verdicts) > 200
    assert not pinned, pinned[:5]
    assert not small, small[:5]


def test_the_attacker_finds_what_a_careless_publication_gives_away(world):
    """The attacker is not blind: publish a secret commune's EPCI and its
    other communes, and he pins it."""
    snapshot = world["snapshot"]
    series, communes = units_read(
        snapshot.directory, Variable.objects.select_related("source").get(code="allocataires_aah")
    )
    codes = [str(c) for c in communes]
    departement = np.array(
        list(Territory.objects.filter(level="commune").order_by("code").values_list("departement__code", flat=True))
    )
    units = series.units
    j = series.years.index(2021)
    epci = Territory.objects.get(level="commune", code="80021").epci
    index = [codes.index(c) for c in epci.epci_communes.values_list("code", flat=True)]
    secret = next(i for i in index if 1 <= units[i, j, 0] < 11)
    attacker = Attacker(truth={"aah": Truth("aah", 11, units, series.years)}, departement=departement)
    attacker.learn("aah", index, (2021,), (0,), units[index, j, 0].sum())
    for i in index:
        if i != secret:
            attacker.learn("aah", [i], (2021,), (0,), units[i, j, 0])
    (verdict,) = attacker.ranges([("aah", [secret], (2021,), (0,))])
    assert verdict.pinned and verdict.low == units[secret, j, 0]
