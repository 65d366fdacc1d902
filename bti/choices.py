from __future__ import annotations

from django.db import models


class MemberRole(models.TextChoices):
    ORGANISATION_ADMIN = "org_admin", "Administrateur de l'organisation"
    ANALYST = "analyst", "Analyste"
