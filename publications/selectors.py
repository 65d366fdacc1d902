"""Reads of the publications app."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.shortcuts import get_object_or_404

from indicators.search import fold
from pf2s.numbers import whole_number

from .models import Article, ArticleViews, RevueIssue


def articles_public(*, theme: str = "", rubrique: str = "", kind: str = "", year: str = "", query: str = ""):
    articles = Article.objects.public().select_related("issue")
    if theme:
        articles = articles.filter(theme=theme)
    if rubrique:
        articles = articles.filter(rubrique=rubrique)
    if kind:
        articles = articles.filter(kind=kind)
    if (year_number := whole_number(year)) is not None and 1900 <= year_number <= 2100:
        articles = articles.filter(publish_at__year=year_number)
    for word in fold(query).split()[:8]:
        articles = articles.filter(Q(title__icontains=word) | Q(chapo__icontains=word) | Q(body__icontains=word))
    return articles


def article_for_reader(*, slug: str, may_preview: bool) -> Article:
    """A public article; an editor may also preview a draft or a scheduled one."""
    articles = Article.objects.all() if may_preview else Article.objects.public()
    return get_object_or_404(articles.prefetch_related("indicators", "territories", "related"), slug=slug)


def article_figures(*, reader, article: Article) -> list[dict]:
    """The latest regional figure of each indicator the article relates to,
    from the current snapshot, as the reader may see it."""
    from indicators import reading

    figures = []
    for indicator in article.indicators.all():
        try:
            visible = reading.indicator_visible(reader, indicator.code)
            rows = reading.indicator_values(reader=reader, indicator=visible, level="region")
        except reading.AccessDenied:
            continue
        rows = rows[rows["status"] == "ok"].sort_values("period")
        if len(rows):
            last = rows.iloc[-1]
            figures.append(
                {
                    "indicator": visible,
                    "value": float(last["value"]),
                    "period": last["period"],
                    "territory": last["territory_name"],
                }
            )
    return figures


def revue_issues_public():
    return RevueIssue.objects.filter(is_public=True)


def revue_issue_get(*, number: int) -> RevueIssue:
    return get_object_or_404(RevueIssue, number=number, is_public=True)


def top_articles(*, year: int, limit: int = 10) -> list[dict]:
    rows = (
        ArticleViews.objects.filter(day__year=year)
        .values("article_id", "article__title", "article__slug")
        .annotate(total=Sum("count"))
        .order_by("-total", "article__title")[:limit]
    )
    return [{"title": r["article__title"], "slug": r["article__slug"], "views": r["total"]} for r in rows]
