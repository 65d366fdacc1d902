from __future__ import annotations

from django.db import models


class Rubrique(models.TextChoices):
    REGION = "region", "Région"
    FOCUS = "focus", "Focus"
    LUS_POUR_VOUS = "lus_pour_vous", "Lus pour vous"
    A_LIRE = "a_lire", "À lire"
    NATIONAL = "national", "National"
    EUROPE = "europe", "Europe"
    AGENDA = "agenda", "Agenda"


class Theme(models.TextChoices):
    SANTE = "sante", "Santé"
    SOCIAL = "social", "Social"
    MEDICO_SOCIAL = "medico_social", "Médico-social"
    LOGEMENT = "logement", "Logement"
    EMPLOI = "emploi", "Emploi et revenus"
    DEMOGRAPHIE = "demographie", "Démographie"
    ENVIRONNEMENT = "environnement", "Santé-environnement"


class ArticleKind(models.TextChoices):
    ARTICLE = "article", "Article"
    NEWS = "news", "Actualité"


class ArticleState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SCHEDULED = "scheduled", "Programmé"
    PUBLISHED = "published", "Publié"
