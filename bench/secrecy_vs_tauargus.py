"""Secrecy benchmark: our secondary cell suppression against Tau-Argus's
modular method (HiTaS), on the same table, judged by the same attacker.

The table. Every commune of Hauts-de-France gets a rare-event count drawn as
Poisson(population × 0.009) (numpy `default_rng(seed)`). Published cells:
every commune, every EPCI (sum of its communes in the region), every
département and the region. Counts 1 to threshold - 1 are primary secret,
0 is publishable. Our `Table` is the 0/1 incidence cells × communes, with
group = level (0 commune, 1 EPCI, 2 département, 3 region).

Ours. `secondary_suppression` timed (wall clock, this process), then
`audit` of its pattern.

Tau-Argus. `pytauargus` (the Tau-Argus engine with HiGHS inside), modular
method `MOD(1,5,1,0,0)` (5 minutes per subtable at most, singleton-singleton
protection on, the other options off: the rtauargus default), safety rule
`FREQ(threshold,10)` (minimum frequency: 1..threshold-1 contributors unsafe,
10 % safety range, which gives every count 1..10 the protection levels
lower = upper = 1). The input is microdata, one record per event, so the
frequency of a cell is its count; communes with no event are empty cells
(published zeros, never used as secondary suppressions).

How the hierarchy is modelled, and why. EPCI are not nested in
départements (three EPCI of the region straddle two of them), so there is
no tree holding both. Tau-Argus takes one hierarchical code list per
variable, and pytauargus 0.6.0 has no linked-tables protection for the
modular method (its headless engine only runs one table at a time; the GUI's
linked-tables machinery is not ported), so two linked tables (region → EPCI
→ commune and region → département → commune) are not available. We use one
tree that holds everything published: region → département → (EPCI ∩
département piece) → commune. An EPCI lying in one département is its own
piece, so its cell is a Tau-Argus cell; a straddling EPCI becomes two
pieces, and its total is not a Tau-Argus cell. Mapping back:

* commune, département, region, non-straddling EPCI: Tau-Argus's status;
* straddling EPCI total: suppressed when any of its pieces is suppressed.
  Then everything we publish is a sum of cells Tau-Argus itself left
  published, so the attacker knows no more than in Tau-Argus's own world,
  and any cell our audit recovers is a weakness of Tau-Argus's pattern, not
  of the mapping. The pieces themselves are never published.
* `naive_epci_mapping` reports the audit when straddling EPCI totals are
  published whatever their pieces (what one gets publishing the EPCI
  totals Tau-Argus never saw).

HiTaS refuses one-dimensional tables ("no variables found"), so the table
gets a second, dummy dimension with codes A (every record) and B (no record,
structurally empty): (territory, A) = (territory, Total) and the B column
is all empty cells. (A dummy with a single code crashes the engine, heap
corruption.) A cell counts as suppressed when its (territory, Total) or
(territory, A) copy is.

Two Tau-Argus runs. `FREQ(11,10)` with Tau-Argus's own protection levels
(± 1 here) is the standard use; its pattern only guarantees an interval of
± 1, so our audit may prove some cells below the threshold. The
`aligned_protection_levels` run asks Tau-Argus for our criterion: through an
a-priori file (`PL` lines) every primary cell gets upper protection level
threshold - value (the attacker's maximum must reach the threshold) and
lower level 1. (pytauargus 0.6.0 rejects a first a-priori line with two
numbers, so the file opens with a no-op line naming an unknown code.)

Input details the engine insists on: the microdata code field is as wide as
the leaf codes (5, the commune codes; inner codes of the .hrc may be longer),
and the response is a numeric 1 per record (`<freq>` as response is not
handled by pytauargus's microdata path).

Each Tau-Argus run goes in a fresh spawned process (a crash of the native
engine, as seen with some inputs, must not take the benchmark down) working
in a temporary directory (the engine writes logs and scratch files in the
working directory and next to its own temporary directory). Only the
`<SUPPRESS>` step is timed. If pytauargus is missing or fails, the result
says `{"available": false, "reason": ...}` and ours is still reported.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from indicators.compute.secrecy import (
    AuditResult,
    Table,
    audit,
    primary_secret,
    secondary_suppression,
)

RATE = 0.009
LEVELS = ("commune", "epci", "departement", "region")
SAFETY_RANGE = 10
MOD_SPEC = "MOD(1,5,1,0,0)"
TA_TIMEOUT_S = 150


@dataclass
class Geography:
    """Communes of the region with their EPCI and département (codes)."""

    communes: list[str]
    population: np.ndarray
    commune_epci: list[str]
    commune_dep: list[str]
    epcis: list[str] = field(init=False)
    deps: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.epcis = sorted(set(self.commune_epci))
        self.deps = sorted(set(self.commune_dep))

    def straddling(self) -> dict[str, list[str]]:
        """EPCI lying in more than one département -> their départements."""
        deps: dict[str, set[str]] = defaultdict(set)
        for epci, dep in zip(self.commune_epci, self.commune_dep, strict=True):
            deps[epci].add(dep)
        return {epci: sorted(d) for epci, d in deps.items() if len(d) > 1}


def load_geography() -> Geography:
    """Communes of Hauts-de-France from the database (population None -> 0)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pf2s.settings.local")
    django.setup()
    from indicators.models import Territory

    rows = list(
        Territory.objects.filter(level="commune")
        .order_by("code")
        .values_list("code", "population", "epci__code", "departement__code")
    )
    return Geography(
        communes=[r[0] for r in rows],
        population=np.array([r[1] or 0 for r in rows], dtype=np.float64),
        commune_epci=[r[2] for r in rows],
        commune_dep=[r[3] for r in rows],
    )


