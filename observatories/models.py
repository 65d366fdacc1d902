"""The region's observatories, the Club de l'observation, working groups and
the platform's annual day."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from publications.choices import Theme
from publications.sanitise import sanitise
from publications.uploads import validate_pdf

from .choices import GroupStatus, ObservatoryTheme


class Observatory(models.Model):
    name = models.CharField("nom", max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    theme = models.CharField("thème", max_length=20, choices=ObservatoryTheme.choices)
    departement = models.ForeignKey(
        "indicators.Territory",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "departement"},
        verbose_name="département",
    )
    commune = models.ForeignKey(
        "indicators.Territory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"level": "commune"},
        verbose_name="commune du siège",
    )
    host = models.CharField("structure porteuse", max_length=200)
    website = models.URLField("site", blank=True)
    description = models.TextField(blank=True)
    club_member = models.BooleanField("membre du Club de l'observation", default=False)
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    class Meta:
        verbose_name = "observatoire"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("observatory-detail", args=[self.slug])


class ClubMeeting(models.Model):
    date = models.DateField()
    place = models.CharField("lieu", max_length=200)
    topic = models.CharField("thème", max_length=250)
    summary = models.TextField("compte rendu", blank=True)

    class Meta:
        verbose_name = "réunion du Club de l'observation"
        verbose_name_plural = "réunions du Club de l'observation"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.topic}"


class SharedSource(models.Model):
    """An open-data source the Club's members share."""

    name = models.CharField("nom", max_length=200)
    provider = models.CharField("producteur", max_length=200)
    url = models.URLField()
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = "source partagée"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkingGroup(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField("nom", max_length=200)
    theme = models.CharField("thème", max_length=20, choices=Theme.choices)
    launched_on = models.DateField("lancé le")
    status = models.CharField("état", max_length=10, choices=GroupStatus.choices, default=GroupStatus.ACTIVE)
    organisations = models.ManyToManyField(
        "bti.Organisation", blank=True, related_name="working_groups", verbose_name="organisations membres"
    )
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = "groupe de travail"
        verbose_name_plural = "groupes de travail"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("working-group-detail", args=[self.slug])


class GroupDocument(models.Model):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField("titre", max_length=200)
    file = models.FileField("fichier PDF", upload_to="groupes/", validators=[validate_pdf])
    published_on = models.DateField("date")

    class Meta:
        verbose_name = "document de groupe"
        ordering = ["-published_on"]

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    """The platform's annual day (or another event): programme and registration."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField("titre", max_length=200)
    date = models.DateField()
    place = models.CharField("lieu", max_length=200)
    programme = models.TextField("programme", blank=True, help_text="HTML nettoyé à l'enregistrement.")
    capacity = models.PositiveIntegerField("places", default=100)
    registration_open = models.BooleanField("inscriptions ouvertes", default=False)

    class Meta:
        verbose_name = "événement"
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.programme = sanitise(self.programme)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("event-detail", args=[self.slug])


class EventRegistration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField("nom", max_length=150)
    email = models.EmailField("adresse")
    organisation = models.CharField("structure", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "inscription à un événement"
        constraints = [models.UniqueConstraint(fields=["event", "email"], name="event_registration_once")]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"
