"""Partner organisations and their members. Access to the BTI needs an active
membership; querying it needs recorded training (see bti.selectors)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .choices import MemberRole, OrganisationFamily


class Organisation(models.Model):
    """A partner institution of the platform (ARS, Région, Caf…)."""

    name = models.CharField("nom", max_length=200, unique=True)
    short_name = models.CharField("sigle", max_length=40, unique=True)
    family = models.CharField("famille", max_length=30, choices=OrganisationFamily.choices,
                              default=OrganisationFamily.ETABLISSEMENT)
    charter_signed_on = models.DateField("charte d'engagement signée le", null=True, blank=True)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        verbose_name = "organisation partenaire"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Membership(models.Model):
    """A user's membership of a partner organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=20, choices=MemberRole.choices, default=MemberRole.ANALYST)
    is_active = models.BooleanField("actif", default=True)
    trained_on = models.DateField(
        "formation suivie le", null=True, blank=True,
        help_text="Date de la demi-journée de formation à la BTI ; sans elle, pas de requête.",
    )

    class Meta:
        verbose_name = "membre"

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"

    @property
    def is_trained(self) -> bool:
        return self.trained_on is not None