def simulate_counts(population: np.ndarray, seed: int) -> np.ndarray:
    """One rare event count per commune: Poisson(population × RATE)."""
    rng = np.random.default_rng(seed)
    return rng.poisson(population * RATE).astype(np.int64)


def build_table(geo: Geography, counts: np.ndarray) -> tuple[Table, list[str]]:
    """Our Table (cells: communes, EPCI, départements, region) and cell labels."""
    n = len(geo.communes)
    epci_row = {e: n + i for i, e in enumerate(geo.epcis)}
    dep_row = {d: n + len(geo.epcis) + i for i, d in enumerate(geo.deps)}
    region_row = n + len(geo.epcis) + len(geo.deps)
    rows, cols = [], []
    for j in range(n):
        rows += [j, epci_row[geo.commune_epci[j]], dep_row[geo.commune_dep[j]], region_row]
        cols += [j] * 4
    n_cells = region_row + 1
    incidence = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_cells, n))
    group = np.concatenate([np.zeros(n), np.ones(len(geo.epcis)), np.full(len(geo.deps), 2), [3]]).astype(int)
    table = Table(incidence, counts, np.ones(n_cells, dtype=bool), group)
    labels = list(geo.communes) + list(geo.epcis) + list(geo.deps) + ["region"]
    return table, labels


def _by_level(table: Table, mask: np.ndarray) -> dict[str, int]:
    """How many cells of `mask` at each level."""
    counts = np.bincount(table.group[mask], minlength=len(LEVELS))
    return {level: int(c) for level, c in zip(LEVELS, counts, strict=True)}


def _recovered(table: Table, labels: list[str], result: AuditResult, limit: int = 10) -> list:
    """The first recoverable cells with the attacker's exact range."""
    out = []
    for cell in result.failures[:limit]:
        i = int(np.searchsorted(result.cells, cell))
        out.append(
            {
                "cell": labels[cell],
                "level": LEVELS[table.group[cell]],
                "value": int(table.values[cell]),
                "attacker_range": [round(float(result.lower[i]), 3), round(float(result.upper[i]), 3)],
            }
        )
    return out


