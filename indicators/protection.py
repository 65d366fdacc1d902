"""Statistical secrecy for a whole snapshot. The threat model is the
README's: one partner or several pooling what they read, on every channel,
every level, every period, every own territory of every organisation,
knowing that counts are non-negative integers and that a part never exceeds
its whole.

Stages, all from the pure functions of `compute/`:
1. per variable, in a process pool: the public cells (primary and secondary
   suppression, audit), then an audit where related variables are known
   exactly;
2. the cells that fail that audit are checked again with the related
   variables as unknowns (compute/cross.py), suppressing what binds them
   (one task per variable in the same pool, their suppressions joined);
3. what the published cells determine, table by table: a partner's own
   territory shows a figure only where it is determined (so it tells
   nobody anything new, and withholding it says nothing of hidden counts);
4. the masks say which rows of which indicator are withheld."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .compute import cells as cellmath
from .compute.cells import HIDDEN, PUBLIC, Block, Geography
from .compute.cross import JointAttacker, JointVariable
from .compute.frames import DSR, IndicatorSpec, Series
from .compute.protect import (
    Known,
    SecrecyJob,
    Whole,
    known_of,
    protect,
    year_groups,
)
from .compute.rates import EXACT_BELOW
from .compute.secrecy import NO_CAP

log = logging.getLogger(__name__)

LEVEL_ORDER = [
    "france",
    "region",
    "departement",
    "epci",
    "commune",
    "territoire_demonstrateur",
    "territoire_democratie_sanitaire",
    "pole_metropolitain",
]


@dataclass
class Published:
    """An indicator as the engine publishes it: its formula and its levels."""

    spec: IndicatorSpec
    levels: list[str]


def published_indicators(indicators: list) -> list[Published]:
    """The catalogue's indicators (code, formula fields, levels) as the
    engine publishes them."""
    return [Published(spec=IndicatorSpec.of(i), levels=list(i.levels)) for i in indicators]


@dataclass
class Relations:
    """part ≤ whole, unit by unit: declared in the catalogue, and every
    proportion's numerator within its denominator.

    wholes: wholes with a lower threshold than the part's (insee population
    counts under Cnaf recipients, main residences under social dwellings…),
    whose true values cap the part's units in its own audit; zero_wholes:
    the others (all deaths around deaths by a cause), which cap a unit only
    where they are 0; parts: every part of a whole, whose true values are
    floors under the whole's units. What these stronger attackers flag goes
    to the joint check (cross_run), exact, with every related variable
    (Relations.joint) as unknowns."""

    wholes: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    parts: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: wholes with a threshold no lower than the part's: where one is known
    #: to be 0, so is the part
    zero_wholes: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(
        cls, declared: list[tuple[int, int]], indicators: list[Published], thresholds: dict[int, int] | None = None
    ) -> Relations:
        """`thresholds`: per variable, its source's threshold (every pair is
        kept without it)."""
        relations = cls()
        pairs = set(declared) | {
            (i.spec.numerator_id, i.spec.denominator_id)
            for i in indicators
            if i.spec.kind == "proportion" and i.spec.denominator_id
        }
        for part, whole in sorted(pairs):
            # a part bounds its whole from below whatever the thresholds (a
            # published part is a floor under a suppressed whole)
            relations.parts[whole].append(part)
            if thresholds is not None and not thresholds.get(whole, 0) < thresholds.get(part, 0):
                relations.zero_wholes[part].append(whole)
                continue
            relations.wholes[part].append(whole)
        return relations

    def joint(self, variable_id: int) -> list[int]:
        """The variables of a joint check of `variable_id`: itself, its
        wholes and theirs (a suppressed whole under a published one still
        caps), and its parts (a published part is a floor under it)."""
        members, todo = [variable_id], [variable_id]
        while todo:
            current = todo.pop()
            for whole in self.wholes.get(current, []) + self.zero_wholes.get(current, []):
                if whole not in members:
                    members.append(whole)
                    todo.append(whole)
        members += [p for p in self.parts.get(variable_id, []) if p not in members]
        return members

    def pairs(self, members: list[int]) -> list[tuple[int, int]]:
        """(part, whole) positions in `members` of every relation among them."""
        position = {v: i for i, v in enumerate(members)}
        return sorted(
            {
                (position[part], position[whole])
                for whole, parts in self.parts.items()
                if whole in position
                for part in parts
                if part in position
            }
        )


@dataclass
class Masks:
    """What a protection decided: per variable, public cells {(row of G,
    period, ages): suppressed} and what they determine (own territories);
    the audit's figures."""

    public: dict[int, dict] = field(default_factory=dict)
    known: dict[int, list[Known]] = field(default_factory=dict)
    audit: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def level_rank(levels: np.ndarray) -> np.ndarray:
    return np.array([LEVEL_ORDER.index(lv) if lv in LEVEL_ORDER else len(LEVEL_ORDER) for lv in levels])


