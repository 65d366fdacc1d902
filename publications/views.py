"""Publications: the quarterly revue, articles and news."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from pf2s.access import Audience, audience
from pf2s.numbers import whole_number

from . import selectors, services
from .choices import ArticleKind, ArticleState, Rubrique, Theme
from .models import Article
from .uploads import safe_file_response


@audience(Audience.PUBLIC)
def publication_index(request: HttpRequest):
    """Articles and news, filtered by theme, rubrique, kind, year and words."""
    filters = {key: request.GET.get(key, "").strip()[:100] for key in ("theme", "rubrique", "kind", "year", "q")}
    articles = selectors.articles_public(
        theme=filters["theme"],
        rubrique=filters["rubrique"],
        kind=filters["kind"],
        year=filters["year"],
        query=filters["q"],
    )
    page = Paginator(articles, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "publications/index.html",
        {
            "page": page,
            "filters": filters,
            "themes": Theme.choices,
            "rubriques": Rubrique.choices,
            "kinds": ArticleKind.choices,
            "latest_issue": selectors.revue_issues_public().first(),
        },
    )


@audience(Audience.PUBLIC)
def article_detail(request: HttpRequest, slug: str):
    editor = request.reader.editor
    article = selectors.article_for_reader(slug=slug, may_preview=editor)
    if article.is_public:
        services.article_view_record(article_id=article.pk)
    return render(
        request,
        "publications/article.html",
        {
            "article": article,
            "figures": selectors.article_figures(reader=request.reader, article=article),
            "related": [a for a in article.related.all() if a.is_public],
        },
    )


@audience(Audience.PUBLIC)
def revue_index(request: HttpRequest):
    return render(request, "publications/revue_index.html", {"issues": selectors.revue_issues_public()})


@audience(Audience.PUBLIC)
def revue_issue(request: HttpRequest, number: int):
    issue = selectors.revue_issue_get(number=number)
    return render(
        request,
        "publications/revue_issue.html",
        {"issue": issue, "articles": issue.articles.public().order_by("rubrique", "title")},
    )


@audience(Audience.PUBLIC)
def revue_pdf(request: HttpRequest, number: int):
    issue = selectors.revue_issue_get(number=number)
    return safe_file_response(issue.pdf, f"pf2s-revue-{issue.number}.pdf", inline=True)


@audience(Audience.PUBLIC)
def revue_cover(request: HttpRequest, number: int):
    issue = selectors.revue_issue_get(number=number)
    return safe_file_response(issue.cover, f"pf2s-revue-{issue.number}-couverture", inline=True)


@audience(Audience.PUBLIC)
def article_image(request: HttpRequest, slug: str):
    article = get_object_or_404(Article.objects.public(), slug=slug)
    return safe_file_response(article.image, f"{article.slug}-illustration", inline=True)


@audience(Audience.EDITOR)
def editor_dashboard(request: HttpRequest):
    """The editors' entry point: what waits, and the year's most read."""
    year_text = request.GET.get("year", "")
    year = whole_number(year_text)
    year = year if year and 2000 <= year <= 2100 else timezone.localdate().year
    return render(
        request,
        "publications/editor_dashboard.html",
        {
            "year": year,
            "top": selectors.top_articles(year=year),
            "drafts": Article.objects.filter(state=ArticleState.DRAFT).count(),
            "scheduled": Article.objects.filter(state=ArticleState.SCHEDULED, publish_at__gt=timezone.now()).count(),
        },
    )


class ArticlesFeed(Feed):
    title = "PF2S — publications de la Plateforme sanitaire et sociale Hauts-de-France"
    link = "/publications/"
    description = "Articles, actualités et revue de la plateforme."

    def items(self):
        return Article.objects.public()[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.chapo

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_theme_display()]


class ArticlesAtomFeed(ArticlesFeed):
    feed_type = Atom1Feed
    subtitle = ArticlesFeed.description


rss_feed = audience(Audience.PUBLIC)(ArticlesFeed())
atom_feed = audience(Audience.PUBLIC)(ArticlesAtomFeed())
