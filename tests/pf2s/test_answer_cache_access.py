"""The API's cached answers never outlive the access they were given for:
an indicator restricted, a grant withdrawn or an own territory deleted
changes the next answer, for a URL already asked."""

from __future__ import annotations

import pytest

from bti.readers import reader_for_user
from bti.services import own_territory_create, own_territory_delete
from indicators.models import Indicator

pytestmark = pytest.mark.django_db


def test_a_restricted_indicator_leaves_the_public_s_cached_answers(client, published, fresh_cache):
    url = "/api/v1/indicators/EMP-01/values/?level=region"
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # now served from the cache
    revenue = Indicator.objects.get(code="EMP-01")
    revenue.access = "partners"
    revenue.save()
    assert client.get(url).status_code == 404


def test_a_withdrawn_grant_and_a_deleted_territory_end_cached_answers(client, published, personas, fresh_cache):
    revenue = Indicator.objects.get(code="EMP-01")
    revenue.access = "organisations"
    revenue.save()
    personas.org_a.indicators.add(revenue)
    client.force_login(personas.partner_a)
    url = "/api/v1/indicators/EMP-01/values/?level=region"
    assert client.get(url).status_code == 200
    personas.org_a.indicators.remove(revenue)
    assert client.get(url).status_code == 404

    territory = own_territory_create(
        reader=reader_for_user(personas.partner_a), name="Deux communes", commune_codes=["80021", "80001"]
    )
    own = f"/api/v1/indicators/ALL-01/values/?own={territory.pk}"
    assert client.get(own).status_code == 200
    own_territory_delete(reader=reader_for_user(personas.partner_a), territory_id=territory.pk)
    assert client.get(own).status_code == 404
