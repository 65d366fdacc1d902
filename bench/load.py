"""Load bench (issue "Production-ready"): locust, 50 users for 3 minutes on
loopback, against gunicorn started with docker-compose's web command (read
from docker-compose.yml: 3 workers, timeout 120 s, access log…) and the
PRODUCTION settings, behind the headers the TLS proxy sets
(bench/locustfile.py says who the users are and what they do).

The portal runs on its own PostgreSQL database (BENCH_LOAD_DATABASE_URL,
default `pf2s_bench_load`, created if missing), its own Redis database
(BENCH_LOAD_REDIS_URL, default db 13, cache keys under their own prefix,
cleared before each run) and its own data directory (var/bench-load/),
prepared by bench/load_data.py: the demo catalogue published, the community
pages, partner accounts of the bench's own, and `check --deploy` clean.

One departure from production, recorded in the result: the anonymous API
rate (`API_ANON_RATE`) is raised so that the throttle cannot answer 429
and measure itself instead of the portal (every user has its own address,
so the default would seldom bite either).

Recorded: per endpoint, requests, failures, median, p95 and p99 (locust's
figures); the answers by status in gunicorn's access log; the workers'
memory (sum over the worker processes from /proc: RSS, and PSS which does
not count shared pages twice) and CPU time, just after start, at the peak
and after the run. Fails if any request failed (or a user's code raised)."""

from __future__ import annotations

import collections
import json
import math
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "var" / "bench-load"
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pf2s_bench_load")
REDIS_URL = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/13")
CACHE_PREFIX = "pf2s-bench-load"
API_ANON_RATE = "100000/minute"
SECRET = "bench-load-secret-" + "s" * 40


