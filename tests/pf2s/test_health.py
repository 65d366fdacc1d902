"""Health probes: /healthz is the process, /readyz the database and Redis."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import override_settings

from tests.environment import SERVICES_REQUIRED

pytestmark = pytest.mark.django_db


def test_it_says_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_it_is_ready_when_database_and_redis_answer(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    if SERVICES_REQUIRED:
        assert body["checks"]["database"]["vendor"] == "postgresql"
        assert settings.REDIS_URL and "mode" not in body["checks"]["redis"]


def test_it_answers_503_naming_the_database_when_it_is_unreachable(client, monkeypatch):
    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"].endswith("sqlite3"):
        monkeypatch.setitem(settings_dict, "NAME", "/nonexistent-dir/db.sqlite3")
    else:
        monkeypatch.setitem(settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(settings_dict, "PORT", "1")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


def test_it_answers_503_naming_redis_when_it_is_unreachable(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]


def test_the_admin_pages_icon_request_finds_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert client.get(response["Location"]).status_code == 200
