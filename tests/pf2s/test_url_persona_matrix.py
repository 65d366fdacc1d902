"""Every URL of the site, the admin's custom views included, for every
persona (anonymous, untrained partner, trained partner, organisation admin,
editor, staff administrator): who gets in, who is sent to log in, who is
refused; never a server error. The expected answer follows from the URL's
declared audience, so a new URL is covered without editing this test."""

from __future__ import annotations

import pytest

from pf2s.access import Audience, view_audience
from tests.routes import ROUTES

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "partner_a_untrained", "partner_a", "partner_a_admin", "editor", "admin"]
#: answers of a URL one may reach with a sample argument that names nothing real
INSIDE = {200, 204, 301, 302, 400, 404, 405, 410}
ROUTES_TO_WALK = [r for r in ROUTES if r[4] and "logout" not in (r[1] or "")]


#: the audiences each persona belongs to, written out here rather than asked
#: of the access rule under test
REACHES = {
    "anonymous": {Audience.PUBLIC},
    "partner_a_untrained": {Audience.PUBLIC, Audience.PARTNER},
    "partner_a": {Audience.PUBLIC, Audience.PARTNER},
    "partner_a_admin": {Audience.PUBLIC, Audience.PARTNER, Audience.ORGANISATION_ADMIN},
    "editor": {Audience.PUBLIC, Audience.EDITOR, Audience.ADMIN},
    "admin": {Audience.PUBLIC, Audience.PARTNER, Audience.EDITOR, Audience.ADMIN},
}


def expected(level: Audience, persona: str, user, path: str, name: str | None) -> tuple[str, set[int]]:
    if level == Audience.PUBLIC:
        if path.startswith("/admin/login/") and user is not None and not user.is_staff:
            return "public", INSIDE | {403}  # the admin's login page to a logged-in non-staff account
        return "public", INSIDE
    if user is None:
        return "log in first", {401} if path.startswith("/api/") else {302}
    if level not in REACHES[persona]:
        return "refused", {403}
    if level == Audience.ADMIN:
        # model permissions narrow the admin for everyone (some models are never added or deleted by hand)
        return "staff, within its permissions", INSIDE | {403}
    return "inside", INSIDE


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_persona_as_its_audience_says(client, published, personas, persona):
    client.raise_request_exception = False
    user = personas.log_in(client, persona)
    unexpected = []
    for _route, name, namespace, callback, path in ROUTES_TO_WALK:
        level = view_audience(callback, name, namespace)
        rule, codes = expected(level, persona, user, path, name)
        response = client.get(path)
        status = response.status_code
        if status not in codes:
            unexpected.append(f"{path} ({level.label}, {rule}): {status}")
        elif (
            rule in {"inside", "staff, within its permissions"}
            and status == 302
            and response["Location"].startswith(("/compte/login/", "/admin/login/"))
        ):
            unexpected.append(f"{path} ({level.label}): sent to log in although logged in")
        elif (
            rule == "log in first"
            and status == 302
            and not response["Location"].startswith(("/compte/login/", "/admin/login/"))
        ):
            unexpected.append(f"{path}: anonymous sent to {response['Location']}, not to log in")
    assert not unexpected, f"{persona}:\n" + "\n".join(unexpected)
