from __future__ import annotations

from django.db import models


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "En attente de confirmation"
    CONFIRMED = "confirmed", "Abonné"
    UNSUBSCRIBED = "unsubscribed", "Désabonné"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SENDING = "sending", "Envoi en cours"
    SENT = "sent", "Envoyée"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "À envoyer"
    SENDING = "sending", "Remise en cours"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "Échec"
    BOUNCED = "bounced", "Rejeté (bounce)"
    UNKNOWN = "unknown", "Incertain (interruption pendant la remise)"
