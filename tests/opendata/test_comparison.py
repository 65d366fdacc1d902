"""Comparing territories side by side."""

from __future__ import annotations

from html import unescape

import pytest

pytestmark = pytest.mark.django_db
URL = "/comparer/?indicators=SOI-01,ALL-01&territories=departement:80,epci:248000531,commune:80021"


def test_it_compares_territories_with_the_references(client, published):
    html = unescape(client.get(URL).content.decode())
    assert "Médecins généralistes (pour 10 000, 2022)" in html
    for name in ("Somme", "Communauté d'agglomération Amiens Métropole", "Hauts-de-France", "France"):
        assert f'<th scope="row">{name}</th>' in html
    assert '<th scope="row">Amiens</th>' not in html  # communes are for partners


def test_partners_compare_communes(client, published, personas):
    client.force_login(personas.partner_a)
    html = unescape(client.get(URL).content.decode())
    assert '<th scope="row">Amiens</th>' in html
