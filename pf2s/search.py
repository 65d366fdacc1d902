"""The site-wide search: every kind of content a reader may see, each
through its own app's access rule (indicators through the published-data
layer). Apps add their kind here; nothing is searched around its rule."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

LIMIT = 25


@dataclass
class SearchResults:
    query: str
    indicators: list = field(default_factory=list)
    territories: list = field(default_factory=list)
    articles: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.indicators) + len(self.territories) + len(self.articles)


def site_search(*, reader, query: str) -> SearchResults:
    from indicators.choices import TerritoryLevel
    from indicators.models import Territory
    from opendata.filters import catalogue

    query = " ".join(query.split())[:200]
    results = SearchResults(query=query)
    if len(query) < 2:
        return results
    results.indicators = [
        {
            "code": i.code,
            "label": i.label,
            "category": i.category.name,
            "unit": i.unit,
            "url": reverse("indicator-detail", args=[i.code]),
        }
        for i in catalogue(reader=reader, data={"q": query}).qs[:LIMIT]
    ]
    rank = {level.value: n for n, level in enumerate(TerritoryLevel)}
    territories = sorted(
        Territory.objects.matching(query).only("level", "code", "name", "population")[:200],
        key=lambda t: (rank.get(t.level, 99), -(t.population or 0), t.name),
    )
    results.territories = [
        {
            "name": t.name,
            "code": t.code,
            "level": t.get_level_display(),
            "url": reverse("territory-detail", args=[t.level, t.code]),
        }
        for t in territories[:LIMIT]
    ]
    from publications.selectors import articles_public

    results.articles = [
        {"title": a.title, "url": a.get_absolute_url(), "date": a.publish_at, "theme": a.get_theme_display()}
        for a in articles_public(query=query)[:LIMIT]
    ]
    return results
