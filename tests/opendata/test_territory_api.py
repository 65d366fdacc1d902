"""The territories API, field by field."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.geography import HDF

pytestmark = pytest.mark.django_db


def test_it_lists_the_territories_of_a_level(client, geography):
    response = client.get("/api/v1/territories/", {"level": "departement"})
    assert response.status_code == 200
    rows = response.json()
    assert [r["code"] for r in rows] == list(HDF.departement_codes)
    somme = rows[-1]
    assert set(somme) == {"code", "name", "level", "population", "parents", "partly_outside_region"}
    assert somme["name"] == "Somme" and somme["level"] == "departement"
    assert isinstance(somme["population"], int) and somme["population"] > 500_000
    assert somme["parents"] == {"region": "32"}


def test_it_gives_communes_their_three_parents(client, geography):
    rows = client.get("/api/v1/territories/?level=commune").json()
    assert len(rows) == HDF.communes
    amiens = next(r for r in rows if r["code"] == "80021")
    assert amiens == {
        "code": "80021",
        "name": "Amiens",
        "level": "commune",
        "population": amiens["population"],
        "partly_outside_region": False,
        "parents": {"region": "32", "departement": "80", "epci": "248000531"},
    }
    assert amiens["population"] > 100_000
    assert all(set(r["parents"]) == {"region", "departement", "epci"} for r in rows)


def test_it_lists_epci_with_the_region_as_parent(client, geography):
    rows = client.get("/api/v1/territories/?level=epci").json()
    assert len(rows) == HDF.epci
    assert all(r["parents"] == {"region": "32"} for r in rows)
    assert {r["code"] for r in rows if r["partly_outside_region"]} == HDF.epci_partly_outside


def test_it_lists_france_and_the_region(client, geography):
    assert client.get("/api/v1/territories/?level=france").json()[0]["code"] == "FR"
    region = client.get("/api/v1/territories/?level=region").json()
    assert region == [
        {
            "code": "32",
            "name": "Hauts-de-France",
            "level": "region",
            "population": HDF.population,
            "parents": {},
            "partly_outside_region": False,
        }
    ]


def test_it_details_a_composite_with_its_members(client, geography):
    response = client.get("/api/v1/territories/territoire_demonstrateur/bassin-minier/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Bassin minier" and body["level"] == "territoire_demonstrateur"
    assert "62498" in body["members"]  # Lens
    assert len(body["members"]) == len(set(body["members"])) > 200
    assert body["members"] == sorted(body["members"])
    assert "ERBM" in body["source"]


def test_it_details_a_commune_without_members(client, geography):
    body = client.get("/api/v1/territories/commune/59350/").json()
    assert body["name"] == "Lille"
    assert body["members"] is None
    assert body["parents"] == {"region": "32", "departement": "59", "epci": "200093201"}


def test_it_answers_unknown_levels_and_codes_with_a_reason(client, geography):
    missing = client.get("/api/v1/territories/")
    assert missing.status_code == 400 and "level" in missing.json()["detail"]
    wrong = client.get("/api/v1/territories/?level=canton")
    assert wrong.status_code == 400
    assert "Niveau inconnu" in wrong.json()["detail"] and "Unknown level" in wrong.json()["detail"]
    unknown = client.get("/api/v1/territories/commune/99999/")
    assert unknown.status_code == 404 and "Unknown territory" in unknown.json()["detail"]
    assert client.get("/api/v1/territories/canton/1/").status_code == 404
    assert client.get("/api/v1/territories/france/geometry/").status_code == 404


def test_it_serves_a_map_layer_per_level(client, geography):
    response = client.get("/api/v1/territories/epci/geometry/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Encoding"] == "gzip"
    collection = json.loads(gzip.decompress(response.content))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == HDF.epci
    feature = collection["features"][0]
    assert set(feature["properties"]) == {"code", "name"}
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    again = client.get("/api/v1/territories/epci/geometry/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_its_schema_documents_the_territory_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert {
        "/api/v1/territories/",
        "/api/v1/territories/{level}/{code}/",
        "/api/v1/territories/{level}/geometry/",
    } <= set(paths)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "<code>GET /api/v1/territories/{level}/{code}/</code>" in html
    assert "<code>members</code>" in html and 'lang="fr"' in html
    swagger = client.get("/api/docs/swagger/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in swagger and "cdn" not in swagger.lower()


def test_the_schema_gives_examples_of_values(client):
    import json

    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/json").content)
    response = schema["paths"]["/api/v1/indicators/{code}/values/"]["get"]["responses"]["200"]
    examples = response["content"]["application/json"]["examples"]
    rows = [example["value"][0] for example in examples.values()]
    assert {row["status"] for row in rows} == {"ok", "secret"}
    secret = next(row for row in rows if row["status"] == "secret")
    assert secret["value"] is None and secret["numerator"] is None