def pattern_figures(table: Table, labels: list[str], suppressed: np.ndarray, threshold: int) -> dict:
    """Secondary cells, information loss and what our LP audit recovers."""
    primary = primary_secret(table.values, threshold) & table.shown
    secondary = suppressed & ~primary
    started = time.perf_counter()
    result = audit(table, suppressed, threshold)
    failures = np.zeros(len(table.values), dtype=bool)
    failures[result.failures] = True
    return {
        "primary_cells": int(primary.sum()),
        "secondary_cells": int(secondary.sum()),
        "secondary_by_level": _by_level(table, secondary),
        "secondary_zero_cells": int((secondary & (table.values == 0)).sum()),
        "information_loss": int(table.values[secondary].sum()),
        "recoverable_cells": len(result.failures),
        "recoverable_by_level": _by_level(table, failures),
        "recoverable_examples": _recovered(table, labels, result),
        "audit": {**result.summary(), "seconds": round(time.perf_counter() - started, 3)},
    }


def run_ours(table: Table, labels: list[str], threshold: int) -> dict:
    """Our secondary suppression, timed, then audited."""
    started = time.perf_counter()
    suppressed = secondary_suppression(table, threshold)
    seconds = time.perf_counter() - started
    return {"time_s": round(seconds, 3), **pattern_figures(table, labels, suppressed, threshold)}


# --- Tau-Argus ---------------------------------------------------------------


def _piece(epci: str, dep: str, straddling: dict[str, list[str]]) -> str:
    """Tau-Argus code of the EPCI ∩ département piece holding a commune."""
    return f"{epci}_{dep}" if epci in straddling else epci


def _hierarchy(geo: Geography, straddling: dict[str, list[str]]) -> str:
    """The .hrc text: département -> piece -> commune (region = total)."""
    tree: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for commune, epci, dep in zip(geo.communes, geo.commune_epci, geo.commune_dep, strict=True):
        tree[dep][_piece(epci, dep, straddling)].append(commune)
    lines = []
    for dep in sorted(tree):
        lines.append(dep)
        for piece in sorted(tree[dep]):
            lines.append("@" + piece)
            lines += ["@@" + commune for commune in tree[dep][piece]]
    return "\n".join(lines) + "\n"


def _apriori(geo: Geography, counts: np.ndarray, straddling: dict[str, list[str]], threshold: int) -> str:
    """`PL` lines: every primary cell of Tau-Argus's table (communes, pieces,
    départements, region) gets upper protection level threshold - value."""
    values: dict[str, int] = defaultdict(int)
    for commune, epci, dep, count in zip(geo.communes, geo.commune_epci, geo.commune_dep, counts, strict=True):
        for code in (commune, _piece(epci, dep, straddling), dep, "Total"):
            values[code] += int(count)
    # pytauargus checks the field count on the first line taking at most one
    # numeric value, which a PL line (two) fails: open with a no-op status
    # line for a code absent from the table (unknown codes are skipped)
    lines = ["NOSUCHCODE;A;U"]
    for code, value in values.items():
        if 1 <= value < threshold:
            lines += [f"{code};{dummy};PL;1;{threshold - value}" for dummy in ("A", "Total")]
    return "\n".join(lines) + "\n"


def _tauargus_worker(job: dict) -> dict:
    """One Tau-Argus run, meant for a spawned process: in the job's working
    directory, protect the table (`_protect`) and return its output."""
    import logging

    logging.getLogger("pytauargus").setLevel(logging.WARNING)
    # the engine writes its logs in the working directory and scratch files
    # next to its own temporary directory: keep both in the job's directory
    os.chdir(job["workdir"])
    tempfile.tempdir = job["workdir"]
    try:
        return _protect(Path(job["workdir"]), job)
    finally:
        tempfile.tempdir = None
        os.chdir("/")


