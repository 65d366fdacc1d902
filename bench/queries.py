"""SQL queries per page and API answer, for each persona: the figures the
query budgets of the tests are set from (`make bench BENCH_ARGS=queries`).

Runs against the quick-start database (demo data and accounts loaded), with
the response caches off, so that every answer is computed."""

from __future__ import annotations

PERSONAS = {
    "anonyme": None,
    "partenaire non formé": "partenaire-non-forme@demo.pf2s.invalid",
    "partenaire formé": "partenaire@demo.pf2s.invalid",
    "admin d'organisation": "admin-ars@demo.pf2s.invalid",
    "éditrice": "editrice@demo.pf2s.invalid",
    "superutilisateur": "admin@demo.pf2s.invalid",
}


def pages() -> dict[str, str]:
    from indicators.models import Indicator, Territory

    codes = list(Indicator.objects.filter(access="open").order_by("code").values_list("code", flat=True)[:6])
    epcis = list(Territory.objects.filter(level="epci").order_by("code").values_list("code", flat=True)[:3])
    territories = ",".join([f"epci:{c}" for c in epcis] + ["departement:59", "departement:80"])
    return {
        "catalogue": "/indicateurs/",
        "catalogue ?q=mortalite": "/indicateurs/?q=mortalite",
        "page indicateur": f"/indicateurs/{codes[0]}/?level=epci",
        "API catalogue ?search=mortalite": "/api/v1/indicators/?search=mortalite",
        "API valeurs (EPCI)": f"/api/v1/indicators/{codes[0]}/values/?level=epci",
        "comparaison (6 indicateurs)": f"/comparer/?indicators={','.join(codes)}&territories={territories}",
        "recherche": "/recherche/?q=amiens",
        "tableau à la carte": f"/bti/tableau/?indicators={','.join(codes)}&level=epci",
        "portrait": f"/bti/portrait/?territoire=epci:{epcis[0]}",
    }


def measure_page(client, path: str) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, len(queries)


def run() -> dict:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client, override_settings

    from pf2s import conditional

    results: dict[str, dict[str, list[int]]] = {}
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}},
        ALLOWED_HOSTS=["testserver", "*"],
        REST_FRAMEWORK_THROTTLE_DISABLED=True,
    ):
        cache.clear()
        paths = pages()
        for persona, email in PERSONAS.items():
            client = Client()
            if email:
                client.force_login(get_user_model().objects.get(email=email))
            for name, path in paths.items():
                conditional._LOCAL.clear()
                client.get(path)  # warm the process (snapshot, geography caches)
                conditional._LOCAL.clear()
                status, count = measure_page(client, path)
                results.setdefault(name, {})[persona] = [status, count]
    return results


def report(results: dict) -> None:
    personas = list(PERSONAS)
    width = max(len(n) for n in results) + 2
    print("requêtes SQL (statut HTTP) par page et persona")
    print(" " * width + " | ".join(f"{p[:14]:>14}" for p in personas))
    for name, row in results.items():
        cells = [f"{row[p][1]:>9} ({row[p][0]})" for p in personas]
        print(f"{name:<{width}}" + " | ".join(f"{c:>14}" for c in cells))


def measure() -> dict:
    """Set Django up on the quick-start database (the local settings unless
    DJANGO_SETTINGS_MODULE says otherwise) and measure every page."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pf2s.settings.local")
    django.setup()
    return run()
