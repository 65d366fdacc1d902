"""`make bench`: run the benchmarks, print the figures, write them to
bench/results/<name>-<timestamp>.json."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write(name: str, result: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    (RESULTS / f"{name}-latest.json").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("only", nargs="*", help="engine, secrecy, web, own, load, queries (default: all)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--users", type=int, default=50, help="load: simultaneous users")
    parser.add_argument("--spawn-rate", type=int, default=10, help="load: users started per second")
    parser.add_argument("--duration", default="3m", help="load: run time (locust's 30s, 3m…)")
    args = parser.parse_args()
    wanted = args.only or ["engine", "secrecy", "web", "own", "load", "queries"]
    if "engine" in wanted:
        from bench import engine

        result = engine.run(repeat=args.repeat)
        path = write("engine", result)
        print("\n== Moteur : recalcul + secret + audit + publication du catalogue de démonstration ==")
        print(f"  données        : {result['data']}")
        print(
            f"  publication    : médiane {result['publish_median_s']:.1f} s "
            f"(cible ≤ 60 s), pic mémoire {result['publish_peak_rss_mib']:.0f} Mio"
        )
        print(
            f"  group-by pandas: médiane {result['baseline_median_s']:.1f} s, "
            f"pic mémoire {result['baseline_peak_rss_mib']:.0f} Mio"
        )
        print(f"  rapport        : {result['ratio']:.2f}× (cible ≤ 5×)")
        print(f"  étapes         : {result['snapshot']['timings']}")
        print(f"  audit          : {result['snapshot']['audit']}")
        print(f"  → {path}")
    if "secrecy" in wanted:
        from bench import secrecy_vs_tauargus

        result = secrecy_vs_tauargus.run()
        path = write("secrecy", result)
        print(f"  → {path}")
    if "web" in wanted:
        _web()
    if "own" in wanted:
        from bench import own

        result = own.run(repeat=args.repeat)
        path = write("own", result)
        print("\n== Territoires personnalisés (100 dans l'organisation, 1 000 sur la plateforme) ==")
        print(
            f"  publication    : médiane {result['publication']['median_s']:.1f} s (cible ≤ 60 s), "
            f"{result['publication']['ratio']}× le group-by pandas (cible ≤ 5×)"
        )
        print(
            f"  création 200 c.: froide {result['creation_200_communes']['cold_s']:.2f} s, "
            f"médiane {result['creation_200_communes']['median_s']:.2f} s (cible ≤ 10 s)"
        )
        print(
            f"  lecture API    : p95 {result['read_api_own']['p95_s'] * 1000:.0f} ms ; tableau à deux territoires "
            f"p95 {result['read_table_two_own']['p95_s'] * 1000:.0f} ms (cible ≤ 1 s) ; portrait "
            f"p95 {result['portrait_own']['p95_s']:.2f} s (cible ≤ 3 s)"
        )
        print(f"  chiffres montrés: {result['own_figures_shown']}")
        print(f"  → {path}")
    if "queries" in wanted:
        from bench import queries

        result = queries.measure()
        path = write("queries", result)
        print("\n== Requêtes SQL par page et persona (données de démarrage rapide, sans cache) ==")
        queries.report(result)
        print(f"  -> {path}")
    if "load" in wanted and not _load(args.users, args.spawn_rate, args.duration):
        sys.exit(1)


def _load(users: int, spawn_rate: int, duration: str) -> bool:
    """The production load run; False if it could not run or a request failed."""
    from bench import load

    result = load.run(users=users, spawn_rate=spawn_rate, duration=duration)
    path = write("load", result)
    print(f"\n== Charge : {users} utilisateurs pendant {duration}, gunicorn et réglages de production ==")
    if not result["available"]:
        print(f"  charge : non mesurée ({result['reason']})")
        return False
    print(f"  {'point d’accès':<64} {'req.':>6} {'échecs':>6} {'médiane':>8} {'p95':>7}")
    for name, e in sorted(result["endpoints"].items(), key=lambda item: -item[1]["requests"]):
        print(
            f"  {name:<64} {e['requests']:>6} {e['failures']:>6} {e['median_ms'] or 0:>6.0f} ms "
            f"{e['p95_ms'] or 0:>4.0f} ms"
        )
    total, memory = result["total"], result["workers_memory"]
    print(
        f"  {'total':<64} {total['requests']:>6} {total['failures']:>6} {total['median_ms']:>6.0f} ms "
        f"{total['p95_ms']:>4.0f} ms  ({total['rps']:.1f} req/s)"
    )
    print(f"  réponses      : {result['answers_by_status']}")
    print(
        f"  mémoire des {len(memory['before']['pids'])} workers (RSS, somme) : "
        f"avant {memory['before']['rss_sum_mib']:.0f} Mio, pic {memory['peak']['rss_sum_mib']:.0f} Mio, "
        f"après {memory['after']['rss_sum_mib']:.0f} Mio "
        f"(PSS {memory['before']['pss_sum_mib']:.0f} → {memory['after']['pss_sum_mib']:.0f} Mio) ; "
        f"workers redémarrés : {memory['restarted']}"
    )
    print(
        "  RSS des workers toutes les 30 s : "
        + ", ".join(f"{mib:.0f}" for _, mib in memory["rss_sum_every_10_s"][2::3])
        + " Mio"
    )
    print(
        f"  écart à la production : API_ANON_RATE={result['departures_from_production']['API_ANON_RATE']} ; "
        f"charge machine {result['load_average_before'][0]} → {result['load_average_after'][0]} "
        f"({result['cores']} cœurs, locust {result['locust_cpu_s']} s CPU)"
    )
    for failure in result["failures"]:
        print(f"  ÉCHEC {failure['count']}× {failure['endpoint']} : {failure['error']}")
    print(f"  → {path}")
    return result["passed"]


def _web() -> None:
    from bench import web

    result = web.run()
    path = write("web", result)
    if not result.get("available", True):
        print(f"  web : non mesuré ({result['reason']})")
        return
    print("\n== Web : API, page, SVG, carte ==")
    for a, b in zip(result["values_endpoint"], result["bare_view"], strict=True):
        print(
            f"  valeurs EPCI : {a['rps']:.0f} req/s, p95 {a['p95_ms']:.1f} ms ; vue nue : {b['rps']:.0f} req/s, "
            f"p95 {b['p95_ms']:.1f} ms"
        )
    print(
        f"  débit relatif : {result['throughput_ratio']:.2f} (cible ≥ 0,80) ; "
        f"page indicateur p95 {result['indicator_page']['p95_ms']:.0f} ms (cible ≤ 150) ; "
        f"SVG EPCI médiane {result['svg_epci']['median_ms']:.0f} ms (cible ≤ 300) ; "
        f"carte 1er affichage médiane {result['map_first_paint']['median_ms']:.0f} ms (cible ≤ 1000)"
    )
    print(f"  → {path}")


if __name__ == "__main__":
    main()