def _write_inputs(work: Path, job: dict) -> Path:
    """Microdata (one record per event), metadata, hierarchies, a-priori
    file and the batch that reads them and applies the safety rule."""
    width = job["code_width"]
    with open(work / "events.asc", "w", encoding="utf-8") as out:
        for code, count in zip(job["communes"], job["counts"], strict=True):
            out.write(f"{code:>{width}} A 1\n" * count)
    (work / "territory.hrc").write_text(job["hrc"], encoding="utf-8")
    (work / "dummy.hrc").write_text("A\nB\n", encoding="utf-8")
    (work / "events.rda").write_text(
        f'territory 1 {width}\n  <RECODEABLE>\n  <TOTCODE> "Total"\n  <HIERARCHICAL>\n'
        '  <HIERCODELIST> "territory.hrc"\n  <HIERLEADSTRING> "@"\n'
        f'dummy {width + 2} 1\n  <RECODEABLE>\n  <TOTCODE> "Total"\n  <HIERARCHICAL>\n'
        '  <HIERCODELIST> "dummy.hrc"\n  <HIERLEADSTRING> "@"\n'
        f"event {width + 4} 1\n  <NUMERIC>\n  <DECIMALS> 0\n",
        encoding="utf-8",
    )
    batch = [
        '<OPENMICRODATA> "events.asc"',
        '<OPENMETADATA> "events.rda"',
        '<SPECIFYTABLE> "territory""dummy"|"event"||',
        f"<SAFETYRULE> {job['safety_rule']}",
        "<READMICRODATA>",
    ]
    if job["apriori"]:
        (work / "levels.hst").write_text(job["apriori"], encoding="utf-8")
        batch.append('<APRIORI> "levels.hst",1,";"')
    (work / "read.arb").write_text("\n".join(batch) + "\n", encoding="utf-8")
    return work / "read.arb"


def _protect(work: Path, job: dict) -> dict:
    """Compute the table, protect it with MOD (timed), read the statuses
    back. Returns {"seconds", "version", "cells": {code: [status of (code,
    Total), status of (code, A), value, upper protection level]}}."""
    import pytauargus
    from pytauargus.batch import Suppress, WriteTable
    from pytauargus.engine import Engine

    engine = Engine().run_batch(_write_inputs(work, job))
    max_time, single_single, single_more, min_freq = job["mod"]
    command = Suppress(
        kind="MOD",
        tab_no=1,
        mod_max_time=max_time,
        mod_singleton=single_single,
        mod_singleton_multi=single_more,
        mod_min_freq=min_freq,
    )
    started = time.perf_counter()
    engine.suppress(command)
    seconds = time.perf_counter() - started
    engine.write_table(WriteTable(tab_no=1, output_type=5, options=["+SO"], file="out.tab"))
    cells: dict[str, list] = {}
    # simple intermediate format: code;code;value;freq;cost;status;lower;upper
    for line in (work / "out.tab").read_text(encoding="utf-8").splitlines():
        parts = [p.strip('"') for p in line.split(";")]
        code, dummy, status = parts[0], parts[1], parts[5]
        entry = cells.setdefault(code, ["E", "E", 0.0, 0.0])
        if dummy == "Total":
            entry[0], entry[2], entry[3] = status, float(parts[2]), float(parts[7])
        elif dummy == "A":
            entry[1] = status
    return {"seconds": seconds, "cells": cells, "version": pytauargus.__version__}


def _mod_params(spec: str) -> list:
    """MOD(tab, max_time, single-single, single-more, min-freq) -> params."""
    args = spec[spec.index("(") + 1 : spec.index(")")].split(",")
    return [int(args[1])] + [a.strip() == "1" for a in args[2:5]]


def _worker_entry(job: dict, sender: Connection) -> None:
    """Child process body: the run's output, or the error, through the pipe."""
    try:
        sender.send((True, _tauargus_worker(job)))
    except Exception as error:
        sender.send((False, f"{error!r}\n{traceback.format_exc(limit=4)}"))
    finally:
        sender.close()


def _run_worker(job: dict) -> dict:
    """Run `_tauargus_worker` in a fresh spawned process, in a temporary
    directory removed afterwards whatever happens; raise if it fails, dies
    (native crash) or does not answer in TA_TIMEOUT_S."""
    with tempfile.TemporaryDirectory(prefix="tauargus-bench-") as workdir:
        return _spawn({**job, "workdir": workdir})


