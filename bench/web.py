"""Web benchmark: gunicorn on loopback, wrk at 32 connections, bounded in
time. Values endpoint at the largest public level (EPCI) against a bare
Django view returning the same bytes from memory, side by side; the
indicator page; the SVG map of the EPCI level; the map's first paint in
headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "p95.lua"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str, seconds: int = 8, connections: int = 32) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(LUA), url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    ).stdout
    match = re.search(
        r"RESULT requests=(\d+) duration_us=(\d+) p50_us=(\d+) p95_us=(\d+) p99_us=(\d+) errors=(\d+)", output
    )
    requests, duration, p50, p95, p99, errors = (int(x) for x in match.groups())
    return {
        "rps": round(requests / (duration / 1e6), 1),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "p99_ms": p99 / 1000,
        "errors": errors,
    }


def _timed_get(url: str, repeat: int = 15) -> dict:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        urllib.request.urlopen(url).read()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
    }


def _first_paint(url: str, runs: int = 7) -> dict:
    """Time from navigation start to the map drawn, by the browser's own
    clock (the map script marks `pf2s-map-ready`), each run in a fresh
    context (empty HTTP cache), after one warm-up of the browser itself."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        marks, walls = [], []
        for attempt in range(runs + 1):
            context = browser.new_context()
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.wait_for_selector("#indicator-map[data-ready='true']", timeout=20_000)
            wall = (time.perf_counter() - started) * 1000
            mark = page.evaluate("performance.getEntriesByName('pf2s-map-ready')[0].startTime")
            context.close()
            if attempt:  # the first run warms the browser up, not the page
                marks.append(mark)
                walls.append(wall)
        browser.close()
    return {
        "median_ms": round(statistics.median(marks), 1),
        "max_ms": round(max(marks), 1),
        "wall_clock_median_ms": round(statistics.median(walls), 1),
        "runs": runs,
    }


def run() -> dict:
    if not shutil.which("wrk"):
        return {"available": False, "reason": "wrk is not installed (apt-get install wrk)"}
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pf2s.settings.bench"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "pf2s.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--env",
            "DJANGO_SETTINGS_MODULE=pf2s.settings.bench",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except OSError:
                time.sleep(0.5)
        import json

        indicators = json.loads(urllib.request.urlopen(base + "/api/v1/indicators/").read())
        code = next(i["code"] for i in indicators if "epci" in i["levels"] and i["kind"] == "proportion")
        values = f"{base}/api/v1/indicators/{code}/values/?level=epci"
        bare = f"{base}/bench/bare/{code}/values/?level=epci"
        for url in (values, bare):  # warm caches
            urllib.request.urlopen(url).read()
        pairs = [(_wrk(values), _wrk(bare)) for _ in range(3)]  # side by side, three times
        ratio = statistics.median([endpoint["rps"] / baseline["rps"] for endpoint, baseline in pairs])
        page = _wrk(f"{base}/indicateurs/{code}/?level=epci", seconds=6, connections=4)
        svg = _timed_get(f"{base}/indicateurs/{code}/export.svg?level=epci")
        paint = _first_paint(f"{base}/indicateurs/{code}/?level=epci")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "indicator": code,
        "values_endpoint": [e for e, _ in pairs],
        "bare_view": [b for _, b in pairs],
        "throughput_ratio": round(ratio, 3),
        "indicator_page": page,
        "svg_epci": svg,
        "map_first_paint": paint,
        "targets": {
            "throughput_ratio": 0.8,
            "values_p95_ms": 50,
            "page_p95_ms": 150,
            "svg_ms": 300,
            "first_paint_ms": 1000,
        },
    }
