from __future__ import annotations

from django.db import models


class ObservatoryTheme(models.TextChoices):
    SANTE = "sante", "Santé"
    SOCIAL = "social", "Social"
    MEDICO_SOCIAL = "medico_social", "Médico-social"
    FORMATION = "formation", "Formation"
    POLITIQUE_VILLE = "politique_ville", "Politique de la ville"


class GroupStatus(models.TextChoices):
    ACTIVE = "active", "En cours"
    CLOSED = "closed", "Terminé"
