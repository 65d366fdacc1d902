from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("indicateurs/", views.indicator_catalogue, name="indicator-catalogue"),
    path("indicateurs/<str:code>/", views.indicator_detail, name="indicator-detail"),
    path("indicateurs/<str:code>/export.<str:fmt>", views.indicator_export, name="indicator-export"),
    path("comparer/", views.comparison, name="comparison"),
    path("donnees-ouvertes/", views.opendata_page, name="opendata"),
    path("donnees-ouvertes/telecharger/", views.opendata_download, name="opendata-download"),
    path("embed/indicateurs/<str:code>/<str:kind>/", views.indicator_embed, name="indicator-embed"),
    path("territoires/", views.territory_index, name="territory-index"),
    path("territoires/<str:level>/", views.territory_level, name="territory-level"),
    path("territoires/<str:level>/<str:code>/", views.territory_detail, name="territory-detail"),
]
