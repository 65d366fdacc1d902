"""Numbers typed in URLs and forms."""

from __future__ import annotations


def whole_number(text: str | None) -> int | None:
    """An ASCII decimal ('²' passes str.isdigit but not int) that fits a
    PostgreSQL bigint, else None."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
