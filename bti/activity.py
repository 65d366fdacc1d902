"""Counting members' queries and exports on every channel (pages, API,
token), cached answers included, for the activity figures."""

from __future__ import annotations

from django.http import HttpRequest

from pf2s.sessions import carries_credentials

from .choices import ActivityKind

QUERY_URLS = {"indicator-detail", "api-indicator-values", "comparison", "bti-table"}
EXPORT_URLS = {"indicator-export", "bti-table-export", "bti-portrait"}


class ActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if not carries_credentials(request) or response.status_code != 200 or request.method != "GET":
            return response
        match = request.resolver_match
        name = match.url_name if match else None
        kind = ActivityKind.QUERY if name in QUERY_URLS else ActivityKind.EXPORT if name in EXPORT_URLS else None
        if kind and request.reader.is_member:  # only members' activity is counted
            from .services import activity_record

            channel = (
                "jeton"
                if "HTTP_AUTHORIZATION" in request.META
                else ("api" if request.path.startswith("/api/") else "page")
            )
            activity_record(
                user=request.user,
                organisation_id=request.reader.organisation_id,
                kind=kind,
                channel=channel,
                path=request.get_full_path(),
            )
        return response
