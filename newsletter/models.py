"""Subscribers (double opt-in, proof of consent) and campaigns with one
delivery row per recipient."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from .choices import CampaignStatus, DeliveryStatus, SubscriberStatus


def _token() -> str:
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    email = models.EmailField("adresse", unique=True)
    status = models.CharField(max_length=15, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING)
    token = models.CharField(
        max_length=64,
        unique=True,
        default=_token,
        editable=False,
        help_text="Clé des liens de désabonnement et d'accès aux données.",
    )
    created_at = models.DateTimeField("inscrit le", auto_now_add=True)
    confirmed_at = models.DateTimeField("confirmé le", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("désabonné le", null=True, blank=True)
    consent_text = models.TextField("texte consenti", blank=True)
    consent_ip = models.GenericIPAddressField("adresse IP de la confirmation", null=True, blank=True)
    consent_user_agent = models.CharField("navigateur de la confirmation", max_length=300, blank=True)

    class Meta:
        verbose_name = "abonné"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email


class Campaign(models.Model):
    """One mailing of the newsletter: articles and the latest revue."""

    subject = models.CharField("objet", max_length=200)
    introduction = models.TextField("introduction", blank=True)
    articles = models.ManyToManyField("publications.Article", blank=True, verbose_name="articles")
    issue = models.ForeignKey(
        "publications.RevueIssue", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="numéro de la revue"
    )
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Pause entre deux lots de l'envoi en cours."
    )

    class Meta:
        verbose_name = "campagne"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """One recipient of one campaign: the log that makes a retry safe."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, null=True, on_delete=models.SET_NULL, related_name="deliveries")
    email = models.CharField(max_length=254, help_text="Effacé avec l'abonné.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "envoi"
        constraints = [models.UniqueConstraint(fields=["campaign", "subscriber"], name="delivery_once_per_subscriber")]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.email} ({self.status})"
