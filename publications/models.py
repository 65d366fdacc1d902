"""The quarterly revue and its articles, and news."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .choices import ArticleKind, ArticleState, Rubrique, Theme
from .sanitise import sanitise
from .uploads import validate_image, validate_pdf


class RevueIssue(models.Model):
    """One number of the quarterly revue of the platform."""

    number = models.PositiveIntegerField("numéro", unique=True)
    published_on = models.DateField("date de parution")
    title = models.CharField("titre", max_length=200)
    cover = models.FileField("couverture", upload_to="revue/couvertures/", blank=True, validators=[validate_image])
    pdf = models.FileField("PDF", upload_to="revue/pdf/", blank=True, validators=[validate_pdf])
    summary = models.TextField("sommaire", blank=True)
    is_public = models.BooleanField("en ligne", default=False)

    class Meta:
        verbose_name = "numéro de la revue"
        verbose_name_plural = "numéros de la revue"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Revue n° {self.number} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("revue-issue", args=[self.number])


class ArticleQuerySet(models.QuerySet):
    def public(self) -> ArticleQuerySet:
        """What readers see: published, or scheduled and due (no job needed
        for a scheduled article to appear on time)."""
        return self.filter(state__in=[ArticleState.PUBLISHED, ArticleState.SCHEDULED], publish_at__lte=timezone.now())


class Article(models.Model):
    """An article (possibly of a revue issue, in a rubrique) or a news item."""

    kind = models.CharField("nature", max_length=10, choices=ArticleKind.choices, default=ArticleKind.ARTICLE)
    title = models.CharField("titre", max_length=250)
    slug = models.SlugField(max_length=120, unique=True)
    chapo = models.TextField("chapô", blank=True)
    body = models.TextField("texte", blank=True, help_text="HTML nettoyé à l'enregistrement.")
    theme = models.CharField("thème", max_length=20, choices=Theme.choices)
    rubrique = models.CharField(max_length=20, choices=Rubrique.choices, blank=True)
    issue = models.ForeignKey(
        RevueIssue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name="numéro de la revue",
    )
    image = models.FileField("illustration", upload_to="articles/", blank=True, validators=[validate_image])
    image_alt = models.CharField("texte alternatif de l'illustration", max_length=250, blank=True)
    territories = models.ManyToManyField(
        "indicators.Territory", blank=True, related_name="articles", verbose_name="territoires"
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator",
        blank=True,
        related_name="articles",
        verbose_name="indicateurs",
        help_text="Leur dernier chiffre est affiché.",
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=False, verbose_name="Aussi sur PF2S")
    state = models.CharField("état", max_length=10, choices=ArticleState.choices, default=ArticleState.DRAFT)
    publish_at = models.DateTimeField("date de publication", null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="auteur",
    )
    view_count = models.PositiveIntegerField("lectures", default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "article"
        ordering = ["-publish_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(publish_at__isnull=False), name="article_publish_at_when_not_draft"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitise(self.body)
        if self.state == ArticleState.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("article-detail", args=[self.slug])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.state != ArticleState.DRAFT and self.publish_at is None:
            raise ValidationError({"publish_at": "Une date de publication est requise pour programmer ou publier."})
        if self.image and not self.image_alt:
            raise ValidationError({"image_alt": "Décrivez l'illustration (texte alternatif)."})

    @property
    def is_public(self) -> bool:
        return self.state != ArticleState.DRAFT and self.publish_at is not None and self.publish_at <= timezone.now()


class ArticleViews(models.Model):
    """Readings of an article per day (the editors' top 10 of a year)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="views_by_day")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "lectures du jour"
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="article_views_day_unique")]

    def __str__(self) -> str:
        return f"{self.article} — {self.day}: {self.count}"
