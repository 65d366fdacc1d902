"""SQL query budgets of the main pages and API answers, for each persona:
who is asking is resolved once per request, and no page queries once per
indicator or territory (no N+1). The figures on the quick-start data are
measured by `make bench BENCH_ARGS=queries`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "partner_a_untrained", "partner_a", "partner_a_admin", "editor", "admin"]
SIX = "ALL-01,SOI-01,MOR-01,MOR-02,EMP-01,LOG-01"
#: a logged-in request costs its session and user, the TOTP check (the reader
#: says whether the account needs one) and the reader (2: membership and
#: editors' group, then a trained member's grants); then the page's own reads
LOGGED_IN = 5
PAGES = {
    # name: (path, budget for the public, budget beyond LOGGED_IN for an account)
    "catalogue": ("/indicateurs/", 4, 4),
    "catalogue search": ("/indicateurs/?q=mortalite&level=epci", 6, 6),
    "indicator page": ("/indicateurs/MOR-01/?level=epci", 2, 3),
    "API catalogue": ("/api/v1/indicators/?search=mortalite", 2, 2),
    "API values": ("/api/v1/indicators/MOR-01/values/?level=epci", 1, 2),
    "comparison": (f"/comparer/?indicators={SIX}&territories=departement:59,departement:80,epci:200067106", 1, 2),
    "site search": ("/recherche/?q=amiens", 3, 3),
    "table": (f"/bti/tableau/?indicators={SIX}&level=epci", 0, 7),
    "portrait": ("/bti/portrait/?territoire=departement:80", 0, 12),
}


def queries_of(client, path: str) -> tuple[int, int]:
    from pf2s import conditional

    conditional._LOCAL.clear()  # no answer kept from an earlier request: measure the work
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, len(queries)


@pytest.fixture
def uncached(settings):
    """No answer cache; the current snapshot trusted for a while, as in
    production (the tests' default of 0 s would read it at every use)."""
    from indicators.snapshot_store import current_snapshot_forget

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    settings.PF2S_CURRENT_SNAPSHOT_TTL = 300.0
    current_snapshot_forget()
    yield
    current_snapshot_forget()


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_stay_within_their_query_budget(client, published, personas, uncached, persona):
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    over = {}
    for name, (path, public, extra) in PAGES.items():
        client.get(path)  # the process's first read of the snapshot is not the page's cost
        status, count = queries_of(client, path)
        partners_only = path.startswith("/bti/")
        expected = (
            302 if partners_only and persona == "anonymous" else 403 if partners_only and persona == "editor" else 200
        )
        assert status == expected, (name, status)
        if status != 200:
            continue
        budget = public if persona == "anonymous" else LOGGED_IN + extra
        if count > budget:
            over[name] = (count, budget)
    assert over == {}, f"queries over budget (count, budget): {over}"


@pytest.mark.parametrize("persona", ["anonymous", "partner_a"])
def test_no_query_per_indicator_or_territory(client, published, personas, uncached, persona):
    if persona != "anonymous":
        client.force_login(personas.partner_a)
    one = "/comparer/?indicators=ALL-01&territories=departement:59"
    many = f"/comparer/?indicators={SIX}&territories=departement:59,departement:80,departement:02,epci:200067106"
    client.get(one)
    assert queries_of(client, many)[1] == queries_of(client, one)[1]
    if persona == "partner_a":
        table_one = "/bti/tableau/?indicators=ALL-01&level=departement"
        table_many = f"/bti/tableau/?indicators={SIX}&level=epci"
        client.get(table_one)
        assert queries_of(client, table_many)[1] == queries_of(client, table_one)[1]
