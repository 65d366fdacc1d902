"""The personas every access test reuses (anonymous, subscriber, partners
of organisations A and B, trained or not, A's admin, editor, staff admin)
and how a person logs in (password, then the TOTP code of the moment)."""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from bti.models import Membership, Organisation
from pf2s.access import EDITOR_GROUP

PASSWORD = "persona-password-2026"

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, offset: int = 0) -> str:
    """The code an authenticator app shows now (offset in 30 s steps)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def mfa_login(client, email: str, password: str = "", secret: str = TOTP_SECRET):
    """Log in the way a person does: email and password, then the TOTP code
    of the moment (a code is accepted once: try the neighbouring steps)."""
    response = client.post("/compte/login/", {"login": email, "password": password or PASSWORD})
    if response.status_code != 302 or "/2fa/authenticate/" not in response["Location"]:
        return response
    for offset in (0, 1, -1):
        response = client.post("/compte/2fa/authenticate/", {"code": totp_code(secret, offset)})
        if response.status_code == 302:
            break
    return response


#: Every persona by name, "anonymous" (no user) first: the parameters of the persona matrices.
PERSONAS = (
    "anonymous",
    "subscriber",
    "partner_a_untrained",
    "partner_a",
    "partner_b",
    "partner_a_admin",
    "editor",
    "admin",
)


class Personas:
    """anonymous, public subscriber, partner A (trained and not), partner B,
    organisation admin of A, editor, staff admin."""

    def __init__(self):
        User = get_user_model()
        self.org_a = Organisation.objects.create(
            name="Organisation A", short_name="A", charter_signed_on=dt.date(2018, 6, 1)
        )
        self.org_b = Organisation.objects.create(
            name="Organisation B", short_name="B", charter_signed_on=dt.date(2019, 1, 1)
        )
        self.subscriber = User.objects.create_user("subscriber", "subscriber@example.org", PASSWORD)
        self.partner_a = self._member("alice", self.org_a, trained=True)
        self.partner_a_untrained = self._member("arthur", self.org_a, trained=False)
        self.partner_a_admin = self._member("anna", self.org_a, trained=True, role="org_admin")
        self.partner_b = self._member("bob", self.org_b, trained=True)
        self.editor = User.objects.create_user("edith", "edith@example.org", PASSWORD, is_staff=True)
        self.editor.groups.add(Group.objects.get_or_create(name=EDITOR_GROUP)[0])
        self.admin = User.objects.create_user("root", "root@example.org", PASSWORD, is_staff=True, is_superuser=True)
        for persona in PERSONAS[1:]:  # every account
            user = self.user(persona)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            if persona != "subscriber":  # partner and staff accounts have enrolled TOTP
                TOTP.activate(user, TOTP_SECRET)

    @staticmethod
    def _member(username, organisation, trained, role="analyst"):
        user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
        Membership.objects.create(
            user=user, organisation=organisation, role=role, trained_on=dt.date(2026, 1, 15) if trained else None
        )
        return user

    def user(self, persona: str):
        """The persona's user; None for "anonymous"."""
        return None if persona == "anonymous" else getattr(self, persona)

    def log_in(self, client, persona: str):
        """Log `client` in as the persona (an anonymous one stays logged out); its user."""
        user = self.user(persona)
        if user is not None:
            client.force_login(user)
        return user

    def all(self) -> dict:
        return {persona: self.user(persona) for persona in PERSONAS}
