"""Sessions end after a period without activity (ASVS 3.3.2), and their
activity is written at most once a minute, not on every request.

Replaces allauth's UserSessionsMiddleware: the same record of a member's
sessions (the "Sessions" page, ending them all at once), but written once a
minute, which also keeps the quick start's SQLite free of a write per
request. A session idle for longer than `PF2S_SESSION_IDLE_TIMEOUT` is ended
and the visitor continues as anonymous: a partner page then sends them to
log in again with a message saying why."""

from __future__ import annotations

import time
from datetime import timedelta

from allauth.usersessions.internal import usersessionkit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest
from django.utils import timezone

SEEN_KEY = "pf2s_seen"
#: seconds between two writes of a session's activity
WRITE_EVERY = 60


def session_activity_start(sender, request, user, **kwargs) -> None:
    """A login starts the idle clock afresh and fixes the session's end
    (SESSION_COOKIE_AGE after login, however active: the activity writes do
    not push it back). Connected to user_logged_in."""
    if getattr(request, "session", None) is not None:
        request.session[SEEN_KEY] = int(time.time())
        request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))


class SessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        # a token's request has no session to end (bti.authentication marks it)
        if (
            session is not None
            and user is not None
            and user.is_authenticated
            and not getattr(request, "pf2s_token", False)
        ):
            now = int(time.time())
            last = session.get(SEEN_KEY)
            idle = settings.PF2S_SESSION_IDLE_TIMEOUT
            if last is not None and now - last > idle:
                logout(request)
                messages.info(
                    request,
                    f"Votre session a pris fin après {idle // 60} minutes sans activité : "
                    "reconnectez-vous pour continuer.",
                )
            elif last is None or now - last >= WRITE_EVERY:
                session[SEEN_KEY] = now
                usersessionkit.track_activity(request, user=user, session=session)
        return self.get_response(request)


def carries_credentials(request: HttpRequest) -> bool:
    """Whether a request may belong to someone: a session cookie or an
    Authorization header. Without either it is the anonymous public, known
    without asking the session store (the hot paths rely on it)."""
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META


def sessions_end(*, users) -> int:
    """End every live session of these users (allauth's user sessions)."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for session in UserSession.objects.filter(user__in=users):
        session.end()
        ended += 1
    return ended
