"""An indicator restricted to named organisations is granted on the partner
side, in the organisations' admin; only the trained members of a granted
organisation see it, on the page and through the API."""

from __future__ import annotations

import re
from html import unescape

import pytest

from indicators.models import Indicator

pytestmark = pytest.mark.django_db


def test_the_organisation_admin_offers_only_restricted_indicators(client, published, personas):
    revenue = Indicator.objects.get(code="EMP-01")
    revenue.access = "organisations"
    revenue.save()
    client.force_login(personas.admin)
    html = unescape(client.get(f"/admin/bti/organisation/{personas.org_a.pk}/change/").content.decode())
    widget = html[html.index('name="indicators"') : html.index("</select>", html.index('name="indicators"'))]
    assert re.findall(r"<option value=\"(\d+)\"", widget) == [str(revenue.pk)]


def test_a_grant_opens_the_indicator_to_the_organisation_s_trained_members_only(client, published, personas):
    revenue = Indicator.objects.get(code="EMP-01")
    revenue.access = "organisations"
    revenue.save()
    personas.org_a.indicators.add(revenue)
    seen = {}
    for persona in ("anonymous", "partner_a_untrained", "partner_a", "partner_b", "editor"):
        client.logout()
        personas.log_in(client, persona)
        page = client.get("/indicateurs/EMP-01/").status_code
        api = "EMP-01" in {row["code"] for row in client.get("/api/v1/indicators/").json()}
        seen[persona] = (page, api)
    assert seen == {
        "anonymous": (404, False),
        "partner_a_untrained": (404, False),
        "partner_a": (200, True),
        "partner_b": (404, False),
        "editor": (404, False),
    }
