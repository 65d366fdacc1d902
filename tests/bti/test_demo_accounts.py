"""The quick start's demonstration accounts log in (email, password, TOTP)
and land where they should."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from bti.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_email
from tests.personas import mfa_login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def login(client, username):
    client.logout()
    return mfa_login(client, demo_email(username), DEMO_PASSWORD, DEMO_TOTP_SECRET)


def test_it_creates_the_four_demo_accounts_idempotently(client):
    out = StringIO()
    call_command("load_demo_accounts", stdout=out)
    call_command("load_demo_accounts", stdout=StringIO())
    assert DEMO_TOTP_SECRET in out.getvalue()
    for username in ("admin", "editrice", "partenaire", "partenaire-non-forme", "admin-ars"):
        assert demo_email(username) in out.getvalue()
        response = login(client, username)
        assert response.status_code == 302 and "/2fa/" not in response["Location"], username


def test_each_demo_account_reaches_its_area(client):
    call_command("load_demo_accounts", stdout=StringIO())
    login(client, "partenaire")
    page = client.get("/bti/").content.decode()
    assert "Formation suivie le" in page
    login(client, "partenaire-non-forme")
    assert "pas encore enregistrée" in client.get("/bti/").content.decode()
    login(client, "editrice")
    assert client.get("/publications/gestion/").status_code == 200
    login(client, "admin")
    assert client.get("/admin/").status_code == 200
    login(client, "admin-ars")
    assert "Invitations en attente" in client.get("/bti/organisation/membres/").content.decode()


def test_a_wrong_password_is_refused_without_saying_which_part_is_wrong(client):
    call_command("load_demo_accounts", stdout=StringIO())
    response = client.post("/compte/login/", {"login": demo_email("partenaire"), "password": "nope"})
    unknown = client.post("/compte/login/", {"login": "personne@demo.pf2s.invalid", "password": "nope"})
    assert response.status_code == unknown.status_code == 200

    def page(r, email):  # the same page but for the address typed and the CSRF token
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode().replace(email, "X"))

    wrong, nobody = page(response, demo_email("partenaire")), page(unknown, "personne@demo.pf2s.invalid")
    assert "incorrect" in wrong
    assert wrong == nobody


# --- Outside the quick start (issue 11, finding 1) ---------------------------------------------

DEMO_COMMANDS = ["load_demo_accounts", "load_demo_data", "load_community", "demo_totp"]


@pytest.mark.parametrize("command", DEMO_COMMANDS)
def test_demo_commands_refuse_to_run_outside_the_quick_start(command, settings):
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    settings.PF2S_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="démarrage rapide"):
        call_command(command, stdout=StringIO())
    assert not get_user_model().objects.filter(email__endswith="@demo.pf2s.invalid").exists()


def test_the_production_settings_refuse_the_demo_accounts():
    """As an operator would type it on the server: the command fails and says why."""
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pf2s.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "pf2s.example.org",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15",
        "DATABASE_URL": "sqlite:////nonexistent/never-opened.db",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "load_demo_accounts"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Contenus de démonstration refusés" in done.stderr
    assert "demo-pf2s-2026" not in done.stdout + done.stderr


def test_forcing_is_explicit_and_the_deploy_check_then_fails_until_they_are_removed(settings):
    from django.core.checks import run_checks

    settings.PF2S_DEMO_ALLOWED = False
    call_command("load_demo_accounts", "--force-demo", stdout=StringIO())
    errors = [m for m in run_checks(include_deployment_checks=True) if m.id == "pf2s.E001"]
    assert len(errors) == 1 and "admin@demo.pf2s.invalid" in errors[0].msg
    out = StringIO()
    call_command("remove_demo_accounts", stdout=out)
    assert "5 compte(s)" in out.getvalue()
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "pf2s.E001"]


def test_a_demo_account_left_behind_cannot_log_in_outside_the_quick_start(client, settings):
    call_command("load_demo_accounts", stdout=StringIO())
    settings.PF2S_DEMO_ALLOWED = False
    response = client.post("/compte/login/", {"login": demo_email("admin"), "password": DEMO_PASSWORD}, follow=True)
    assert "Les comptes de démonstration sont désactivés sur ce site." in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session