def variable_blocks(
    variable: Series, indicators: list[Published], geo: Geography, series: dict[int, Series]
) -> list[Block]:
    """The variable's cells: for every indicator using it, its levels × its
    periods × its age restriction (France is the imported reference, not a
    cell). A standardised rate withheld below 10 events protects its
    numerator's cells up to 10 at least."""
    merged: dict[tuple[str, str], dict] = {}
    for indicator in indicators:
        spec = indicator.spec
        if variable.variable_id not in spec.variables:
            continue
        num = series.get(spec.numerator_id)
        den = series.get(spec.denominator_id) if spec.denominator_id else None
        if num is None or (spec.denominator_id and den is None):
            continue
        levels = [lv for lv in indicator.levels if lv != "france"]
        rows = np.flatnonzero(np.isin(geo.levels, levels))
        threshold = variable.threshold
        if spec.kind == DSR and spec.numerator_id == variable.variable_id:
            threshold = max(threshold, EXACT_BELOW)
        for label, years in spec.periods(num.years):
            if den is not None and any(y not in den.years for y in years):
                continue
            if any(y not in variable.years for y in years):
                continue
            entry = merged.setdefault((label, spec.ages), {"years": years, "rows": set(), "threshold": 0})
            entry["rows"] |= set(rows.tolist())
            entry["threshold"] = max(entry["threshold"], threshold)
    return [
        Block(
            period=label,
            years=entry["years"],
            ages=ages,
            shown=np.array(sorted(entry["rows"]), dtype=np.int64),
            threshold=entry["threshold"],
        )
        for (label, ages), entry in sorted(merged.items())
    ]


def _aligned(source: Series, target: Series) -> np.ndarray | None:
    """`source`'s commune counts on `target`'s years and bands (NaN where
    it has no value)."""
    if source.by_age and not target.by_age:
        units = source.units.sum(axis=2, keepdims=True)
        missing = source.missing
    elif target.by_age and not source.by_age:
        return None  # a whole without bands does not bound each band
    else:
        units, missing = source.units, source.missing
    out = np.full(target.units.shape, np.nan)
    for j, year in enumerate(target.years):
        if year in source.years:
            i = source.years.index(year)
            out[:, j, :] = np.where(missing[:, i, None], np.nan, units[:, i, :])
    return out


def _align(array: np.ndarray, source: Series, target: Series, fill: float) -> np.ndarray | None:
    """An array over `source`'s (communes, years, bands) on `target`'s."""
    if source.by_age and not target.by_age:
        array = array.sum(axis=2, keepdims=True)
    elif target.by_age and not source.by_age:
        return None
    out = np.full(target.units.shape, fill)
    for j, year in enumerate(target.years):
        if year in source.years:
            out[:, j, :] = array[:, source.years.index(year), :]
    return out


