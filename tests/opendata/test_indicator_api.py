"""The indicators API reads the current snapshot through the one access rule."""

from __future__ import annotations

import pytest

from tests.geography import HDF

pytestmark = pytest.mark.django_db

FIELDS = {
    "territory_code",
    "territory_name",
    "level",
    "period",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "significance",
    "status",
    "demo",
}


def test_the_catalogue_hides_partner_indicators_from_the_public(client, published, personas):
    codes = {i["code"] for i in client.get("/api/v1/indicators/").json()}
    assert "ALL-01" in codes and "ALL-02" not in codes
    client.force_login(personas.partner_a_untrained)
    assert "ALL-02" not in {i["code"] for i in client.get("/api/v1/indicators/").json()}
    client.force_login(personas.partner_a)
    assert "ALL-02" in {i["code"] for i in client.get("/api/v1/indicators/").json()}


def test_the_catalogue_gives_metadata_and_filters(client, published):
    rows = client.get("/api/v1/indicators/?category=mortalite").json()
    assert {r["code"] for r in rows} == {"MOR-01", "MOR-02", "MPR-01"}
    mor = next(r for r in rows if r["code"] == "MOR-01")
    assert mor["category"] == {"code": "mortalite", "name": "Mortalité tous âges"}
    assert mor["unit"] == "pour 100 000" and mor["kind"] == "standardised_rate"
    assert mor["period_kind"] == "pooled" and mor["pool_years"] == 5
    assert {s["code"] for s in mor["sources"]} == {"cepidc", "insee-rp"}
    assert [r["code"] for r in client.get("/api/v1/indicators/?search=médecins").json()] == ["SOI-01"]
    categories = {c["code"]: c["indicator_count"] for c in client.get("/api/v1/categories/").json()}
    assert categories["allocations"] == 2  # ALL-01 and EMP-01; ALL-02 is for partners


def test_values_follow_the_contract(client, published):
    rows = client.get("/api/v1/indicators/SOI-01/values/?level=departement&period=2021").json()
    assert len(rows) == HDF.departements
    assert all(set(r) == FIELDS for r in rows)
    somme = next(r for r in rows if r["territory_code"] == "80")
    assert somme["territory_name"] == "Somme" and somme["level"] == "departement"
    assert somme["status"] == "ok" and somme["demo"] is True
    assert somme["ci_low"] < somme["value"] < somme["ci_high"]
    assert somme["value"] == pytest.approx(somme["numerator"] / somme["denominator"] * 10_000)
    assert somme["significance"] in {"higher", "lower", "similar"}


def test_anonymous_callers_see_public_levels_only(client, published, personas):
    levels = {r["level"] for r in client.get("/api/v1/indicators/ALL-01/values/").json()}
    assert levels == {"france", "region", "departement", "epci"}
    refused = client.get("/api/v1/indicators/ALL-01/values/?level=commune")
    assert refused.status_code == 400
    assert "réservé aux partenaires" in refused.json()["detail"] and "restricted" in refused.json()["detail"]
    client.force_login(personas.partner_a)
    communes = client.get("/api/v1/indicators/ALL-01/values/?level=commune&period=2021").json()
    assert len(communes) == HDF.communes


def test_secret_rows_carry_no_number(client, published, personas):
    client.force_login(personas.partner_a)
    rows = client.get("/api/v1/indicators/ALL-01/values/?level=commune&period=2021").json()
    secret = [r for r in rows if r["status"] == "secret"]
    assert secret
    assert all(r[k] is None for r in secret for k in ("value", "numerator", "denominator", "ci_low", "ci_high"))
    assert all(r["significance"] == "" for r in secret)


def test_wrong_parameters_get_a_reason_not_a_500(client, published):
    assert client.get("/api/v1/indicators/NOPE/values/").status_code == 404
    assert client.get("/api/v1/indicators/ALL-02/values/").status_code == 404  # partners only
    period = client.get("/api/v1/indicators/ALL-01/values/?period=1999")
    assert period.status_code == 400 and "Période inconnue" in period.json()["detail"]
    level = client.get("/api/v1/indicators/MOR-01/values/?level=commune")
    assert level.status_code == 400
    territory = client.get("/api/v1/indicators/ALL-01/values/?level=region&territory=99")
    assert territory.status_code == 400
    one = client.get("/api/v1/indicators/ALL-01/values/?territory=80&period=2020").json()
    assert [r["territory_code"] for r in one] == ["80"]


def test_responses_are_conditional_and_cached_per_snapshot(client, published, personas):
    from indicators.publish import snapshot_publish

    url = "/api/v1/indicators/SOI-01/values/?level=departement&period=2021"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert client.get(url).content == first.content  # from the cache
    client.force_login(personas.partner_a)
    partner = client.get(url)
    assert partner["ETag"] != first["ETag"]  # another audience, another entry
    client.logout()
    snapshot_publish()
    fresh = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200 and fresh["ETag"] != first["ETag"]


def test_errors_are_not_cached(client, published):
    assert client.get("/api/v1/indicators/ALL-01/values/?period=1999").status_code == 400
    again = client.get("/api/v1/indicators/ALL-01/values/?period=1999")
    assert again.status_code == 400 and "ETag" not in again


def test_values_are_also_served_as_csv(client, published):
    response = client.get("/api/v1/indicators/SOI-01/values/?level=departement&period=2021&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Code territoire;Territoire") and len(lines) == 1 + HDF.departements
    by_accept = client.get("/api/v1/indicators/SOI-01/values/?level=departement&period=2021", HTTP_ACCEPT="text/csv")
    assert by_accept["Content-Type"].startswith("text/csv")


@pytest.fixture
def five_a_minute(settings):
    from django.core.cache import cache

    from pf2s.throttle import AnonymousRateThrottle

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "5/minute"}}
    AnonymousRateThrottle._local.clear()
    cache.clear()
    yield
    AnonymousRateThrottle._local.clear()
    cache.clear()


def test_anonymous_callers_are_throttled_even_on_cached_answers(client, published, personas, five_a_minute):
    url = "/api/v1/indicators/ALL-01/values/?level=departement"
    answers = [client.get(url, REMOTE_ADDR="192.0.2.1").status_code for _ in range(3)]
    answers += [client.get("/api/v1/categories/", REMOTE_ADDR="192.0.2.1").status_code for _ in range(2)]
    assert answers == [200] * 5  # the second and third values answers come from the cache
    refused = client.get(url, REMOTE_ADDR="192.0.2.1")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "Trop de requêtes" in refused.json()["detail"] and "Too many requests" in refused.json()["detail"]
    refused = client.get("/api/v1/categories/", REMOTE_ADDR="192.0.2.1")
    assert refused.status_code == 429 and "Too many requests" in refused.json()["detail"]
    assert client.get(url, REMOTE_ADDR="192.0.2.2").status_code == 200  # another caller
    client.force_login(personas.partner_a)  # partners are not the anonymous public
    assert all(client.get(url, REMOTE_ADDR="192.0.2.1").status_code == 200 for _ in range(6))
