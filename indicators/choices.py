from __future__ import annotations

from django.db import models

from .compute.ages import AGE_BANDS  # noqa: F401  (one list, for the Django side)


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


class IndicatorKind(models.TextChoices):
    COUNT = "count", "Effectif"
    PROPORTION = "proportion", "Part"
    CRUDE_RATE = "crude_rate", "Taux brut"
    STANDARDISED_RATE = "standardised_rate", "Taux standardisé"
    ICM = "icm", "Indice comparatif de mortalité"
    VALUE = "value", "Valeur fournie"


class Unit(models.TextChoices):
    PERCENT = "%", "%"
    PER_MILLE = "‰", "‰"
    PER_10K = "pour 10 000", "pour 10 000"
    PER_100K = "pour 100 000", "pour 100 000"
    NUMBER = "nombre", "nombre"
    INDEX = "indice", "indice"


class PeriodKind(models.TextChoices):
    YEAR = "year", "Année"
    POOLED = "pooled", "Années cumulées"
    CENSUS = "census", "Millésime du recensement"


class Access(models.TextChoices):
    OPEN = "open", "Ouvert"
    PARTNERS = "partners", "Partenaires"
    ORGANISATIONS = "organisations", "Organisations désignées"


class History(models.TextChoices):
    ANNUAL = "annual", "2018-2022"
    LONG = "long", "2014-2022"


class ValueStatus(models.TextChoices):
    OK = "ok", "Publié"
    SECRET = "secret", "Secret statistique"
    MISSING = "missing", "Non disponible"


class Significance(models.TextChoices):
    HIGHER = "higher", "Significativement supérieur"
    LOWER = "lower", "Significativement inférieur"
    SIMILAR = "similar", "Non significativement différent"
    NONE = "", "Non testé"


class BatchStatus(models.TextChoices):
    LOADED = "loaded", "Chargé"
    PARTIAL = "partial", "Chargé sans les lignes rejetées"
    REJECTED = "rejected", "Refusé (rien chargé)"
    DUPLICATE = "duplicate", "Déjà chargé (rien changé)"


class SnapshotStatus(models.TextChoices):
    BUILDING = "building", "En construction"
    PUBLISHED = "published", "Publié"
    FAILED = "failed", "Échec"
    REFUSED = "refused", "Refusé par l'audit"


#: Levels anonymous readers may see (France as the reference).
PUBLIC_LEVELS = ("france", "region", "departement", "epci")

#: Level name of a partner's own territory in rows and exports.
OWN_LEVEL = "territoire_personnalise"
#: The one reason a withheld figure gives, whatever withheld it (a small
#: count, a count that would give another away, a base under the source's
#: release threshold): saying which would tell an attacker something.
SECRET_REASON = "valeur non diffusée : secret statistique"
MISSING_REASON = "donnée non disponible"
NOT_ADDITIVE_REASON = "indicateur non additif : il ne se calcule pas pour un territoire personnalisé"
PENDING_REASON = "vérification du secret statistique en cours pour ce territoire"