def _spawn(job: dict) -> dict:
    """Start the child, wait for its answer; end it (only it) if still alive."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_worker_entry, args=(job, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(TA_TIMEOUT_S):
            raise TimeoutError(f"no answer from the Tau-Argus process in {TA_TIMEOUT_S} s")
        ok, payload = receiver.recv()
    except EOFError:
        process.join(10)
        raise RuntimeError(f"the Tau-Argus process died (exit code {process.exitcode})") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    if not ok:
        raise RuntimeError(payload)
    return payload


def _map_back(
    geo: Geography,
    table: Table,
    cells: dict[str, list],
    straddling: dict[str, list[str]],
    threshold: int,
    conservative: bool = True,
) -> np.ndarray:
    """Tau-Argus statuses -> suppressed mask over our cells. A straddling
    EPCI total is suppressed when any of its pieces is (conservative), or
    only when it is primary secret itself (naive)."""

    def suppressed(code: str) -> bool:
        total, a = cells[code][:2]
        return total in ("U", "M") or a in ("U", "M")

    n = len(geo.communes)
    mask = np.zeros(len(table.values), dtype=bool)
    for j, commune in enumerate(geo.communes):
        mask[j] = suppressed(commune)
    primary = primary_secret(table.values, threshold)
    for i, epci in enumerate(geo.epcis):
        row = n + i
        if epci in straddling:
            pieces = [_piece(epci, dep, straddling) for dep in straddling[epci]]
            mask[row] = any(suppressed(p) for p in pieces) if conservative else bool(primary[row])
        else:
            mask[row] = suppressed(epci)
    for i, dep in enumerate(geo.deps):
        mask[n + len(geo.epcis) + i] = suppressed(dep)
    mask[-1] = suppressed("Total")
    return mask


def run_tauargus(geo: Geography, counts: np.ndarray, table: Table, labels: list[str], threshold: int) -> dict:
    """Both Tau-Argus runs, mapped onto our cells and audited."""
    try:
        import pytauargus  # noqa: F401
    except Exception as error:  # ImportError, or a broken native extension
        return {"available": False, "reason": f"pytauargus import failed: {error!r}"}
    straddling = geo.straddling()
    widths = {len(c) for c in geo.communes}
    if len(widths) != 1:
        return {"available": False, "reason": f"commune codes of several widths {widths}"}
    base = {
        "communes": geo.communes,
        "counts": [int(c) for c in counts],
        "code_width": widths.pop(),
        "hrc": _hierarchy(geo, straddling),
        "safety_rule": f"FREQ({threshold},{SAFETY_RANGE})",
        "mod": _mod_params(MOD_SPEC),
    }
    runs = {"freq_rule": "", "aligned_protection_levels": _apriori(geo, counts, straddling, threshold)}
    figures: dict[str, dict] = {}
    for name, apriori in runs.items():
        try:
            output = _run_worker({**base, "apriori": apriori})
        except Exception as error:  # engine error, or the process died
            figures[name] = {"available": False, "reason": f"Tau-Argus run {name!r} failed: {error!r}"}
            continue
        figures[name] = _tauargus_figures(geo, table, labels, output, straddling, threshold)
    if not figures["freq_rule"].get("available", True):
        return figures["freq_rule"]
    return {
        "available": True,
        "version": figures["freq_rule"].pop("version"),
        "method": f"modular (HiTaS) {MOD_SPEC}, safety rule FREQ({threshold},{SAFETY_RANGE})",
        "hierarchy": (
            "one tree: region > département > EPCI ∩ département piece > commune "
            f"({len(straddling)} straddling EPCI split in pieces; their totals "
            "suppressed when a piece is), plus a dummy 2nd dimension (A, empty B)"
        ),
        **figures["freq_rule"],
        "aligned_protection_levels": figures["aligned_protection_levels"],
    }


def _tauargus_figures(
    geo: Geography, table: Table, labels: list[str], output: dict, straddling: dict[str, list[str]], threshold: int
) -> dict:
    """One Tau-Argus run's pattern on our cells, audited (and the naive
    mapping of straddling EPCI totals), plus counts in its own table."""
    cells = output["cells"]
    mask = _map_back(geo, table, cells, straddling, threshold)
    own = [entry[0] for entry in cells.values()]
    naive = audit(table, _map_back(geo, table, cells, straddling, threshold, conservative=False), threshold)
    return {
        "version": output["version"],
        "time_s": round(output["seconds"], 3),
        **pattern_figures(table, labels, mask, threshold),
        "tauargus_table": {
            "cells": len(own),
            "primary": own.count("U"),
            "secondary": own.count("M"),
            "empty": own.count("E"),
            "primary_with_upper_level_to_threshold": sum(
                1 for status, _, value, upper in cells.values() if status == "U" and value + upper >= threshold
            ),
            "dummy_copies_disagree": sum(1 for total, a, _, _ in cells.values() if total != a),
        },
        "naive_epci_mapping": {
            "recoverable_cells": len(naive.failures),
            "recoverable_examples": _recovered(table, labels, naive),
        },
    }


# --- report ------------------------------------------------------------------


def _print_report(result: dict) -> None:
    """The figures side by side, in the words of the other benchmark's report."""
    info, ours, ta = result["table"], result["ours"], result["tauargus"]
    print("\n== Secret statistique : notre suppression secondaire vs Tau-Argus (modulaire / HiTaS) ==")
    print(
        f"  table : {info['communes']} communes, {info['epci']} EPCI "
        f"({info['straddling_epci']} à cheval), {info['departements']} départements, "
        f"1 région = {info['cells']} cellules ; {info['events']} événements, "
        f"seuil {info['threshold']}"
    )
    print(
        f"  secret primaire : {info['primary_cells']} cellules, "
        f"{100 * info['primary_share_communes']:.1f} % des communes "
        f"({info['zero_communes']} communes à 0)"
    )
    columns = [("nous", ours)]
    if ta.get("available"):
        columns.append(("Tau-Argus FREQ", ta))
        aligned = ta["aligned_protection_levels"]
        if aligned.get("available", True):
            columns.append(("T-A niveaux alignés", aligned))
        else:
            print(f"  Tau-Argus, niveaux alignés : {aligned['reason']}")
    else:
        print(f"  Tau-Argus indisponible : {ta.get('reason')}")
    header = "".join(f"{name:>22}" for name, _ in columns)
    print(f"  {'':34}{header}")
    rows = [
        ("secret secondaire (cellules)", lambda f: f"{f['secondary_cells']}"),
        ("  dont communes / EPCI / dép.", lambda f: "{commune}/{epci}/{departement}".format(**f["secondary_by_level"])),
        ("  dont cellules à 0", lambda f: f"{f['secondary_zero_cells']}"),
        ("perte d'information (Σ valeurs)", lambda f: f"{f['information_loss']}"),
        ("temps de protection (s)", lambda f: f"{f['time_s']:.3f}"),
        ("cellules retrouvables (audit LP)", lambda f: f"{f['recoverable_cells']}"),
    ]
    for label, cell in rows:
        print(f"  {label:34}" + "".join(f"{cell(f):>22}" for _, f in columns))
    if ta.get("available"):
        naive = " ; ".join(f"{name} {f['naive_epci_mapping']['recoverable_cells']}" for name, f in columns[1:])
        print(f"  cellules retrouvables si l'on publie les EPCI à cheval : {naive}")


