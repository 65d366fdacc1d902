from __future__ import annotations

from django.db import models


class MemberRole(models.TextChoices):
    ORGANISATION_ADMIN = "org_admin", "Administrateur de l'organisation"
    ANALYST = "analyst", "Analyste"


class OrganisationFamily(models.TextChoices):
    ETAT = "etat", "Services déconcentrés de l'État"
    ETABLISSEMENT = "etablissement", "Établissement public"
    COLLECTIVITE = "collectivite", "Collectivité territoriale"
    PROTECTION_SOCIALE = "protection_sociale", "Organisme de protection sociale"
    CONSULTATIF = "consultatif", "Instance consultative"
    UNIVERSITE = "universite", "Université"
    ANIMATION = "animation", "Animation de la plateforme"


class TrainingMode(models.TextChoices):
    ON_SITE = "on_site", "Sur place"
    REMOTE = "remote", "En visio"


class ActivityKind(models.TextChoices):
    LOGIN = "login", "Connexion"
    QUERY = "query", "Requête"
    EXPORT = "export", "Export"
