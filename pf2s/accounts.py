"""Accounts: django-allauth adapted to the platform. No open sign-up
(members are invited by their organisation admin or by staff), TOTP
required for partner and staff accounts, and a deactivated member, user or
organisation loses every live session at once."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect

#: URL names a partner without TOTP may still reach: to enrol, to leave.
MFA_ENROLMENT_URLS = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "account_logout",
    "account_reauthenticate",
    "account_email",
    "account_confirm_email",
    "account_email_verification_sent",
    "healthz",
    "readyz",
}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_login(self, request, user, **kwargs):
        """A demonstration account (published password and TOTP secret)
        never logs in outside the quick start, even if one was left behind."""
        from pf2s.demo import demo_account_refused

        if demo_account_refused(user):
            messages.error(request, "Les comptes de démonstration sont désactivés sur ce site.")
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def post_login(self, request, user, **kwargs):
        """Every completed login (password and TOTP) counts for the
        organisation's activity figures."""
        from bti.choices import ActivityKind
        from bti.services import activity_record

        activity_record(user=user, kind=ActivityKind.LOGIN, channel="page")
        from bti.services import invitations_accept

        invitations_accept(user=user)
        return super().post_login(request, user, **kwargs)


def needs_mfa(user, reader) -> bool:
    """Partner and staff accounts must have a TOTP authenticator; who is one
    is the request's reader (indicators.readers.Reader), already resolved."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not (reader.staff or reader.superuser or reader.is_member):
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MfaRequiredMiddleware:
    """Sends a partner or staff account without TOTP to its enrolment page;
    the API answers 403 with the reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        from pf2s.sessions import carries_credentials

        if not carries_credentials(request):
            return None
        match = request.resolver_match
        if match and match.url_name in MFA_ENROLMENT_URLS:
            return None
        if not needs_mfa(request.user, request.reader):
            return None
        if request.path.startswith("/api/"):
            from .api import api_error

            return api_error(
                "Double authentification à activer avant tout accès.",
                "Two-factor authentication must be enabled first.",
                code="mfa_required",
                status=403,
            )
        messages.warning(
            request,
            "Les comptes partenaires et administrateurs doivent activer la double "
            "authentification (application TOTP) avant de continuer.",
        )
        return redirect("mfa_activate_totp")
