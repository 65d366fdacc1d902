"""Site-wide pages: health probes, search, sitemaps, legal pages, error pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .access import Audience, audience
from .health import readiness
from .search import site_search
from .sitemaps import SITEMAPS


@audience(Audience.PUBLIC)
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive (no dependency checked)."""
    return JsonResponse({"status": "ok"})


@audience(Audience.PUBLIC)
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database and Redis answer; 503 naming the failing part otherwise."""
    checks = readiness()
    failing = [name for name, check in checks.items() if not check["ok"]]
    return JsonResponse(
        {"status": "ok" if not failing else "unavailable", "failing": failing, "checks": checks},
        status=503 if failing else 200,
    )


@audience(Audience.PUBLIC)
def search(request: HttpRequest):
    """Indicators and territories (and, with their apps, publications) in
    one search, each as the reader may see it."""
    results = site_search(reader=request.reader, query=request.GET.get("q", ""))
    return render(request, "pages/search.html", {"results": results})


@audience(Audience.PUBLIC)
def sitemap_xml(request: HttpRequest):
    return django_sitemap(request, sitemaps=SITEMAPS)


@audience(Audience.PUBLIC)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /bti/",
        "Disallow: /admin/",
        "Disallow: /compte/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@audience(Audience.PUBLIC)
def legal_notice(request: HttpRequest):
    return render(request, "pages/legal_notice.html")


@audience(Audience.PUBLIC)
def favicon(request: HttpRequest):
    """Browsers ask /favicon.ico on pages without an icon link (the admin's)."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("favicon.svg"), permanent=True)


@audience(Audience.PUBLIC)
def accessibility(request: HttpRequest):
    return render(request, "pages/accessibility.html")


@audience(Audience.PUBLIC)
def sitemap_page(request: HttpRequest):
    return render(request, "pages/sitemap.html")


def _api_error(request: HttpRequest, status: int, french: str, english: str, code: str) -> JsonResponse | None:
    """On the API an error is JSON with its reason, whatever went wrong."""
    if not request.path_info.startswith("/api/"):
        return None
    from .api import api_error

    return api_error(french, english, code=code, status=status)


def bad_request(request: HttpRequest, exception=None):
    from .inputs import bad_request as answer

    return answer(request, "La demande n'est pas valable.", "The request is not valid.")


def permission_denied(request: HttpRequest, exception=None):
    return _api_error(request, 403, "Accès refusé.", "Access denied.", "permission_denied") or render(
        request, "403.html", {"reason": str(exception or "")}, status=403
    )


def page_not_found(request: HttpRequest, exception=None):
    return _api_error(request, 404, "Adresse inconnue de l'API.", "Unknown API URL.", "not_found") or render(
        request, "404.html", status=404
    )


def server_error(request: HttpRequest):
    """500, or 503 with Retry-After when the database is out of reach. The
    page says the team was told only when error reports go somewhere
    (ADMINS: mail, see settings.LOGGING)."""
    import sys

    from django.db import DatabaseError, InterfaceError, OperationalError
    from django.template.loader import render_to_string

    exc = sys.exc_info()[1]
    # out of reach, not any database error (a timeout or a lock is a 500 like any bug)
    unavailable = isinstance(exc, InterfaceError) or (
        isinstance(exc, (OperationalError, DatabaseError))
        and any(word in str(exc).lower() for word in ("connection", "connect to server", "could not translate host"))
    )
    status = 503 if unavailable else 500
    french = "Base de données momentanément indisponible." if unavailable else "Erreur du serveur."
    english = "Database temporarily unavailable." if unavailable else "Server error."
    response = _api_error(request, status, french, english, "unavailable" if unavailable else "server_error")
    if response is None:
        # standalone templates: no context processor, no session, no query
        html = render_to_string("503.html" if unavailable else "500.html", {"reported": bool(settings.ADMINS)})
        response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    if unavailable:
        response["Retry-After"] = "60"
    return response
