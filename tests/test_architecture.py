"""The architecture's rule that import-linter (`make lint`) cannot read: an
app uses another app's public names only (no `_private` function, class or
constant borrowed across apps)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("pf2s", "indicators", "opendata", "bti", "publications", "newsletter", "observatories")


def borrowed(source: str, app: str) -> list[str]:
    """`from other_app.module import _name` in a module of `app`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        if node.module.split(".")[0] == app or node.module.split(".")[0] not in APPS:
            continue
        for alias in node.names:
            if alias.name.startswith("_") and not alias.name.startswith("__"):
                found.append(f"line {node.lineno}: {node.module}.{alias.name}")
    return found


def test_no_app_borrows_another_app_s_private_names():
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found += [f"{path.relative_to(ROOT)} {line}" for line in borrowed(path.read_text("utf-8"), app)]
    assert found == []


def test_the_rule_sees_a_borrowed_private_name():
    source = "from indicators.reading import _read\nfrom .models import _local\nimport numpy as _np\n"
    assert borrowed(source, "observatories") == ["line 1: indicators.reading._read"]
    assert borrowed(source, "indicators") == []
