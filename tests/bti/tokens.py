"""Helpers the partners' tests share: an API token made the way a member
makes one (the tokens page), and the header that presents it."""

from __future__ import annotations

import re


def create_token(client, user, name="script mensuel") -> str:
    """Log in as `user`, create a token on /bti/api/jetons/, log out: the key shown once."""
    client.force_login(user)
    page = client.post("/bti/api/jetons/", {"name": name}).content.decode()
    key = re.search(r'<code id="new-token">(pf2s_[^<]+)</code>', page).group(1)
    client.logout()
    return key


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
