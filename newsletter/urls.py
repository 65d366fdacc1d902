from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.newsletter_index, name="newsletter-index"),
    path("confirmer/<str:key>/", views.newsletter_confirm, name="newsletter-confirm"),
    path("desabonnement/<str:token>/", views.newsletter_unsubscribe, name="newsletter-unsubscribe"),
    path("mes-donnees/<str:token>/", views.newsletter_data, name="newsletter-data"),
    path("gestion/", views.campaign_list, name="newsletter-campaigns"),
    path("gestion/<int:campaign_id>/", views.campaign_detail, name="newsletter-campaign"),
]