def wholes_of(
    variable: Series, series: dict[int, Series], indicators: list[Published], geo: Geography, relations: Relations
) -> list[Whole] | None:
    """The variable's wholes as a job needs them to move with it (None: one
    of them cannot be put on its units)."""
    out = []
    for whole_id in relations.wholes.get(variable.variable_id, []):
        whole = series.get(whole_id)
        if whole is None or whole.is_value:
            continue
        units = _aligned(whole, variable)
        if units is None:
            return None
        cap, floor = unit_bounds(whole, series, relations, exclude={variable.variable_id})
        out.append(
            Whole(
                code=whole.code,
                units=units,
                blocks=variable_blocks(whole, indicators, geo, series),
                cap=None if cap is None else _align(cap, whole, variable, NO_CAP),
                floor=None if floor is None else _align(floor, whole, variable, 0.0),
            )
        )
    return out


def unit_bounds(
    variable: Series, series: dict[int, Series], relations: Relations, exclude: set[int] = frozenset()
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Caps (wholes) and floors (parts) of each unit of `variable` from the
    related variables' true values, as an attacker who knew them exactly
    would use them. A relation the data break at a unit bounds nothing
    there."""
    cap = floor = None
    for whole in relations.wholes.get(variable.variable_id, []):
        if whole in exclude or whole not in series:
            continue
        values = _aligned(series[whole], variable)
        if values is None:
            continue
        values = np.where(np.isnan(values) | (values < variable.units), NO_CAP, values)
        cap = values if cap is None else np.minimum(cap, values)
    for part in relations.parts.get(variable.variable_id, []):
        if part in exclude or part not in series:
            continue
        values = _aligned(series[part], variable)
        if values is None:
            continue
        values = np.where(np.isnan(values) | (values > variable.units), 0.0, values)
        floor = values if floor is None else np.maximum(floor, values)
    return cap, floor


def jobs_build(
    series: dict[int, Series],
    indicators: list[Published],
    geo: Geography,
    relations: Relations,
    previous: dict[int, dict],
    given: dict[int, dict],
) -> list[SecrecyJob]:
    """One job per variable whose cells need protecting (a threshold above
    1 somewhere). `given`: public masks already decided (variables carried
    over from the last snapshot); the others' are decided by their job."""
    rank = level_rank(geo.levels)
    jobs = []
    for variable_id, variable in series.items():
        if variable.is_value:
            continue
        blocks = variable_blocks(variable, indicators, geo, series)
        if not blocks or max(b.threshold for b in blocks) <= 1:
            continue
        cap, floor = unit_bounds(variable, series, relations)
        wholes = wholes_of(variable, series, indicators, geo, relations) if cap is not None else []
        zero_wholes = [
            Whole(code=series[w].code, units=units, blocks=variable_blocks(series[w], indicators, geo, series))
            for w in relations.zero_wholes.get(variable_id, [])
            if w in series and (units := _aligned(series[w], variable)) is not None
        ]
        jobs.append(
            SecrecyJob(
                variable_id=variable_id,
                code=variable.code,
                G=geo.G,
                n_communes=geo.n_communes,
                rank=rank,
                units=variable.units,
                years=variable.years,
                blocks=blocks,
                previous=previous.get(variable_id, {}),
                public=given.get(variable_id),
                cap=cap,
                floor=floor,
                wholes=wholes or [],
                zero_wholes=zero_wholes,
            )
        )
    # the biggest first, so that two processes finish together
    return sorted(jobs, key=lambda j: -j.units.size * max(1, len(j.blocks)))


def workers_available(configured: str | int | None) -> int:
    """Processes for the secrecy work: all cores, unless we are a daemonic
    process (a Celery prefork child), which may not have children."""
    if multiprocessing.current_process().daemon:
        return 1
    return max(1, int(configured or os.cpu_count() or 1))


@contextmanager
def engine_pool(workers: int):
    """The processes of a publication's pure work (None: one process). One
    pool for every stage: its processes import the engine once."""
    if workers <= 1:
        yield None
        return
    # forkserver: safe from a threaded worker, children import only pure code (and the snapshot
    # store, for the own territories' figures: no model)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield pool


def _pool_map(function, tasks: list, pool: ProcessPoolExecutor | None) -> list:
    """function over tasks, in order, in the pool when it pays."""
    if pool is not None and len(tasks) > 1:
        return list(pool.map(function, tasks))
    return [function(task) for task in tasks]


def protect_all(
    series: dict[int, Series],
    indicators: list[Published],
    geo: Geography,
    relations: Relations,
    previous: dict[int, dict],
    workers: int,
    carried: dict[int, dict] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> Masks:
    """Decide every public mask of a snapshot and what it determines.
    `carried`: public masks of variables kept from the last snapshot (not
    recomputed: fixed). `pool`: the publication's (else one of `workers`
    processes for this call)."""
    if pool is None and workers > 1:
        with engine_pool(workers) as pool:
            return protect_all(series, indicators, geo, relations, previous, workers, carried, pool)
    carried = carried or {}
    clock = time.perf_counter()
    jobs = jobs_build(series, indicators, geo, relations, previous, carried)
    outcomes = _pool_map(protect, jobs, pool)
    stages = {"variables": round(time.perf_counter() - clock, 2)}
    masks = Masks(public={k: dict(v) for k, v in carried.items()})
    totals: dict[str, int] = defaultdict(int)
    codes = {job.variable_id: job.code for job in jobs}
    candidates: dict[int, list] = {}
    for outcome in outcomes:
        if outcome.variable_id not in carried:
            masks.public[outcome.variable_id] = outcome.public
        masks.known[outcome.variable_id] = outcome.known
        for name, value in outcome.totals.items():
            totals[name] += value
        masks.failures += [
            f"{codes[outcome.variable_id]} {geo.codes[r]} {p} {a}".strip() for r, p, a in outcome.failures
        ]
        if outcome.candidates:
            candidates[outcome.variable_id] = outcome.candidates
    totals["cross_candidates"] = sum(len(c) for c in candidates.values())
    before = {vid: {k for k, v in m.items() if v} for vid, m in masks.public.items()}
    clock = time.perf_counter()
    cross = cross_run(candidates, series, indicators, geo, relations, masks, fixed=set(carried), pool=pool)
    masks.failures += cross.pop("failed")
    totals.update(cross)
    stages["related_variables"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    # what the final masks determine: again where the cross stage suppressed,
    # and for the wholes of secret variables (own territories read them too)
    rank = level_rank(geo.levels)
    for variable_id, variable in series.items():
        if variable.is_value:
            continue
        changed = {k for k, v in masks.public.get(variable_id, {}).items() if v} != before.get(variable_id, set())
        if variable_id in masks.known and not changed:
            continue
        blocks = variable_blocks(variable, indicators, geo, series)
        if not blocks or (max(b.threshold for b in blocks) <= 1 and variable_id not in relations.parts):
            continue  # nothing secret in it nor under it: own territories read it freely
        masks.known[variable_id] = known_of(
            geo.G, rank, geo.n_communes, variable.units, variable.years, blocks, masks.public.get(variable_id, {})
        )
    stages["determined_sums"] = round(time.perf_counter() - clock, 2)
    masks.audit = dict(totals) | {"seconds": stages}
    return masks


def _joint_variable(
    variable: Series,
    blocks: list[Block],
    geo: Geography,
    years: list[int],
    parts: list[np.ndarray],
    masks: Masks,
    series: dict[int, Series],
    relations: Relations,
    exclude: set[int],
    fixed: set[int] = frozenset(),
) -> JointVariable:
    """One variable of a joint check on common units (communes × `years` ×
    `parts`), its cells published as the masks say."""
    index = [variable.years.index(y) for y in years]
    units = variable.units[:, index, :]
    table, key = cellmath.secrecy_table(
        geo.G,
        level_rank(geo.levels),
        geo.n_communes,
        units,
        years,
        blocks,
        None,
        parts=parts if variable.by_age else None,
    )
    cap, floor = unit_bounds(variable, series, relations, exclude)

    def on_units(array: np.ndarray) -> np.ndarray:
        array = array[:, index, :]
        return (cellmath.parts_of(array, parts) if variable.by_age else array).ravel()

    if cap is not None:
        table.cap = np.minimum(on_units(cap), NO_CAP)
    if floor is not None:
        table.floor = on_units(floor)
    public = masks.public.get(variable.variable_id, {})
    suppressed = np.zeros(len(key.kind), dtype=bool)
    free = np.zeros(len(key.kind), dtype=bool)
    for c in np.flatnonzero(key.kind == PUBLIC):
        suppressed[c] = public.get((int(key.row[c]), key.period[c], key.ages[c]), False)
        free[c] = variable.variable_id not in fixed
    published = table.shown & ~suppressed
    joint = JointVariable(code=variable.code, table=table, published=published, free=free & published)
    joint.key = key
    return joint


def _joinable(part: Series, whole: Series, blocks: list[Block], years: list[int]) -> bool:
    """Whether `whole` can share `part`'s units in a joint check: it has the
    years, and bands agree (a whole by age under a part without bands only
    if none of its cells there is age-restricted)."""
    if any(y not in whole.years for y in years) or whole.is_value:
        return False
    if part.by_age == whole.by_age:
        return True
    return not part.by_age and all(b.ages == "" for b in blocks)


@dataclass
class CrossTask:
    """The joint check of one variable's candidates: what it reads (the
    related variables' series and public masks) travels with it."""

    variable_id: int
    cells: list
    series: dict[int, Series]
    indicators: list[Published]
    geo: Geography
    relations: Relations
    public: dict[int, dict]
    fixed: set[int]


def _reads(variable_id: int, indicators: list[Published], relations: Relations) -> set[int]:
    """The variables a joint check of `variable_id` reads: its joint set,
    their wholes and parts (unit bounds), and the other variable of every
    indicator built on one of these (its cells)."""
    members = set(relations.joint(variable_id))
    needed = set(members)
    for member in members:
        needed |= set(relations.wholes.get(member, [])) | set(relations.parts.get(member, []))
    for indicator in indicators:
        if needed & set(indicator.spec.variables):
            needed |= set(indicator.spec.variables)
    return needed


def cross_run(
    candidates: dict[int, list],
    series: dict[int, Series],
    indicators: list[Published],
    geo: Geography,
    relations: Relations,
    masks: Masks,
    fixed: set[int] = frozenset(),
    pool: ProcessPoolExecutor | None = None,
    final: bool = False,
) -> dict:
    """Check each candidate with its related variables as unknowns too
    (Relations.joint), and suppress what binds it (the smallest public cell
    first); masks are updated in place. One task per variable, in the
    process pool: each starts from the masks as they are now, and the
    suppressions of all are joined (more cells withheld only leave an
    attacker less, so each check still holds). What a task could not
    protect is tried again on the joined masks (`final`: the last try)."""
    tasks = []
    for variable_id, cells in candidates.items():
        reads = _reads(variable_id, indicators, relations)
        tasks.append(
            CrossTask(
                variable_id=variable_id,
                cells=cells,
                series={v: series[v] for v in reads if v in series},
                indicators=[i for i in indicators if reads & set(i.spec.variables)],
                geo=geo,
                relations=relations,
                public={v: masks.public[v] for v in reads if v in masks.public},
                fixed=set(fixed),
            )
        )
    # the biggest first, so that the processes finish together
    tasks.sort(key=lambda t: -sum(t.series[v].units.size for v in t.relations.joint(t.variable_id) if v in t.series))
    outcomes = _pool_map(cross_variable, tasks, pool)
    totals = {"cross_checked": 0, "cross_protected": 0, "cross_suppressed": 0, "failed": []}
    unprotected = {}
    for task, outcome in zip(tasks, outcomes, strict=True):
        for variable_id, keys in outcome.pop("suppressions").items():
            public = masks.public.setdefault(variable_id, {})
            for key in keys:
                public[key] = True
        left = outcome.pop("unprotected")
        if left and not final:
            unprotected[task.variable_id] = left
            outcome["failed"] = []  # tried again below
        for name, value in outcome.items():
            totals[name] += value
    if unprotected:
        # what one task could not protect, another's suppressions may have:
        # once more, one variable after the other, on the joined masks
        for variable_id, cells in unprotected.items():
            again = cross_run({variable_id: cells}, series, indicators, geo, relations, masks, fixed, final=True)
            totals["failed"] += again["failed"]
            totals["cross_protected"] += again["cross_protected"]
            totals["cross_suppressed"] += again["cross_suppressed"]
    return totals


def cross_variable(task: CrossTask) -> dict:
    """The joint check of one variable (runs in a worker process)."""
    variable_id, series, geo, indicators, relations = (
        task.variable_id,
        task.series,
        task.geo,
        task.indicators,
        task.relations,
    )
    masks = Masks(public={v: dict(m) for v, m in task.public.items()})
    checked = 0
    counts = {"protected": 0, "suppressed": 0}
    failed: list[str] = []
    unprotected: list = []
    departement = _commune_parents(geo, "departement")
    epci = _commune_parents(geo, "epci")
    n_departements = len(set(departement.tolist()) - {-1})
    variable = series[variable_id]
    blocks = variable_blocks(variable, indicators, geo, series)
    # every whole and theirs, a same-threshold one too (where its published
    # cells make a commune's count 0, the part's is 0), and the parts (a
    # published part is a floor under a suppressed whole)
    others = [v for v in relations.joint(variable_id)[1:] if v in series and not series[v].is_value]
    suppressions: dict[int, set] = defaultdict(set)
    for group in year_groups(blocks):
        years = sorted({y for b in group for y in b.years})
        mine = [c for c in task.cells if any(b.period == c[2] and b.ages == c[3] for b in group)]
        if not mine:
            continue
        joint_set, joint_blocks = [variable_id], {variable_id: group}
        for other in others:
            o_blocks = [b for b in variable_blocks(series[other], indicators, geo, series) if set(b.years) & set(years)]
            if all(set(b.years) <= set(years) for b in o_blocks) and _joinable(
                variable, series[other], o_blocks, years
            ):
                joint_set.append(other)
                joint_blocks[other] = o_blocks
        parts = cellmath.age_parts(
            sorted({b.ages for v in joint_set for b in joint_blocks[v]}), variable.units.shape[2]
        )
        exclude = set(joint_set)
        joints = [
            _joint_variable(
                series[vid], joint_blocks[vid], geo, years, parts, masks, series, relations, exclude, task.fixed
            )
            for vid in joint_set
        ]
        relations_here = relations.pairs(joint_set)
        key = joints[0].key
        index = {(key.kind[c], int(key.row[c]), key.period[c], key.ages[c]): c for c in range(len(key.kind))}
        todo = [(index[c], c) for c in mine if c in index]
        checked += len(todo)
        units_per_commune = joints[0].table.units.shape[0] // geo.n_communes
        attacker = JointAttacker(joints, relations_here)
        # first around each cell, the other communes taken as known (a
        # small model, a stronger attacker: what it protects is protected):
        # its EPCI, which only certifies, then its départements, which
        # suppress what binds; whatever is left with every unit unknown
        # (so are cells over every département: () below)
        places = {}
        for _, c in todo:
            deps = _parents_of(geo, departement, int(c[1]))
            places[c] = (_parents_of(geo, epci, int(c[1])), () if len(deps) == n_departements else deps)
        todo = _certified_around(attacker, todo, places, epci, departement, units_per_commune, counts)
        neighbourhoods: dict[tuple[int, ...], list] = defaultdict(list)
        for item in todo:
            neighbourhoods[places[item[1]][1]].append(item)
        left = []
        for deps, items in sorted(neighbourhoods.items()):
            if not deps:
                left += items
                continue
            attacker.focus(np.repeat(~np.isin(departement, deps), units_per_commune))
            left += _protect_cells(attacker, items, joints, joint_set, suppressions, counts)
        if left:
            attacker.focus(None)
            left = _protect_cells(attacker, left, joints, joint_set, suppressions, counts)
        for vid, keys in suppressions.items():  # the next year group reads them
            masks.public.setdefault(vid, {}).update(dict.fromkeys(keys, True))
        failed += [
            f"{variable.code} {kind} {geo.codes[row]} {period} {ages} (borne d'une variable liée)"
            for _, (kind, row, period, ages) in left
        ]
        unprotected += [cell_key for _, cell_key in left]
    return {
        "cross_checked": checked,
        "cross_protected": counts["protected"],
        "cross_suppressed": counts["suppressed"],
        "failed": failed,
        "unprotected": unprotected,
        "suppressions": {vid: sorted(keys) for vid, keys in suppressions.items()},
    }


def _commune_parents(geo: Geography, level: str) -> np.ndarray:
    """Row in G of each commune's territory of `level` (département, EPCI;
    -1: none)."""
    out = np.full(geo.n_communes, -1, dtype=np.int64)
    for row in np.flatnonzero(geo.levels == level):
        out[geo.G[row].indices] = row
    return out


def _parents_of(geo: Geography, parent: np.ndarray, row: int) -> tuple[int, ...]:
    """The territories (`parent`, from _commune_parents) of a cell's
    communes; () when a commune has none."""
    found = set(parent[geo.G[row].indices].tolist())
    return () if -1 in found else tuple(sorted(found))


def _certified_around(
    attacker: JointAttacker,
    todo: list,
    places: dict,
    epci: np.ndarray,
    departement: np.ndarray,
    units_per_commune: int,
    counts: dict,
) -> list:
    """The items not certified by an attacker who knows every commune outside
    their EPCI (only where these are fewer than their départements': else
    the next step does the same). places: per cell key, (its EPCI, its
    départements)."""
    groups: dict[tuple[tuple, tuple], list] = defaultdict(list)
    left = []
    for item in todo:
        epcis, deps = places[item[1]]
        (groups[epcis, deps] if epcis and deps else left).append(item)
    for (epcis, deps), items in sorted(groups.items()):
        inside = np.isin(epci, epcis)
        if inside.sum() >= np.isin(departement, deps).sum():
            left += items
            continue
        attacker.focus(np.repeat(~inside, units_per_commune))
        cells = np.array([cell for cell, _ in items])
        table = attacker.variables[0].table
        if len(items) > 2:
            done = attacker.reached(0, cells)
        else:
            done = np.array([attacker.range(0, int(c), senses=(-1.0,))[1] >= table.thresholds()[c] for c in cells])
        secret = (table.values[cells] >= 1) & (table.values[cells] < table.thresholds()[cells])
        done &= secret  # the max alone decides for a secret cell only
        counts["protected"] += int(done.sum())
        left += [item for item, ok in zip(items, done, strict=True) if not ok]
    return left


def _protect_cells(
    attacker: JointAttacker, items: list, joints: list, kept: list[int], suppressions: dict[int, set], counts: dict
) -> list:
    """Protect each (cell, key) by suppressing what binds it; returns those
    this attacker could not protect (suppressions and counts updated)."""
    if len(items) > 2:  # one feasible point protects most of them
        reached = attacker.reached(0, np.array([cell for cell, _ in items]))
        counts["protected"] += int(reached.sum())
        items = [t for t, done in zip(items, reached, strict=True) if not done]
    left = []
    for cell, cell_key in items:
        ok, suppressed = attacker.protect(0, cell)
        for which, c in suppressed:
            counts["suppressed"] += 1
            vid, k = kept[which], joints[which].key
            suppressions[vid].add((int(k.row[c]), k.period[c], k.ages[c]))
        if ok:
            counts["protected"] += 1
        else:
            left.append((cell, cell_key))
    return left


__all__ = [
    "HIDDEN",
    "Known",
    "Masks",
    "Published",
    "Relations",
    "engine_pool",
    "protect_all",
    "variable_blocks",
    "workers_available",
]