def _environment(settings: str) -> dict[str, str]:
    """The bench's services and directories, never the developer's or CI's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PF2S_", "DATABASE_", "REDIS_", "CELERY_", "CACHE_", "API_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": DATABASE_URL,
            "PF2S_DATA_DIR": str(HERE / "data"),
            "MEDIA_ROOT": str(HERE / "media"),
            "STATIC_ROOT": str(HERE / "static"),
        }
    )
    if settings.endswith("production"):
        env.update(
            {
                "DJANGO_SECRET_KEY": SECRET,
                "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
                "DJANGO_NUM_PROXIES": "1",
                "REDIS_URL": REDIS_URL,
                "CACHE_KEY_PREFIX": CACHE_PREFIX,
                "API_ANON_RATE": API_ANON_RATE,
            }
        )
    return env


def _services_ready() -> str | None:
    """None, or why the bench cannot run. Creates the database if missing."""
    import psycopg
    import redis

    try:
        psycopg.connect(DATABASE_URL, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            return f"PostgreSQL out of reach at {DATABASE_URL}: {exc}"
        name = urllib.parse.urlsplit(DATABASE_URL).path.lstrip("/")
        maintenance = urllib.parse.urlsplit(DATABASE_URL)._replace(path="/postgres").geturl()
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        stale = list(client.scan_iter(f"{CACHE_PREFIX}:*", count=1000))  # answers of an earlier database
        if stale:
            client.delete(*stale)
    except redis.RedisError as exc:
        return f"Redis out of reach at {REDIS_URL}: {exc}"
    return None


def _manage(settings: str, *args: str) -> str:
    process = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=_environment(settings), capture_output=True, text=True
    )
    if process.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{process.stdout[-3000:]}{process.stderr[-3000:]}")
    return process.stdout


def prepare() -> dict:
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "bench.load_data"],
        cwd=ROOT,
        env=_environment("pf2s.settings.local"),
        capture_output=True,
        text=True,
    )
    if process.returncode:
        raise RuntimeError(f"bench.load_data failed:\n{process.stdout[-3000:]}{process.stderr[-3000:]}")
    prepared = json.loads(process.stdout.strip().splitlines()[-1])
    _manage("pf2s.settings.production", "collectstatic", "--noinput", "-v", "0")
    # production-clean, or the run would not be a production run
    _manage("pf2s.settings.production", "check", "--deploy", "--fail-level", "WARNING")
    prepared["prepare_s"] = round(time.perf_counter() - started, 1)
    return prepared


def server_command(port: int, access_log: Path) -> list[str]:
    """docker-compose's web command, on loopback, its access log in a file."""
    line = re.search(r"^\s*command:\s*(gunicorn .+)$", (ROOT / "docker-compose.yml").read_text(), re.M).group(1)
    args = shlex.split(line)
    for option, value in (("--bind", f"127.0.0.1:{port}"), ("--access-logfile", str(access_log))):
        args[args.index(option) + 1] = value
    return [str(BIN / "gunicorn"), *args[1:]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent:
                pids.append(int(entry.name))
    return sorted(pids)


def _kib(path: Path, field: str) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def workers_memory(master: int) -> dict:
    """The gunicorn workers (the master's children): RSS each and summed,
    PSS summed (shared pages counted once), CPU seconds summed."""
    rss, pss, cpu = [], 0, 0.0
    pids = _children(master)
    for pid in pids:
        proc = Path("/proc") / str(pid)
        try:
            rss.append(_kib(proc / "status", "VmRSS"))
            pss += _kib(proc / "smaps_rollup", "Pss")
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return {
        "pids": pids,
        "rss_mib": [round(r / 1024, 1) for r in rss],
        "rss_sum_mib": round(sum(rss) / 1024, 1),
        "pss_sum_mib": round(pss / 1024, 1),
        "cpu_s": round(cpu, 1),
    }


class _Sampler(threading.Thread):
    """The workers' memory every 2 s during the run: the peak, and every
    worker ever seen (a new pid is a worker restarted, by timeout or crash)."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.stop, self.peak, self.seen = master, threading.Event(), None, set()
        self.timeline: list[tuple[float, float]] = []  # (seconds into the run, RSS summed, MiB): growth or plateau

    def run(self) -> None:
        started = time.perf_counter()
        while not self.stop.wait(2.0):
            sample = workers_memory(self.master)
            self.timeline.append((round(time.perf_counter() - started), sample["rss_sum_mib"]))
            self.seen |= set(sample["pids"])
            if self.peak is None or sample["rss_sum_mib"] > self.peak["rss_sum_mib"]:
                self.peak = sample


def _get(base: str, path: str) -> int:
    request = urllib.request.Request(
        base + path, headers={"X-Forwarded-Proto": "https", "Host": "localhost", "X-Forwarded-For": "198.19.0.1"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def _percentile(histogram: dict[int, int], fraction: float) -> float | None:
    """From locust's histogram of rounded response times (ms), as locust does."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for milliseconds, count in sorted(histogram.items()):
        seen += count
        if seen >= math.ceil(fraction * total):
            return float(milliseconds)
    return None


def _figures(entry: dict, histogram: dict[int, int], seconds: float) -> dict:
    return {
        "requests": entry["num_requests"],
        "failures": entry["num_failures"],
        "median_ms": _percentile(histogram, 0.5),
        "p95_ms": _percentile(histogram, 0.95),
        "p99_ms": _percentile(histogram, 0.99),
        "max_ms": round(entry["max_response_time"]),
        "rps": round(entry["num_requests"] / seconds, 2),
    }


def _read_stats(prefix: Path, seconds: float) -> tuple[dict, dict, list]:
    """Per endpoint and in total from locust's final JSON (written after the
    last user stopped); the failures' reasons from bench/locustfile.py."""
    endpoints, merged = {}, collections.Counter()
    total = {"num_requests": 0, "num_failures": 0, "max_response_time": 0}
    for entry in json.loads(Path(f"{prefix}.json").read_text(encoding="utf-8")):
        histogram = {int(k): v for k, v in entry["response_times"].items()}
        endpoints[f"{entry['method']} {entry['name']}"] = _figures(entry, histogram, seconds)
        merged.update(histogram)
        for key in ("num_requests", "num_failures"):
            total[key] += entry[key]
        total["max_response_time"] = max(total["max_response_time"], entry["max_response_time"])
    failures = json.loads(Path(f"{prefix}_errors.json").read_text(encoding="utf-8"))
    return endpoints, _figures(total, merged, seconds), failures


def _statuses(access_log: Path) -> dict[str, int]:
    """Answers by status, from gunicorn's access log (common log format)."""
    counts: collections.Counter[str] = collections.Counter()
    for line in access_log.read_text(errors="replace").splitlines():
        match = re.search(r'" (\d{3}) ', line)
        if match:
            counts[match.group(1)] += 1
    return dict(sorted(counts.items()))


def run(users: int = 50, spawn_rate: int = 10, duration: str = "3m") -> dict:
    reason = _services_ready()
    if reason:
        return {"available": False, "reason": reason}
    if not (BIN / "locust").exists():
        return {"available": False, "reason": "locust is not installed (pip install -e '.[bench]')"}
    HERE.mkdir(parents=True, exist_ok=True)
    prepared = prepare()
    pools = HERE / "pools.json"
    pools.write_text(json.dumps({key: prepared.pop(key) for key in ("indicators", "territories", "partners")}))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    access_log, server_log = HERE / "access.log", open(HERE / "gunicorn.log", "w")  # noqa: SIM115
    command = server_command(port, access_log)
    workers = int(command[command.index("--workers") + 1])
    server = subprocess.Popen(
        command, cwd=ROOT, env=_environment("pf2s.settings.production"), stdout=server_log, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(600):
            try:
                if _get(base, "/readyz") == 200 and len(_children(server.pid)) == workers:
                    break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((HERE / "gunicorn.log").read_text()[-3000:]) from None
            time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not answer /readyz within a minute")
        time.sleep(2)  # every worker booted, not only the one that answered
        access_log.write_text("")  # the run's answers only
        before = workers_memory(server.pid)
        load_before = os.getloadavg()
        sampler = _Sampler(server.pid)
        sampler.start()
        prefix = HERE / "locust"
        for stale in HERE.glob("locust*.*"):
            stale.unlink()
        with open(HERE / "locust.log", "w") as log:
            started = time.perf_counter()
            locust = subprocess.Popen(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(Path(__file__).with_name("locustfile.py")),
                    "--headless",
                    "-u",
                    str(users),
                    "-r",
                    str(spawn_rate),
                    "-t",
                    duration,
                    "--host",
                    base,
                    "--json-file",
                    str(prefix),
                    "--only-summary",
                    "--stop-timeout",
                    "10",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={**os.environ, "BENCH_LOAD_POOLS": str(pools), "BENCH_LOAD_ERRORS": f"{prefix}_errors.json"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            _, status, usage = os.wait4(locust.pid, 0)
            locust.returncode = os.waitstatus_to_exitcode(status)
            elapsed = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
        after = workers_memory(server.pid)
        sampler.seen |= set(after["pids"]) | set(before["pids"])
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()
    if not Path(f"{prefix}.json").exists():
        raise RuntimeError("locust wrote no statistics:\n" + (HERE / "locust.log").read_text()[-3000:])
    endpoints, total, failures = _read_stats(prefix, elapsed)
    return {
        "available": True,
        "settings": "pf2s.settings.production",
        "database": "postgresql",
        "server": {
            "command": shlex.join(["gunicorn", *command[1:]]),
            "behind": "X-Forwarded-Proto: https, one X-Forwarded-For address per user, DJANGO_NUM_PROXIES=1",
        },
        "departures_from_production": {"API_ANON_RATE": API_ANON_RATE},
        "users": users,
        "spawn_rate": spawn_rate,
        "duration": duration,
        "elapsed_s": round(elapsed, 1),
        "cores": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "locust_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "locust_exit": locust.returncode,
        "data": prepared,
        "total": total,
        "endpoints": endpoints,
        "failures": failures,
        "answers_by_status": _statuses(access_log),
        "workers_memory": {
            "before": before,
            "after": after,
            "peak": max(filter(None, [sampler.peak, after]), key=lambda m: m["rss_sum_mib"]),
            "restarted": len(sampler.seen) - workers,
            "rss_sum_every_10_s": sampler.timeline[4::5],
        },
        # no failed request, no exception in the users' code (locust exits 0 only then)
        "passed": total["failures"] == 0 and total["requests"] > 0 and not failures and locust.returncode == 0,
    }
