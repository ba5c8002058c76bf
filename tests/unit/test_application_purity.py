"""The application imports only the domain, its own ports and libraries that are no framework.

What it needs from the outside world it declares in faps/application/ports.py; the
infrastructure implements it and the composition root injects it. Imports hidden inside
functions count too (that is how an import cycle used to hide).
"""

from __future__ import annotations

import ast
from pathlib import Path

import faps
import faps.application

FAPS = Path(faps.__file__).parent
APPLICATION = Path(faps.application.__file__).parent
FORBIDDEN_PREFIXES = ("faps.infrastructure", "faps.web", "faps.cli", "faps.bootstrap",
                      "flask", "sqlalchemy", "marshmallow", "eventsourcing.sqlite",
                      "eventsourcing.postgres")


def imported_modules(path: Path, package: str) -> list[str]:
    """Return every module a file imports, at any depth (relative imports resolved)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(package if node.level else node.module or "")
    return found


def forbidden(module: str) -> bool:
    """Tell whether the application may not import a module."""
    return any(module == prefix or module.startswith(prefix + ".")
               for prefix in FORBIDDEN_PREFIXES)


def test_the_application_imports_neither_infrastructure_nor_web_nor_cli():
    files = sorted(APPLICATION.rglob("*.py"))
    assert files
    offending = [f"{path.relative_to(APPLICATION)}: {module}" for path in files
                 for module in imported_modules(path, "faps.application") if forbidden(module)]
    assert offending == []


def test_the_check_would_catch_an_adapter_a_view_a_command_and_a_framework():
    assert forbidden("faps.infrastructure.audit_chain")
    assert forbidden("faps.web.exports") and forbidden("faps.cli.audit")
    assert forbidden("flask") and forbidden("sqlalchemy.orm") and forbidden("marshmallow")
    assert not forbidden("faps.application.ports") and not forbidden("faps.domain.hash_chain")
    assert not forbidden("eventsourcing.application") and not forbidden("hashlib")


def test_no_page_imports_a_command_line_module():
    files = sorted((FAPS / "web").rglob("*.py"))
    offending = [f"{path.relative_to(FAPS)}: {module}" for path in files
                 for module in imported_modules(path, "faps.web")
                 if module == "faps.cli" or module.startswith("faps.cli.")]
    assert offending == []


def test_the_export_and_audit_use_cases_import_one_another_without_a_cycle():
    names = ("exports", "export_kinds", "reproduction", "audit", "anchors", "replay", "ports")
    graph = {f"faps.application.{n}": {m for m in imported_modules(APPLICATION / f"{n}.py",
                                                                   "faps.application")
                                       if m.startswith("faps.application.")}
             for n in names}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for after in graph.get(start, set()):
            if after == goal or (after not in seen and reaches(after, goal, seen | {after})):
                return True
        return False

    assert [m for m in graph if reaches(m, m, set())] == []
