from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Campaign, Delivery, Subscriber


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "created_at", "finished_at", "actions_link"]
    readonly_fields = ["status", "started_at", "finished_at"]
    autocomplete_fields = ["articles"]
    fields = ["subject", "introduction", "articles", "issue", "status", "started_at", "finished_at"]

    @admin.display(description="aperçu et envoi")
    def actions_link(self, obj):
        return format_html('<a href="{}">Aperçu, essai, envoi</a>', reverse("newsletter-campaign", args=[obj.pk]))

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "created_at", "confirmed_at"]
    list_filter = ["status"]
    search_fields = ["email"]
    readonly_fields = ["token", "consent_text", "consent_ip", "consent_user_agent", "confirmed_at", "unsubscribed_at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["campaign", "email", "status", "attempts", "sent_at"]
    list_filter = ["campaign", "status"]
    search_fields = ["email"]
    readonly_fields = ["campaign", "subscriber", "email", "attempts", "sent_at", "error"]
    actions = ["mark_bounced"]

    @admin.action(description="Enregistrer un rejet (bounce) : l'adresse ne reçoit plus la lettre")
    def mark_bounced(self, request, queryset):
        from .services import delivery_bounce

        for delivery in queryset:
            delivery_bounce(delivery_id=delivery.pk)
        self.message_user(request, f"{queryset.count()} rejet(s) enregistré(s).")
