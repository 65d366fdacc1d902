"""Reads of the newsletter."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from .choices import DeliveryStatus, SubscriberStatus
from .models import Campaign, Delivery, Subscriber


def newsletter_figures() -> dict:
    """Campaigns with their counts, confirmed subscribers per month, bounces."""
    confirmed = Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED)
    return {
        "campaigns": Campaign.objects.annotate(
            recipients=Count("deliveries"),
            sent=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
            bounced=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.BOUNCED)),
        ),
        "months": confirmed.annotate(month=TruncMonth("confirmed_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month"),
        "confirmed": confirmed.count(),
        "pending": Subscriber.objects.filter(status=SubscriberStatus.PENDING).count(),
        "bounces": Delivery.objects.filter(status=DeliveryStatus.BOUNCED).count(),
    }
