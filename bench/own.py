"""Own-territory benchmark, on the demo catalogue: 100 own territories in the
benchmark organisation and 1,000 across the platform (random unions of
communes and whole EPCI of the real geography, seeded).

Measured, medians and p95 over repeats in this process:
- the publication run with every own territory decided (whole run, a fresh
  process, so as the engine bench);
- creating a territory of 200 communes with its full check (the figures of
  every indicator written), cold (a fresh worker's first check) and warm;
- reading an own territory's figures: the API (`?own=`), a table à la carte
  with two own territories, the portrait page, each through Django's test
  client as a trained partner.
Targets (issue 10): read p95 ≤ 1 s, portrait ≤ 3 s, creation ≤ 10 s,
publication ≤ 60 s and ≤ 5× the pandas baseline (see the engine bench)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_BENCH, N_PLATFORM = 100, 1000


def _stats(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "median_s": round(statistics.median(times), 3),
        "p95_s": round(times[min(len(times) - 1, int(0.95 * len(times)))], 3),
        "runs": len(times),
    }


def prepare() -> dict:
    """Demo data (engine bench), then the organisations' territories, made
    as versions directly (their figures come with the next publication)."""
    import numpy as np

    from bench import engine

    data = engine.prepare()
    from django.contrib.auth import get_user_model

    from bti.models import Membership, Organisation, OwnTerritory
    from indicators.models import OwnTerritoryVersion, Territory

    User = get_user_model()
    organisations = [
        Organisation.objects.get_or_create(short_name=f"BENCH{i}", defaults={"name": f"Organisation de mesure {i}"})[0]
        for i in range(10)
    ]
    user, _ = User.objects.get_or_create(username="bench-partner", defaults={"email": "bench@bench.invalid"})
    Membership.objects.update_or_create(
        user=user, defaults={"organisation": organisations[0], "trained_on": "2026-01-01", "is_active": True}
    )
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")  # partners need it; the bench logs in directly
    if OwnTerritory.objects.filter(organisation__short_name__startswith="BENCH").count() < N_PLATFORM:
        OwnTerritory.objects.filter(organisation__short_name__startswith="BENCH").delete()
        communes = list(Territory.objects.filter(level="commune").order_by("code").values_list("id", "epci_id"))
        by_epci: dict[int, list[int]] = {}
        for cid, epci in communes:
            by_epci.setdefault(epci, []).append(cid)
        epcis = sorted(by_epci)
        rng = np.random.default_rng(2026)
        for i in range(N_PLATFORM):
            members = set()
            for epci in rng.choice(epcis, rng.integers(0, 4), replace=False):
                members |= set(by_epci[epci])
            members |= {communes[j][0] for j in rng.choice(len(communes), rng.integers(2, 40), replace=False)}
            version = OwnTerritoryVersion.objects.create()
            version.communes.set(members)
            OwnTerritory.objects.create(
                organisation=organisations[0 if i < N_BENCH else 1 + i % 9], name=f"Territoire {i}", version=version
            )
    return data | {"own_territories": OwnTerritory.objects.filter(deleted_at__isnull=True).count()}


def _publish() -> dict:
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "manage.py", "publish_snapshot"], cwd=ROOT, capture_output=True, text=True, env={**os.environ}
    )
    if process.returncode:
        raise RuntimeError(process.stdout[-2000:] + process.stderr[-2000:])
    return {"seconds": round(time.perf_counter() - started, 2), "output": process.stdout.strip().splitlines()[-1]}


def run(repeat: int = 3) -> dict:
    data = prepare()
    publications = [_publish() for _ in range(repeat)]
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bti.models import OwnTerritory
    from bti.readers import reader_for_user
    from bti.services import own_territory_create, own_territory_delete
    from indicators.models import Territory
    from indicators.snapshot_store import current_snapshot_forget, figures_read, own_caches_clear

    current_snapshot_forget()
    user = get_user_model().objects.get(username="bench-partner")
    mine = list(OwnTerritory.objects.filter(organisation__short_name="BENCH0", deleted_at__isnull=True).order_by("pk"))
    codes = list(Territory.objects.filter(level="commune").order_by("code").values_list("code", flat=True))
    creation = []
    reader = reader_for_user(user)
    for i in range(repeat + 1):
        if i == 0:
            own_caches_clear()
        started = time.perf_counter()
        territory = own_territory_create(
            reader=reader, name=f"Mesure {time.time_ns()}", commune_codes=codes[i * 200 : (i + 1) * 200]
        )
        creation.append(time.perf_counter() - started)
        own_territory_delete(reader=reader, territory_id=territory.pk)
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host
    client = Client()
    client.force_login(user)
    api, table, portrait = [], [], []
    for n, territory in enumerate(mine[:40]):
        started = time.perf_counter()
        response = client.get(f"/api/v1/indicators/ALL-08/values/?own={territory.pk}")
        api.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        other = mine[(n + 1) % len(mine)]
        started = time.perf_counter()
        response = client.get(
            f"/bti/tableau/?indicators=ALL-08,EMP-14,MOR-02,SOI-01&own={territory.pk},{other.pk}&periods=2021,2016-2020"
        )
        table.append(time.perf_counter() - started)
        assert response.status_code == 200
        if n < 10:
            started = time.perf_counter()
            response = client.get(f"/bti/portrait/?territoire=perso:{territory.pk}")
            portrait.append(time.perf_counter() - started)
            assert response.status_code == 200
    shown = sum(
        int((f["status"] == "ok").sum())
        for t in mine
        if (f := figures_read(current_directory(), t.version_id)) is not None
    )
    total = sum(len(f) for t in mine if (f := figures_read(current_directory(), t.version_id)) is not None)
    publication = statistics.median(p["seconds"] for p in publications)
    engine = ROOT / "bench" / "results" / "engine-latest.json"
    baseline = json.loads(engine.read_text())["baseline_median_s"] if engine.exists() else None
    return {
        "data": data,
        "publication": {
            "median_s": publication,
            "runs": publications,
            "baseline_median_s": baseline,
            "ratio": round(publication / baseline, 2) if baseline else None,
        },
        "creation_200_communes": {"cold_s": round(creation[0], 3), **_stats(creation[1:])},
        "read_api_own": _stats(api),
        "read_table_two_own": _stats(table),
        "portrait_own": _stats(portrait),
        "own_figures_shown": {"rows": total, "shown": shown},
        "targets": {"read_p95_s": 1, "portrait_s": 3, "creation_s": 10, "publication_s": 60},
    }


def current_directory() -> str:
    from indicators.snapshot_store import current_snapshot

    return current_snapshot().directory
