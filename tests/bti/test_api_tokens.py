"""Personal API tokens: the same data as the screens, with the same rights,
revocable at once, never stored in clear."""

from __future__ import annotations

import pytest

from bti.models import ApiToken
from tests.bti.tokens import bearer, create_token
from tests.geography import HDF

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def test_a_trained_partner_reads_commune_values_with_a_token(client, published, personas):
    key = create_token(client, personas.partner_a)
    rows = client.get("/api/v1/indicators/ALL-01/values/?level=commune&period=2021", **bearer(key)).json()
    assert len(rows) == HDF.communes and {r["level"] for r in rows} == {"commune"}
    assert any(r["status"] == "secret" and r["numerator"] is None for r in rows)
    assert "ALL-02" in {i["code"] for i in client.get("/api/v1/indicators/", **bearer(key)).json()}
    # the anonymous answer to the same URL, cached just before, is not served to the token
    anonymous = client.get("/api/v1/indicators/", HTTP_AUTHORIZATION="")
    assert "ALL-02" not in {i["code"] for i in anonymous.json()}
    assert "ALL-02" in {i["code"] for i in client.get("/api/v1/indicators/", **bearer(key)).json()}


def test_the_key_is_shown_once_and_only_its_hash_is_kept(client, personas):
    key = create_token(client, personas.partner_a)
    token = ApiToken.objects.get(user=personas.partner_a)
    assert key not in (token.key_hash, token.prefix) and key.startswith(f"pf2s_{token.prefix}_")
    client.force_login(personas.partner_a)
    page = client.get("/bti/api/jetons/").content.decode()
    assert key not in page and f"pf2s_{token.prefix}_" in page


def test_an_untrained_member_gets_no_token(client, published, personas):
    client.force_login(personas.partner_a_untrained)
    page = client.post("/bti/api/jetons/", {"name": "script mensuel"}, follow=True).content.decode()
    assert "réservés aux membres formés" in page and 'id="new-token"' not in page
    assert not ApiToken.objects.filter(user=personas.partner_a_untrained).exists()
    offered = client.get("/bti/api/jetons/").content.decode()  # the page offers the training, not a form that fails
    assert "Créer un jeton" not in offered and "prochaines sessions de formation" in offered


def test_a_token_has_its_owners_rights_no_more(client, published, personas):
    key = create_token(client, personas.partner_b)
    client.logout()
    assert client.get("/api/v1/indicators/ALL-01/values/?level=commune", **bearer(key)).status_code == 200
    membership = personas.partner_b.membership
    membership.trained_on = None  # no longer trained: the token reads public data only
    membership.save()
    refused = client.get("/api/v1/indicators/ALL-01/values/?level=commune", **bearer(key))
    assert refused.status_code == 400 and "partenaires formés" in refused.json()["detail"]


def test_a_revoked_or_unknown_token_is_refused_with_a_reason(client, published, personas):
    key = create_token(client, personas.partner_a)
    assert client.get("/api/v1/indicators/", **bearer(key)).status_code == 200
    client.force_login(personas.partner_a)
    token = ApiToken.objects.get(user=personas.partner_a)
    response = client.post("/bti/api/jetons/", {"revoke": token.pk}, follow=True)
    assert "révoqué" in response.content.decode()
    client.logout()
    refused = client.get("/api/v1/indicators/", **bearer(key))
    assert refused.status_code == 401 and "révoqué" in refused.json()["detail"]
    assert client.get("/api/v1/indicators/", **bearer("pf2s_nope_nope")).status_code == 401
    basic = client.get("/api/v1/indicators/", HTTP_AUTHORIZATION="Basic YWxpY2U6cGFzc3dvcmQ=")
    assert basic.status_code == 401 and "Bearer" in basic.json()["detail"]


def test_nobody_revokes_someone_elses_token(client, personas):
    create_token(client, personas.partner_a)
    token = ApiToken.objects.get(user=personas.partner_a)
    client.force_login(personas.partner_b)
    client.post("/bti/api/jetons/", {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_deactivated_member_token_opens_nothing_more(client, published, personas):
    from bti.services import user_deactivate

    key = create_token(client, personas.partner_a)
    user_deactivate(user=personas.partner_a)
    assert client.get("/api/v1/indicators/", **bearer(key)).status_code == 401


def test_a_token_opens_the_api_only(client, published, personas):
    key = create_token(client, personas.admin)
    assert client.get("/api/v1/indicators/", **bearer(key)).status_code == 200
    for page in ("/bti/", "/admin/", "/bti/gestion/statistiques/"):
        response = client.get(page, **bearer(key))
        assert response.status_code == 302 and response["Location"].startswith(("/compte/login/", "/admin/login/"))


def test_own_territories_through_the_api_with_the_same_protection(client, published, personas):
    from bti.readers import reader_for_user
    from bti.services import own_territory_create

    territory = own_territory_create(
        reader=reader_for_user(personas.partner_a), name="Bassin", commune_codes=["80021", "80001", "80002", "80003"]
    )
    key = create_token(client, personas.partner_a)
    rows = client.get(f"/api/v1/indicators/SOI-01/values/?own={territory.pk}", **bearer(key)).json()
    assert rows and {r["territory_name"] for r in rows} == {"Bassin"} and "reason" in rows[0]
    other = create_token(client, personas.partner_b)
    assert client.get(f"/api/v1/indicators/SOI-01/values/?own={territory.pk}", **bearer(other)).status_code == 404
    assert client.get(f"/api/v1/indicators/SOI-01/values/?own={territory.pk}").status_code == 404
    assert client.get("/api/v1/indicators/SOI-01/values/?own=abc", **bearer(key)).status_code == 400


def test_a_demo_accounts_token_is_refused_outside_the_quick_start(client, published, settings):
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bti.readers import reader_for_user
    from bti.services import api_token_create

    call_command("load_demo_accounts", stdout=StringIO())
    _, key = api_token_create(
        reader=reader_for_user(get_user_model().objects.get(email="partenaire@demo.pf2s.invalid")), name="démo"
    )
    assert client.get("/api/v1/indicators/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    settings.PF2S_DEMO_ALLOWED = False
    refused = client.get("/api/v1/indicators/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert refused.status_code == 401 and "démonstration" in refused.json()["detail"]
