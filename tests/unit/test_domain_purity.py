"""The domain imports only the standard library, pydantic, eventsourcing.domain and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import faps.domain

DOMAIN = Path(faps.domain.__file__).parent
ALLOWED_PREFIXES = ("pydantic", "eventsourcing.domain", "faps.domain")


def imported_modules(path: Path) -> list[str]:
    """Return every module a file imports (relative imports resolved to faps.domain)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append("faps.domain" if node.level else node.module or "")
    return found


def allowed(module: str) -> bool:
    """Tell whether the domain may import a module."""
    top = module.split(".")[0]
    return top in sys.stdlib_module_names or any(
        module == prefix or module.startswith(prefix + ".") for prefix in ALLOWED_PREFIXES)


def test_the_domain_imports_no_framework_nor_database_library():
    files = sorted(DOMAIN.rglob("*.py"))
    assert files
    offending = [f"{path.relative_to(DOMAIN)}: {module}" for path in files
                 for module in imported_modules(path) if not allowed(module)]
    assert offending == []


def test_the_purity_check_would_catch_flask_sqlalchemy_and_marshmallow():
    assert not allowed("flask")
    assert not allowed("sqlalchemy.orm")
    assert not allowed("marshmallow")
    assert not allowed("eventsourcing.postgres")
    assert allowed("eventsourcing.domain") and allowed("decimal") and allowed("pydantic")
