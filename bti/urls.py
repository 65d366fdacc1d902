from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.bti_home, name="bti-home"),
    path("formations/", views.training_list, name="bti-trainings"),
    path("formations/<int:session_id>/inscription/", views.training_register, name="bti-training-register"),
    path("formations/<int:session_id>/desinscription/", views.training_unregister, name="bti-training-unregister"),
    path("api/jetons/", views.api_tokens, name="bti-api-tokens"),
    path("tableau/", views.table, name="bti-table"),
    path("tableau/export.<str:fmt>", views.table_export, name="bti-table-export"),
    path("requetes/", views.saved_queries, name="bti-queries"),
    path("portrait/", views.portrait, name="bti-portrait"),
    path("organisation/membres/", views.organisation_members, name="bti-members"),
    path("territoires/", views.own_territories, name="bti-own-territories"),
    path("territoires/<int:territory_id>/", views.own_territory, name="bti-own-territory"),
    path("gestion/statistiques/", views.activity_statistics, name="bti-activity"),
    path("gestion/formations/<int:session_id>/presences/", views.training_attendance, name="bti-training-attendance"),
]
