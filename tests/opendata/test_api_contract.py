"""The API keeps the contract it publishes: schemathesis reads the OpenAPI
schema the portal serves (/api/schema/), generates requests for every
operation (valid ones, edge values, values outside the enumerations) and
checks every answer through Django's WSGI application: never a 5xx, only
documented status codes, content types, headers and bodies. Once
anonymously, once with a trained partner's token."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from indicators.choices import NOT_ADDITIVE_REASON, SECRET_REASON

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# The WSGI client hands the body over as sent: ask for it uncompressed (the
# geometry layers are gzipped for clients that say they accept it).
IDENTITY = {"Accept-Encoding": "identity"}
# Bounded and reproducible: a few examples per operation, the same ones on every run.
# The database fixtures are function-scoped on purpose: every example reads the same published data.
BOUNDED = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def served_schema() -> dict:
    """The schema /api/schema/ serves, built the way its view builds it.
    (Built at collection, where no request can be made yet: schemathesis
    needs the operations to name the tests; the first test checks the
    endpoint serves this very schema.)"""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


SCHEMA = served_schema()
schema = schemathesis.openapi.from_dict(SCHEMA)
schema.app = WSGIHandler()


@pytest.fixture
def partner_token(personas) -> str:
    from bti.readers import reader_for_user
    from bti.services import api_token_create

    return api_token_create(reader=reader_for_user(personas.partner_a), name="contrat de l'API")[1]


@pytest.fixture(autouse=True)
def wsgi_in_the_test_transaction(settings):
    """Requests reach the WSGI handler directly: like Django's test client,
    keep the connection (and the test's transaction) open between them."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # the WSGI client's Host
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_contract_tested_is_the_schema_served(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json() == SCHEMA


@schema.parametrize()
@BOUNDED
def test_anonymous_callers_get_what_the_schema_promises(case, published):
    case.call_and_validate(headers=IDENTITY, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_partners_with_a_token_get_what_the_schema_promises(case, published, partner_token):
    case.call_and_validate(headers={**IDENTITY, "Authorization": f"Bearer {partner_token}"}, checks=CHECKS)


def test_own_territory_rows_and_their_reasons_are_as_documented(published, personas, partner_token):
    """Generated requests cannot guess the id of an own territory: the
    partner's own channel, JSON and CSV, checked case by case."""
    from bti.readers import reader_for_user
    from bti.services import own_territory_create

    territory = own_territory_create(
        reader=reader_for_user(personas.partner_a), name="Bassin", commune_codes=["80021", "80001", "80002", "80003"]
    )
    values = schema["/api/v1/indicators/{code}/values/"]["GET"]
    headers = {**IDENTITY, "Authorization": f"Bearer {partner_token}"}
    reasons = set()
    for code in ("ALL-01", "SOI-01", "EMP-01", "MOR-01"):
        case = values.Case(path_parameters={"code": code}, query={"own": territory.pk})
        rows = case.call_and_validate(headers=headers, checks=CHECKS).json()
        assert rows and {row["level"] for row in rows} == {"territoire_personnalise"}
        reasons |= {row["reason"] for row in rows}
        csv = values.Case(path_parameters={"code": code}, query={"own": territory.pk, "format": "csv"})
        lines = csv.call_and_validate(headers=headers, checks=CHECKS).content.decode("utf-8-sig").splitlines()
        assert lines[0].endswith(";Motif") and len(lines) == 1 + len(rows)
    assert {SECRET_REASON, NOT_ADDITIVE_REASON} <= reasons
    refused = values.Case(path_parameters={"code": "SOI-01"}, query={"own": territory.pk, "period": "1999"})
    assert refused.call_and_validate(headers=headers, checks=CHECKS).status_code == 400


def test_the_errors_every_operation_shares_are_as_documented(published, settings):
    """What generated requests do not provoke: an invented token, a format
    nobody serves, a conditional request, too many requests."""
    categories = schema["/api/v1/categories/"]["GET"]
    territories = schema["/api/v1/territories/"]["GET"]

    def call(operation, headers=None, **case):
        return operation.Case(**case).call_and_validate(headers={**IDENTITY, **(headers or {})}, checks=CHECKS)

    unknown = call(categories, {"Authorization": "Bearer pf2s_0000_invented"})
    assert unknown.status_code == 401 and unknown.headers["www-authenticate"][0].startswith("Bearer")
    assert call(categories, {"Accept": "application/xml"}).status_code == 406
    etag = call(categories).headers["etag"][0]
    assert call(categories, {"If-None-Match": etag}).status_code == 304
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"}}
    for operation, case in ((categories, {}), (territories, {"query": {"level": "region"}})):
        answers = [call(operation, **case) for _ in range(4)]
        assert answers[-1].status_code == 429 and int(answers[-1].headers["retry-after"][0]) >= 1
