from __future__ import annotations

from django.db import models


class TerritoryLevel(models.TextChoices):
    FRANCE = "france", "France"
    REGION = "region", "Région"
    DEPARTEMENT = "departement", "Département"
    EPCI = "epci", "EPCI"
    COMMUNE = "commune", "Commune"
    TERRITOIRE_DEMONSTRATEUR = "territoire_demonstrateur", "Territoire démonstrateur"
    TERRITOIRE_DEMOCRATIE_SANITAIRE = (
        "territoire_democratie_sanitaire",
        "Territoire de démocratie sanitaire",
    )
    POLE_METROPOLITAIN = "pole_metropolitain", "Pôle métropolitain"


#: Levels made of member communes rather than of the administrative tree.
COMPOSITE_LEVELS = (
    TerritoryLevel.TERRITOIRE_DEMONSTRATEUR,
    TerritoryLevel.TERRITOIRE_DEMOCRATIE_SANITAIRE,
    TerritoryLevel.POLE_METROPOLITAIN,
)

#: Levels that have a map layer (France is the reference, never mapped).
MAPPED_LEVELS = (
    TerritoryLevel.REGION,
    TerritoryLevel.DEPARTEMENT,
    TerritoryLevel.EPCI,
    TerritoryLevel.COMMUNE,
    *COMPOSITE_LEVELS,
)


class JobState(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    SUCCEEDED = "succeeded", "Terminé"
    FAILED = "failed", "Échec"