def run(seed: int = 2026, threshold: int = 11) -> dict:
    """Returns {"table": {...sizes, primary share...}, "ours": {...}, "tauargus": {...}}
    and prints a readable table."""
    geo = load_geography()
    counts = simulate_counts(geo.population, seed)
    table, labels = build_table(geo, counts)
    primary = primary_secret(table.values, threshold)
    n = len(geo.communes)
    info = {
        "seed": seed,
        "threshold": threshold,
        "rate": RATE,
        "communes": n,
        "epci": len(geo.epcis),
        "straddling_epci": len(geo.straddling()),
        "departements": len(geo.deps),
        "cells": int(len(table.values)),
        "events": int(counts.sum()),
        "zero_communes": int((counts == 0).sum()),
        "primary_cells": int(primary.sum()),
        "primary_share_communes": round(float(primary[:n].mean()), 4),
    }
    print(f"primary secret communes: {100 * info['primary_share_communes']:.1f} %")
    result = {
        "table": info,
        "ours": run_ours(table, labels, threshold),
        "tauargus": run_tauargus(geo, counts, table, labels, threshold),
    }
    _print_report(result)
    return result


if __name__ == "__main__":  # python -m bench.secrecy_vs_tauargus
    print(json.dumps(run(), indent=2, ensure_ascii=False))
