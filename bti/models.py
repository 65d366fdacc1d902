"""Partner organisations and their members. Access to the BTI needs an active
membership; querying it needs recorded training (see bti.selectors)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .choices import ActivityKind, MemberRole, OrganisationFamily, TrainingMode


class Organisation(models.Model):
    """A partner institution of the platform (ARS, Région, Caf…)."""

    name = models.CharField("nom", max_length=200, unique=True)
    short_name = models.CharField("sigle", max_length=40, unique=True)
    family = models.CharField(
        "famille", max_length=30, choices=OrganisationFamily.choices, default=OrganisationFamily.ETABLISSEMENT
    )
    charter_signed_on = models.DateField("charte d'engagement signée le", null=True, blank=True)
    is_active = models.BooleanField("active", default=True)
    indicators = models.ManyToManyField(
        "indicators.Indicator",
        blank=True,
        related_name="granted_to",
        verbose_name="indicateurs réservés accordés",
        help_text="Indicateurs à l'accès « organisations désignées » que les membres formés de l'organisation voient.",
    )

    class Meta:
        verbose_name = "organisation partenaire"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Membership(models.Model):
    """A user's membership of a partner organisation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=20, choices=MemberRole.choices, default=MemberRole.ANALYST)
    is_active = models.BooleanField("actif", default=True)
    trained_on = models.DateField(
        "formation suivie le",
        null=True,
        blank=True,
        help_text="Date de la demi-journée de formation à la BTI ; sans elle, pas de requête.",
    )

    class Meta:
        verbose_name = "membre"

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"

    @property
    def is_trained(self) -> bool:
        return self.trained_on is not None


class Invitation(models.Model):
    """An organisation admin's invitation of an address. The admin sees the
    same pending row whether the address was new (an account was created, its
    owner chooses a password) or already had an account elsewhere (its owner
    was told, the platform's team attaches it): nothing about addresses
    outside the organisation is revealed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=MemberRole.choices, default=MemberRole.ANALYST)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        # one pending invitation per address and organisation; after it closes, a new one may follow
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_pending_once_per_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class TrainingSession(models.Model):
    """A half-day training to the BTI. A member may query the BTI once their
    attendance at one session is recorded."""

    starts_at = models.DateTimeField("début")
    duration_hours = models.DecimalField("durée (heures)", max_digits=3, decimal_places=1, default=3.5)
    mode = models.CharField("modalité", max_length=10, choices=TrainingMode.choices, default=TrainingMode.ON_SITE)
    place = models.CharField("lieu ou lien de visio", max_length=300)
    capacity = models.PositiveSmallIntegerField("places", default=12)
    notes = models.TextField("informations pratiques", blank=True)

    class Meta:
        verbose_name = "session de formation"
        verbose_name_plural = "sessions de formation"
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=models.Q(capacity__gte=1), name="training_capacity_positive")]

    def __str__(self) -> str:
        return f"Formation BTI du {self.starts_at:%d/%m/%Y} ({self.get_mode_display().lower()})"


class TrainingRegistration(models.Model):
    """A member's registration to a session, then their recorded attendance."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_registrations")
    registered_at = models.DateTimeField("inscrit le", auto_now_add=True)
    attended = models.BooleanField("présent", null=True, help_text="Vide tant que la présence n'est pas relevée.")
    attendance_recorded_at = models.DateTimeField("présence relevée le", null=True, blank=True)

    class Meta:
        verbose_name = "inscription à une formation"
        verbose_name_plural = "inscriptions aux formations"
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="training_registration_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.session}"


class ApiToken(models.Model):
    """A personal, revocable key to the API with its owner's rights. Only a
    hash is kept: the key is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=100, help_text="À quoi sert ce jeton (script, tableau de bord…)")
    prefix = models.CharField("début de la clé", max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ActivityEvent(models.Model):
    """One login, query or export by a member, for the platform's activity
    figures per organisation and month (kept even if the account goes)."""

    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.SET_NULL, related_name="activity")
    channel = models.CharField(max_length=10, blank=True, help_text="page, api ou jeton")
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "activité"
        indexes = [models.Index(fields=["organisation", "kind", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.organisation} — {self.at:%Y-%m-%d %H:%M}"


class OwnTerritory(models.Model):
    """A territory an organisation builds from communes (or whole EPCI), shared
    by its members. Its communes are those of its current version; editing
    them makes a new version (the old one stays in the secrecy audit), and a
    deleted territory is only marked so. Figures: indicators.reading."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="own_territories")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField("nom", max_length=120)
    description = models.TextField(blank=True)
    version = models.ForeignKey(
        "indicators.OwnTerritoryVersion", on_delete=models.PROTECT, related_name="+", verbose_name="version en service"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    deleted_at = models.DateTimeField("supprimé le", null=True, blank=True)

    class Meta:
        verbose_name = "territoire personnalisé"
        verbose_name_plural = "territoires personnalisés"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], condition=models.Q(deleted_at=None), name="own_territory_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """How tables, exports and the API name it."""
        return f"perso-{self.pk}"


class SavedQuery(models.Model):
    """A table à la carte kept by a member, shared within the organisation
    if they wish; reopened by its permalink."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_queries")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="saved_queries")
    name = models.CharField("nom", max_length=120)
    query = models.TextField("paramètres")
    shared = models.BooleanField("partagée avec mon organisation", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "requête enregistrée"
        verbose_name_plural = "requêtes enregistrées"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
