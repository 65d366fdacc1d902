"""Demonstration articles of the quick start (see pf2s.demo)."""

from __future__ import annotations

from django.utils import timezone

from .choices import ArticleState
from .models import Article


def demo_articles_create() -> int:
    """A revue issue and a few articles for the quick start, titled as
    demonstration content. Idempotent."""
    import datetime as dt

    from indicators.models import Indicator

    from .models import RevueIssue

    issue, _ = RevueIssue.objects.get_or_create(
        number=1,
        defaults={
            "published_on": dt.date(2026, 10, 1),
            "title": "Démonstration : la revue de rentrée",
            "is_public": True,
            "summary": (
                "Région : les allocataires de l'AAH\\nFocus : la densité médicale\\nAgenda : la journée annuelle"
            ),
        },
    )
    now = timezone.now()
    articles = [
        ("demo-aah", "Démonstration : un allocataire de l'AAH sur trente", "allocations", "social", "region", "ALL-01"),
        (
            "demo-densite-medicale",
            "Démonstration : la densité de médecins généralistes",
            "offre",
            "sante",
            "focus",
            "SOI-01",
        ),
        ("demo-journee-annuelle", "Démonstration : la journée annuelle 2027", "agenda", "social", "agenda", None),
    ]
    created = 0
    for n, (slug, title, _topic, theme, rubrique, code) in enumerate(articles):
        article, new = Article.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "theme": theme,
                "rubrique": rubrique,
                "issue": issue,
                "state": ArticleState.PUBLISHED,
                "publish_at": now - dt.timedelta(days=10 * (n + 1)),
                "chapo": "Article de démonstration : il illustre la mise en page des publications.",
                "body": (
                    "<p>Contenu de démonstration. Les chiffres affichés à côté viennent de l'instantané publié.</p>"
                ),
            },
        )
        if new and code:
            article.indicators.set(Indicator.objects.filter(code=code))
        created += new
    return created
