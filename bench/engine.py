"""Engine benchmark: the full publication run (recompute, secrecy, audit,
publish) of the demo catalogue against the bare pandas group-by of the same
rows, run side by side in fresh processes, medians of `repeat` runs."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(command: list[str]) -> dict:
    """Wall time and peak RSS (MiB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ}
    )
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output[-3000:]}")
    return {
        "seconds": round(seconds, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "output": output.strip().splitlines()[-1] if output.strip() else "",
    }


def prepare() -> dict:
    """The demo catalogue's observations, generated once (idempotent)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pf2s.settings.local")
    django.setup()
    from django.core.management import call_command

    from indicators.catalogue import catalogue_load, catalogue_read
    from indicators.demo_data import demo_data_load
    from indicators.models import Indicator, Observation, Territory

    call_command("migrate", verbosity=0)
    if not Territory.objects.filter(level="commune").exists():
        call_command("load_geography", verbosity=0)
    catalogue_load(data=catalogue_read())
    demo_data_load()
    return {
        "observations": Observation.objects.count(),
        "indicators": Indicator.objects.count(),
        "communes": Territory.objects.filter(level="commune").count(),
        "database": __import__("django.db").db.connection.vendor,
    }


def run(repeat: int = 3) -> dict:
    data = prepare()
    publish = [sys.executable, "manage.py", "publish_snapshot"]
    baseline = [sys.executable, "-m", "bench.baseline"]
    runs = {"publish": [], "baseline": []}
    for _ in range(repeat):
        runs["publish"].append(_timed(publish))
        runs["baseline"].append(_timed(baseline))
    median = {name: statistics.median(r["seconds"] for r in values) for name, values in runs.items()}
    from indicators.models import Snapshot

    snapshot = Snapshot.objects.filter(is_current=True).first()
    return {
        "data": data,
        "cores": os.cpu_count(),
        "publish_median_s": median["publish"],
        "baseline_median_s": median["baseline"],
        "ratio": round(median["publish"] / median["baseline"], 2),
        "publish_peak_rss_mib": max(r["peak_rss_mib"] for r in runs["publish"]),
        "baseline_peak_rss_mib": max(r["peak_rss_mib"] for r in runs["baseline"]),
        "snapshot": {
            "rows": snapshot.row_count,
            "secret": snapshot.secret_count,
            "timings": snapshot.timings,
            "audit": {k: v for k, v in snapshot.audit.items() if k != "failures"},
        },
        "runs": runs,
        "targets": {"publish_s": 60, "ratio": 5},
    }
