"""The catalogue page, its API endpoint and the site search find the same
indicators for the same question, whoever asks."""

from __future__ import annotations

import re
from html import unescape

import pytest

pytestmark = pytest.mark.django_db

QUERIES = [
    "q=mortalite",
    "q=MORTALITÉ",
    "q=médecins",
    "q=Mortalité prématurée",
    "q=allocataires",
    "category=mortalite",
    "category=allocations&q=aah",
    "level=epci",
    "level=commune",
    "period=2021",
    "period=2016-2020",
    "q=taux&level=departement&period=2016-2020",
    "source=cnaf",
]


def page_codes(client, query: str) -> list[str]:
    """The indicators the page lists, in its order, as a visitor reads them."""
    html = unescape(client.get(f"/indicateurs/?{query}").content.decode())
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r'<th scope="row"><a href="/indicateurs/([^/]+)/">', table)


def api_codes(client, query: str, name: str = "q") -> list[str]:
    response = client.get(f"/api/v1/indicators/?{query.replace('q=', f'{name}=')}")
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()]


@pytest.mark.parametrize("persona", ["anonymous", "partner_a_untrained", "partner_a"])
def test_the_page_and_the_api_find_the_same_indicators(client, published, personas, persona):
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    found_something = 0
    for query in QUERIES:
        on_page = page_codes(client, query)
        assert api_codes(client, query) == on_page, query
        assert api_codes(client, query, name="search") == on_page, query  # the API's first name for words
        found_something += bool(on_page)
    assert found_something >= len(QUERIES) - 2  # the queries do select something


def test_accents_case_and_levels_are_filtered_as_a_reader_expects(client, published, personas):
    assert page_codes(client, "q=MORTALITÉ") == ["MOR-01", "MOR-02", "MPR-01"]
    assert page_codes(client, "q=mortalite prematuree") == ["MPR-01"]
    assert page_codes(client, "") == page_codes(client, "q=") == page_codes(client, "q=%20")  # one order, bare or not
    assert page_codes(client, "period=2016-2020") == ["MOR-01", "MOR-02", "MPR-01"]
    assert set(page_codes(client, "category=mortalite")) == {"MOR-01", "MOR-02", "MPR-01"}
    assert page_codes(client, "level=commune") == []  # the public sees no commune figures
    client.force_login(personas.partner_a)
    assert "ALL-01" in page_codes(client, "level=commune")


def test_the_site_search_lists_the_catalogue_s_indicators(client, published):
    html = unescape(client.get("/recherche/?q=mortalite").content.decode())
    listed = set(re.findall(r'href="/indicateurs/([^/"]+)/"', html))
    assert set(page_codes(client, "q=mortalite")) <= listed


def test_a_bad_filter_is_explained_on_the_page_and_refused_by_the_api(client, published):
    html = unescape(client.get("/indicateurs/?category=nimporte&q=mortalite").content.decode())
    assert "Sélectionnez un choix valide" in html
    # the valid part of the question still answers
    assert page_codes(client, "category=nimporte&q=mortalite") == page_codes(client, "q=mortalite") != []
    response = client.get("/api/v1/indicators/?category=nimporte")
    assert response.status_code == 400 and "category : Sélectionnez un choix valide" in response.json()["detail"]
