"""Personal API tokens: `Authorization: Bearer pf2s_…` makes an API request
its owner's, with exactly the owner's rights (the cached API answers
included). Only under /api/: a token never opens a page, the BTI screens or
the admin, which need the login with TOTP."""

from __future__ import annotations

from django.http import HttpRequest

from .selectors import api_token_user
from .services import TOKEN_PREFIX


class ApiTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header and request.path.startswith("/api/"):
            scheme, _, key = header.partition(" ")
            if scheme.lower() not in ("bearer", "token") or not key.strip().startswith(TOKEN_PREFIX):
                return _refused(
                    "Schéma d'autorisation inconnu : utilisez « Bearer pf2s_… ».",
                    "Unknown authorization scheme: use 'Bearer pf2s_…'.",
                )
            user = api_token_user(key=key.strip())
            if user is None:
                return _refused("Jeton inconnu ou révoqué.", "Unknown or revoked token.")
            from pf2s.demo import demo_account_refused

            if demo_account_refused(user):
                return _refused(
                    "Jeton d'un compte de démonstration : refusé sur ce site.",
                    "Token of a demonstration account: refused on this site.",
                )
            request.user = user
            request.pf2s_token = True  # a token's request: no session, no idle clock (pf2s.sessions)
            request._dont_enforce_csrf_checks = True  # no cookie involved: nothing to forge
        return self.get_response(request)


def _refused(french: str, english: str):
    from pf2s.api import api_error

    return api_error(
        french, english, code="invalid_token", status=401, headers={"WWW-Authenticate": 'Bearer realm="pf2s"'}
    )
