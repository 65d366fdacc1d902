from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from opendata import apidocs

from . import views
from .access import Audience, audience

public = audience(Audience.PUBLIC)

# The admin logs in through the platform's login (rate limits, TOTP).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "PF2S — administration"
admin.site.site_title = "PF2S"
admin.site.index_title = "Gestion de la plateforme"

urlpatterns = [
    path("api/v1/", include("opendata.api_urls")),
    path("", include("opendata.urls")),
    path("bti/", include("bti.urls")),
    path("publications/", include("publications.urls")),
    path("lettre/", include("newsletter.urls")),
    path("observatoires/", include("observatories.urls")),
    path("admin/", admin.site.urls),
    path("compte/", include("allauth.urls")),
    path("api/schema/", public(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/docs/", apidocs.api_docs, name="api-docs"),
    # the split view serves Swagger UI's start-up script as a file (?script): no inline script
    path(
        "api/docs/swagger/",
        public(SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="opendata/swagger_ui.html")),
        name="api-swagger",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("mentions-legales/", views.legal_notice, name="legal-notice"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("plan-du-site/", views.sitemap_page, name="sitemap-page"),
    path("recherche/", views.search, name="search"),
    path("sitemap.xml", views.sitemap_xml, name="sitemap-xml"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
]

handler400 = "pf2s.views.bad_request"
handler403 = "pf2s.views.permission_denied"
handler404 = "pf2s.views.page_not_found"
handler500 = "pf2s.views.server_error"
