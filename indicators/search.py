"""Accent- and case-insensitive text matching, portable across databases:
texts are folded once when saved and queries folded the same way."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """« Densité de Médecins » → « densite de medecins »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    # no combining accents, no control characters (a NUL cannot even be sent
    # to PostgreSQL)
    bare = "".join(
        c if not unicodedata.category(c).startswith("C") else " " for c in decomposed if not unicodedata.combining(c)
    )
    return " ".join(bare.lower().replace("œ", "oe").replace("æ", "ae").split())
