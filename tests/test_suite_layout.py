"""The test suite's own shape: test modules share fixtures through
conftest.py and code through helper modules (tests/geography.py,
tests/personas.py, tests/routes.py, tests/leak_canary.py...), never by
importing one another or a conftest (an imported test module's tests run
twice; a conftest imported as a module is loaded a second time under another
name; a change to one file breaks another), and the data they read is in the
repository (tests/fixtures/), not next to it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def suite_modules() -> list[Path]:
    """Every module of the suite: tests, helpers, conftests."""
    return sorted(TESTS.rglob("*.py"))


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module `path` imports, anywhere in the file, relative imports resolved."""
    package = list(path.relative_to(root).parent.parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}  # `from tests.bti import test_x`
    return found


def is_test_module(name: str) -> bool:
    """A test module or a conftest (pytest's to load, nobody else's)."""
    parts = name.split(".")
    return parts[0] == "tests" and (parts[-1].startswith("test_") or "conftest" in parts)


def test_no_test_module_imports_another():
    assert len(suite_modules()) > 50  # the walk finds the suite
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in suite_modules()
        for name in sorted(imported_modules(path))
        if is_test_module(name)
    ]
    assert not offenders, "move what they share to a helper module (fixtures: conftest.py):\n" + "\n".join(offenders)


def test_the_import_check_sees_every_form_of_import(tmp_path):
    """The check above can fail: each way of importing a test module is caught."""
    package = tmp_path / "tests" / "bti"
    package.mkdir(parents=True)
    for source in (
        "from tests.bti.test_api_tokens import bearer",
        "import tests.opendata.test_leak_canary",
        "from tests.opendata import test_leak_canary",
        "from .test_api_tokens import bearer",
        "from ..opendata.test_leak_canary import MARKERS",
        "def f():\n    from tests.bti.test_api_tokens import bearer",
        "from tests.conftest import HDF",
        "from .conftest import bearer",
    ):
        module = package / "test_probe.py"
        module.write_text(source + "\n", encoding="utf-8")
        assert any(is_test_module(name) for name in imported_modules(module, tmp_path)), source
    for allowed in (
        "from tests.geography import HDF",
        "from tests.routes import ROUTES",
        "from .personas import mfa_login",
    ):
        module.write_text(allowed + "\n", encoding="utf-8")
        assert not any(is_test_module(name) for name in imported_modules(module, tmp_path)), allowed


#: a path climbing out of the repository, as the oracle tests once did (../shared/oracles)
OUTSIDE = re.compile(r"BASE_DIR\.parent\b|\.\./shared|[\"']shared[\"']\s*/\s*[\"']oracles")


def test_no_test_reads_files_outside_the_repository():
    readers = sorted(TESTS.rglob("*.py")) + sorted((ROOT / "bench").rglob("*.py"))
    offenders = [
        str(path.relative_to(ROOT))
        for path in readers
        if path != Path(__file__).resolve() and OUTSIDE.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "keep what tests read in tests/fixtures/: " + ", ".join(offenders)
