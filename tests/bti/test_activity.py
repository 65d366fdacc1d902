"""Connection statistics for staff: logins, queries and exports per
organisation and month, counted on every channel."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bti.models import ActivityEvent
from tests.bti.tokens import bearer, create_token
from tests.personas import mfa_login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def test_logins_queries_and_exports_are_counted_per_organisation(client, published, personas):
    assert mfa_login(client, personas.partner_a.email).status_code == 302
    client.get("/indicateurs/ALL-01/?level=commune")
    client.get("/api/v1/indicators/ALL-01/values/?level=epci")
    client.get("/api/v1/indicators/ALL-01/values/?level=epci")  # a cached answer is a query too
    client.get("/indicateurs/ALL-01/export.xlsx?level=commune")
    client.get("/indicateurs/ALL-01/export.csv?level=commune")
    key = create_token(client, personas.partner_b)
    client.get("/api/v1/indicators/SOI-01/values/", **bearer(key))
    client.logout()
    client.get("/indicateurs/ALL-01/")  # the public is not counted
    counts = {(e.organisation.short_name, e.kind) for e in ActivityEvent.objects.all()}
    assert counts == {("A", "login"), ("A", "query"), ("A", "export"), ("B", "query")}
    assert ActivityEvent.objects.filter(organisation=personas.org_a, kind="query").count() == 3
    assert ActivityEvent.objects.filter(organisation=personas.org_a, kind="export").count() == 2
    assert ActivityEvent.objects.get(organisation=personas.org_b).channel == "jeton"

    client.force_login(personas.admin)
    page = client.get(f"/bti/gestion/statistiques/?year={timezone.localdate().year}").content.decode()
    assert "1 connexion</strong>" in page and "Organisation A" in page and "Organisation B" in page
    assert "Aucune activité" in client.get("/bti/gestion/statistiques/?year=2019").content.decode()
    assert client.get("/bti/gestion/statistiques/?year=abc").status_code == 200


@pytest.mark.parametrize(
    "persona,expected",
    [("anonymous", 302), ("partner_a", 403), ("partner_a_admin", 403), ("editor", 403), ("admin", 200)],
)
def test_only_staff_see_the_statistics(client, personas, persona, expected):
    personas.log_in(client, persona)
    assert client.get("/bti/gestion/statistiques/").status_code == expected
