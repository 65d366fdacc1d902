"""The XML sitemap: what an anonymous visitor may reach, and nothing else.
Indicators come from the published-data layer as seen by the public."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class PagesSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return [
            "home",
            "indicator-catalogue",
            "comparison",
            "opendata",
            "territory-index",
            "api-docs",
            "publications-index",
            "revue-index",
            "observatories-club",
            "working-groups",
            "observatories-index",
            "newsletter-index",
            "sitemap-page",
            "legal-notice",
            "accessibility",
        ]

    def location(self, item):
        return reverse(item)


class IndicatorSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        from indicators.readers import ANONYMOUS
        from indicators.reading import indicators_visible

        return list(indicators_visible(ANONYMOUS).order_by("code"))

    def location(self, item):
        return reverse("indicator-detail", args=[item.code])

    def lastmod(self, item):
        from indicators.snapshot_store import current_snapshot

        snapshot = current_snapshot()
        return snapshot.published_at if snapshot else None


class TerritorySitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.5

    def items(self):
        from indicators.choices import TerritoryLevel
        from indicators.models import Territory

        return list(
            Territory.objects.filter(level__in=[TerritoryLevel.REGION, TerritoryLevel.DEPARTEMENT, TerritoryLevel.EPCI])
            .order_by("level", "code")
            .only("level", "code")
        )

    def location(self, item):
        return reverse("territory-detail", args=[item.level, item.code])


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        from publications.models import Article

        return Article.objects.public().order_by("-publish_at")

    def lastmod(self, item):
        return item.updated_at


class RevueSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.6

    def items(self):
        from publications.models import RevueIssue

        return RevueIssue.objects.filter(is_public=True)


class CommunitySitemap(Sitemap):
    """Observatories, working groups and events: public pages of the community."""

    changefreq = "monthly"
    priority = 0.5

    def items(self):
        from observatories.models import Event, Observatory, WorkingGroup

        return [
            *Observatory.objects.order_by("slug"),
            *WorkingGroup.objects.order_by("slug"),
            *Event.objects.order_by("slug"),
        ]


SITEMAPS = {
    "pages": PagesSitemap,
    "communaute": CommunitySitemap,
    "indicateurs": IndicatorSitemap,
    "territoires": TerritorySitemap,
    "publications": ArticleSitemap,
    "revue": RevueSitemap,
}
