"""Text bound for a spreadsheet (CSV, XLSX): a cell a spreadsheet would run
as a formula is escaped. One rule for every file we hand out."""

from __future__ import annotations

import re

#: A cell starting with one of these is a formula to a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: ... unless it is a plain signed number ("-1" as a provider typed it)
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def escape(value):
    """Neutralise text a spreadsheet would execute (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
