from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.publication_index, name="publications-index"),
    path("gestion/", views.editor_dashboard, name="editor-dashboard"),
]
