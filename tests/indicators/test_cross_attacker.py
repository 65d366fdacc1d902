"""The joint attacker of related variables (indicators/compute/cross.py): one
warm model across suppressions must answer as a model built afresh, and data
that break a declared relation at a unit must not stop a publication."""

import numpy as np
import scipy.sparse as sp

from indicators.compute.cross import JointAttacker, JointVariable
from indicators.compute.secrecy import Table

THRESHOLD = 11


def _variable(code: str, units: list[int], published: list[bool]) -> JointVariable:
    """Three communes: a cell each, then their total."""
    incidence = sp.csr_matrix(np.vstack([np.eye(3), np.ones((1, 3))]))
    table = Table(
        incidence=incidence,
        units=np.array(units),
        shown=np.ones(4, dtype=bool),
        group=np.array([0, 0, 0, 1]),
        threshold=np.full(4, THRESHOLD),
    )
    published = np.array(published)
    return JointVariable(code=code, table=table, published=published.copy(), free=published.copy())


def test_a_relation_the_data_break_at_a_commune_bounds_nothing_there():
    # social dwellings above main residences in the second commune (an
    # import error of the provider): every count is published
    part = _variable("logements_sociaux", [1, 7, 5], [True, True, True, True])
    whole = _variable("residences_principales", [4, 6, 9], [True, True, True, True])
    low, high, _ = JointAttacker([part, whole], [(0, 1)]).range(0, 0)
    assert (low, high) == (1, 1)


def test_a_secret_part_capped_by_a_small_published_whole_is_freed_and_stays_free():
    # 3 social dwellings (secret, withheld) where main residences are
    # published as 8: proven below 11 until the 8 goes
    part = _variable("logements_sociaux", [3, 40, 60], [False, True, True, False])
    whole = _variable("residences_principales", [8, 400, 500], [True, True, True, True])
    attacker = JointAttacker([part, whole], [(0, 1)])
    assert attacker.range(0, 0, senses=(-1.0,))[1] == 8
    protected, suppressed = attacker.protect(0, 0)
    assert protected and (1, 0) in suppressed
    # the warm model and one built afresh on what is now published agree
    fresh = JointAttacker(
        [
            _variable("logements_sociaux", [3, 40, 60], list(part.published)),
            _variable("residences_principales", [8, 400, 500], list(whole.published)),
        ],
        [(0, 1)],
    )
    for which, cell in [(0, 0), (0, 3), (1, 0)]:
        assert attacker.range(which, cell) == fresh.range(which, cell)
    assert fresh.range(0, 0)[1] >= THRESHOLD


def test_a_unit_held_by_two_published_cells_stays_known_until_both_go():
    # commune 0 is also a territory of its own: two published cells hold it
    # alone; the total is withheld
    incidence = sp.csr_matrix(np.vstack([np.eye(3), np.ones((1, 3)), [[1, 0, 0]]]))
    table = Table(
        incidence=incidence,
        units=np.array([3, 40, 60]),
        shown=np.ones(5, dtype=bool),
        group=np.array([0, 0, 0, 1, 2]),
        threshold=np.full(5, THRESHOLD),
    )
    published = np.array([True, True, True, False, True])
    variable = JointVariable(code="x", table=table, published=published.copy(), free=published.copy())
    attacker = JointAttacker([variable], [])
    assert attacker.range(0, 0)[:2] == (3, 3)
    attacker.suppress(0, 0)
    assert attacker.range(0, 0)[:2] == (3, 3)  # the territory still tells it
    attacker.suppress(0, 4)
    assert attacker.range(0, 0)[:2] == (0, np.inf)
