"""PostgreSQL out of reach, on the production settings under gunicorn: every
page answers 503 with Retry-After and a French page (JSON on the API), in
seconds, and says the team was told only when reports are configured
(issue 11, finding 15)."""

from __future__ import annotations

import time

import pytest

from tests.production import fetch, free_port, gunicorn, production_env


@pytest.mark.parametrize("admins", ["Équipe technique <ops@example.org>", ""])
def test_every_page_answers_503_with_a_reason_while_the_database_is_down(static_root, tmp_path, admins):
    env = production_env(
        STATIC_ROOT=str(static_root),
        PF2S_DATA_DIR=str(tmp_path),
        DJANGO_ADMINS=admins,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/pf2s",  # nothing listens there
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(free_port()),
    )  # SMTP down too: never a 500 for the report
    with gunicorn(env) as port:
        for path in ("/", "/indicateurs/", "/indicateurs/ALL-01/", "/territoires/departement/80/", "/publications/"):
            started = time.monotonic()
            status, headers, body = fetch(port, path)
            assert status == 503, (path, status, body[:300])
            assert headers.get("Retry-After") == "60"
            assert "Service momentanément indisponible" in body
            assert ("L'équipe technique a été prévenue" in body) == bool(admins)
            assert time.monotonic() - started < 15
        status, headers, body = fetch(port, "/api/v1/indicators/")
        assert status == 503 and headers["Content-Type"].startswith("application/json")
        assert "Database temporarily unavailable" in body
        status, _, body = fetch(port, "/readyz")
        assert status == 503 and "database" in body
