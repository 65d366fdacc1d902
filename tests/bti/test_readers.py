"""Who is asking, resolved from an account once per request: memberships,
training, deactivation, the editors' group, grants and API tokens."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from bti.readers import ReaderMiddleware, reader_for_user
from indicators.models import Indicator
from indicators.readers import ANONYMOUS

pytestmark = pytest.mark.django_db


def test_each_persona_is_read_as_it_is(personas):
    assert reader_for_user(None) is ANONYMOUS
    partner = reader_for_user(personas.partner_a)
    assert partner.is_partner and partner.organisation_id == personas.org_a.pk and not partner.editor
    untrained = reader_for_user(personas.partner_a_untrained)
    assert untrained.is_member and not untrained.is_partner
    assert not partner.organisation_admin and reader_for_user(personas.partner_a_admin).organisation_admin
    editor = reader_for_user(personas.editor)
    assert editor.editor and editor.staff and not editor.is_member and not editor.is_partner
    admin = reader_for_user(personas.admin)
    assert admin.superuser and admin.is_partner and admin.organisation_id is None
    assert not reader_for_user(personas.subscriber).is_member


def test_deactivation_takes_access_away(personas):
    personas.org_a.is_active = False
    personas.org_a.save()
    assert not reader_for_user(personas.partner_a).is_member
    personas.partner_b.is_active = False
    personas.partner_b.save()
    assert reader_for_user(personas.partner_b).organisation_id is None


def test_only_a_trained_member_carries_the_organisation_s_grants(published, personas):
    revenue = Indicator.objects.get(code="EMP-01")
    personas.org_a.indicators.add(revenue)
    assert reader_for_user(personas.partner_a).granted == {revenue.pk}
    assert reader_for_user(personas.partner_a_untrained).granted == frozenset()
    assert reader_for_user(personas.partner_b).granted == frozenset()


def test_a_request_without_credentials_is_the_public_without_a_query(django_assert_num_queries, personas):
    seen = {}
    middleware = ReaderMiddleware(lambda request: seen.setdefault("reader", request.reader))
    with django_assert_num_queries(0):
        middleware(RequestFactory().get("/"))
    assert seen["reader"] is ANONYMOUS
