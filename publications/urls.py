from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.publication_index, name="publications-index"),
    path("gestion/", views.editor_dashboard, name="editor-dashboard"),
    path("flux.rss", views.rss_feed, name="publications-rss"),
    path("flux.atom", views.atom_feed, name="publications-atom"),
    path("revue/", views.revue_index, name="revue-index"),
    path("revue/<int:number>/", views.revue_issue, name="revue-issue"),
    path("revue/<int:number>/revue.pdf", views.revue_pdf, name="revue-pdf"),
    path("revue/<int:number>/couverture", views.revue_cover, name="revue-cover"),
    path("<slug:slug>/", views.article_detail, name="article-detail"),
    path("<slug:slug>/illustration", views.article_image, name="article-image"),
]
