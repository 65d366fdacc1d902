"""Who may reach which URL. Every view declares one audience (public, partner,
organisation admin, editor, admin); the middleware enforces it, asking the one access rule
(indicators.readers.may_reach) about the request's reader, and a test walks
the URL resolver so that no URL can exist without one. Unclassified views
are refused."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from indicators.readers import may_reach
from pf2s.sessions import carries_credentials

EDITOR_GROUP = "Éditeurs"


class Audience(models.TextChoices):
    PUBLIC = "public", "Public"
    PARTNER = "partner", "Partenaire"
    #: a partner page narrowed to the administrators of the member's organisation
    ORGANISATION_ADMIN = "organisation_admin", "Administrateur d'organisation"
    EDITOR = "editor", "Éditeur"
    ADMIN = "admin", "Administrateur"


#: Why a logged-in person is refused a page, by the page's audience.
REFUSED_BECAUSE = {
    Audience.PARTNER: "Cette page est réservée aux membres des organisations partenaires de la BTI.",
    Audience.ORGANISATION_ADMIN: (
        "Cette page est réservée à l'administrateur ou l'administratrice de votre organisation."
    ),
    Audience.EDITOR: "Cette page est réservée à l'équipe éditoriale de la plateforme.",
    Audience.ADMIN: "Cette page est réservée aux administrateurs de la plateforme.",
}

#: Third-party URL namespaces, classified as a whole.
NAMESPACE_AUDIENCE = {"admin": Audience.ADMIN}
#: Third-party views that check their own access (allauth's account and
#: MFA pages ask for a login themselves where needed).
PUBLIC_THIRD_PARTY_MODULES = ("allauth.",)
#: Named exceptions inside those namespaces (their own login pages).
PUBLIC_URL_NAMES = {"admin:login", "admin:logout"}


def audience(level: Audience) -> Callable:
    """Declare the audience of a function view, a class-based view or a DRF view."""

    def mark(view):
        view.pf2s_audience = level
        return view

    return mark


def view_audience(callback, url_name: str | None = None, namespace: str = "") -> Audience | None:
    """The audience declared by a resolved view, or None when unclassified."""
    if url_name in PUBLIC_URL_NAMES:
        return Audience.PUBLIC
    for candidate in (
        callback,
        getattr(callback, "view_class", None),
        getattr(callback, "cls", None),
        getattr(callback, "__wrapped__", None),
    ):
        level = getattr(candidate, "pf2s_audience", None)
        if level is not None:
            return Audience(level)
    if getattr(callback, "__module__", "").startswith(PUBLIC_THIRD_PARTY_MODULES):
        return Audience.PUBLIC
    root = namespace.split(":")[0] if namespace else ""
    return NAMESPACE_AUDIENCE.get(root)


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "pf2s_private", False) or (
            "Cache-Control" not in response
            and carries_credentials(request)
            and getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            # a partner's or staff member's page or file (or a public page that
            # showed a logged-in person more, e.g. commune figures): kept by no
            # cache, not even the browser's (a shared computer, a proxy)
            response["Cache-Control"] = "private, no-store"
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        level = view_audience(view_func, match.view_name if match else None, match.namespace if match else "")
        request.pf2s_private = level is not None and level != Audience.PUBLIC
        if level is None:
            raise PermissionDenied("URL non classée : accès refusé par défaut.")
        if level == Audience.PUBLIC:
            return None
        if not request.user.is_authenticated:
            if match and match.namespace.startswith("admin"):
                return None  # the admin site redirects to its own login page
            if request.path.startswith("/api/"):
                return HttpResponse(
                    '{"detail": "Authentification requise / authentication required."}',
                    status=401,
                    content_type="application/json",
                )
            return redirect_to_login(request.get_full_path())
        if not may_reach(request.reader, level):
            return render(
                request,
                "403.html",
                {"reason": REFUSED_BECAUSE.get(level, "Cette page ne vous est pas ouverte.")},
                status=403,
            )
        return None
