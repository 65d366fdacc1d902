"""Input no view should ever see: a NUL character (PostgreSQL refuses it in
any text and the query fails with a 500), absurdly long parameters, bodies
of unknown encodings. Refused at the door with 400 and the reason, as JSON
on the API and as a French page elsewhere."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

#: largest body a public form takes (newsletter, event registration, login):
#: files are uploaded only in the admin, the editors' and the partners' areas
PUBLIC_BODY_MAX = 64 * 1024
#: areas of logged-in people, whose forms may be longer (articles, lists of communes),
#: up to this size everywhere but the admin's uploads
LONG_FORM_AREAS = ("/admin/", "/publications/gestion/", "/bti/")
LONG_FORM_MAX = 2 * 1024 * 1024
#: where files are uploaded: forms there are read by the view only
UPLOAD_AREAS = ("/admin/",)

#: longest query string and single parameter value accepted (a table à la
#: carte of every commune of the region stays far below)
MAX_QUERY_STRING = 16_384
MAX_VALUE = 8_192


class BadInput(ValueError):
    """A request refused before any view, with the reason in French and English."""

    def __init__(self, french: str, english: str, status: int = 400):
        super().__init__(french)
        self.french, self.english, self.status = french, english, status


def request_check(request: HttpRequest) -> None:
    """Raise BadInput when the path, the query, a urlencoded form, a cookie or
    the Authorization header carries what no view accepts."""
    raw_path = request.META.get("PATH_INFO", "")
    if "\x00" in raw_path or b"\x00" in unquote_to_bytes(request.META.get("RAW_URI", "") or ""):
        raise BadInput("Caractère nul interdit dans l'adresse.", "NUL character in the URL.")
    query = request.META.get("QUERY_STRING", "")
    if len(query) > MAX_QUERY_STRING:
        raise BadInput(
            f"Paramètres trop longs (plus de {MAX_QUERY_STRING} caractères).",
            f"Query string too long (over {MAX_QUERY_STRING} characters).",
        )
    if b"\x00" in unquote_to_bytes(query):
        raise BadInput("Caractère nul interdit dans les paramètres.", "NUL character in the parameters.")
    for key, values in request.GET.lists():
        if any(len(value) > MAX_VALUE for value in values):
            raise BadInput(
                f"Paramètre « {key[:40]} » trop long (plus de {MAX_VALUE} caractères).",
                f"Parameter '{key[:40]}' too long (over {MAX_VALUE} characters).",
            )
    if "\x00" in request.META.get("HTTP_AUTHORIZATION", ""):
        raise BadInput("Caractère nul interdit dans l'en-tête Authorization.", "NUL character in Authorization.")
    if request.method in {"POST", "PUT", "PATCH"} and not request.path_info.startswith(UPLOAD_AREAS):
        limit = LONG_FORM_MAX if request.path_info.startswith(LONG_FORM_AREAS) else PUBLIC_BODY_MAX
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit or (request.content_type == "multipart/form-data" and not length):
            raise BadInput(
                f"Envoi trop volumineux : {limit // 1024} Ko au plus sur ce formulaire.",
                f"Request body too large: {limit // 1024} KiB at most here.",
                413,
            )
    # forms are read here only where they cannot carry files (parsing an upload
    # before the view would spool it for anyone, and Django's form fields refuse NUL anyway)
    if request.method == "POST" and (
        request.content_type == "application/x-www-form-urlencoded"
        or (request.content_type == "multipart/form-data" and not request.path_info.startswith(UPLOAD_AREAS))
    ):
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadInput("Caractère nul interdit dans le formulaire.", "NUL character in the form.")


def bad_request(request: HttpRequest, french: str, english: str = "", status: int = 400) -> HttpResponse:
    """The 400 (or 413) answer: JSON with the reason on the API, a French page elsewhere."""
    if request.path_info.startswith("/api/"):
        from pf2s.api import api_error

        return api_error(french, english or french, code="bad_request" if status == 400 else "too_large", status=status)
    html = render_to_string("400.html", {"reason": french})
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


class InputCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        # a cookie with a NUL is nobody's session: drop it rather than query with it
        for name in [name for name, value in request.COOKIES.items() if "\x00" in name or "\x00" in value]:
            del request.COOKIES[name]
        try:
            request_check(request)
        except BadInput as exc:
            return bad_request(request, exc.french, exc.english, exc.status)
        except (BadRequest, SuspiciousOperation, UnicodeDecodeError, LookupError):
            # too many fields, a charset nobody speaks…: Django's own refusals, answered here
            return bad_request(
                request,
                "Demande illisible (trop de champs ou encodage inconnu).",
                "Unreadable request (too many fields or unknown encoding).",
            )
        return self.get_response(request)
