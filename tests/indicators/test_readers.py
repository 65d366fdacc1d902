"""The one access rule, on reader values alone (no database): which
indicators, levels, own territories and URL audiences each reader gets."""

from __future__ import annotations

import pytest
from django.db.models import Q

from indicators.readers import (
    ANONYMOUS,
    Reader,
    indicator_filter,
    indicator_levels,
    may_reach,
    own_territories_organisation,
    territory_levels,
)

PUBLIC_LEVELS = {"france", "region", "departement", "epci"}
UNTRAINED = Reader(user_id=2, organisation_id=7)
PARTNER = Reader(user_id=3, organisation_id=7, trained=True, granted=frozenset({11, 12}))
ORGANISATION_ADMIN = Reader(user_id=9, organisation_id=7, trained=True, organisation_admin=True)
#: an organisation admin's role left on a reader without an organisation opens nothing
ROLE_WITHOUT_ORGANISATION = Reader(user_id=10, organisation_admin=True)
EDITOR = Reader(user_id=4, editor=True, staff=True)
STAFF = Reader(user_id=5, staff=True)
SUPERUSER = Reader(user_id=6, superuser=True, staff=True, editor=True)
LONE_ACCOUNT = Reader(user_id=8)


@pytest.mark.parametrize(
    "reader, audiences",
    [
        (ANONYMOUS, {"public"}),
        (LONE_ACCOUNT, {"public"}),
        (UNTRAINED, {"public", "partner"}),
        (PARTNER, {"public", "partner"}),
        (ORGANISATION_ADMIN, {"public", "partner", "organisation_admin"}),
        (ROLE_WITHOUT_ORGANISATION, {"public"}),
        (EDITOR, {"public", "editor", "admin"}),
        (STAFF, {"public", "admin"}),
        (SUPERUSER, {"public", "partner", "editor", "admin"}),
    ],
)
def test_each_reader_reaches_its_audiences_and_no_unknown_one(reader, audiences):
    audiences_known = ("public", "partner", "organisation_admin", "editor", "admin", "other")
    assert {a for a in audiences_known if may_reach(reader, a)} == audiences


def test_only_trained_partners_and_superusers_see_beyond_the_public():
    for reader in (ANONYMOUS, LONE_ACCOUNT, UNTRAINED, EDITOR, STAFF):
        assert not reader.is_partner and reader.audience_key == "public"
        assert set(territory_levels(reader)) == PUBLIC_LEVELS
        assert indicator_filter(reader) == Q(access="open")
        assert own_territories_organisation(reader) is None
    assert PARTNER.audience_key == "partner:7" and own_territories_organisation(PARTNER) == 7
    assert SUPERUSER.audience_key == "partner:all:" and indicator_filter(SUPERUSER) == Q()
    assert Reader(user_id=9, superuser=True, organisation_id=7).audience_key == "partner:all:7"
    assert {"commune", "territoire_demonstrateur"} <= set(territory_levels(PARTNER))


def test_a_partner_sees_partner_indicators_and_only_its_organisation_s_grants():
    rule = indicator_filter(PARTNER)
    assert rule == Q(access__in=["open", "partners"]) | Q(access="organisations", pk__in=[11, 12])


def test_an_indicator_s_levels_start_with_france_and_stop_at_the_public_ones():
    levels = ["region", "departement", "epci", "commune"]
    assert indicator_levels(ANONYMOUS, levels) == ["france", "region", "departement", "epci"]
    assert indicator_levels(PARTNER, levels) == ["france", *levels]
