"""Writes of the publications app."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .choices import ArticleState
from .models import Article, ArticleViews


@transaction.atomic
def article_view_record(*, article_id: int) -> None:
    """One reading: the article's total and the day's count."""
    Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)
    today = timezone.localdate()
    updated = ArticleViews.objects.filter(article_id=article_id, day=today).update(count=F("count") + 1)
    if not updated:
        ArticleViews.objects.get_or_create(article_id=article_id, day=today, defaults={"count": 1})


def articles_publish_due() -> int:
    """Scheduled articles whose date has come become published (bookkeeping:
    readers see them on time anyway)."""
    return Article.objects.filter(state=ArticleState.SCHEDULED, publish_at__lte=timezone.now()).update(
        state=ArticleState.PUBLISHED
    )
