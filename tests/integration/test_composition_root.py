"""The composition root builds every part of faps at once, and the pages use only its fields."""

from __future__ import annotations

import ast
import threading
from dataclasses import MISSING, fields
from pathlib import Path

import faps.web
from faps.bootstrap import Faps
from faps.web import create_app

WEB = Path(faps.web.__file__).parent
BEHIND_THE_ROOT = {"ctx", "engine", "extras"}


def test_build_sets_every_part_at_construction(memory_faps: Faps):
    assert all(f.default is MISSING and f.default_factory is MISSING for f in fields(Faps))
    unset = [f.name for f in fields(Faps) if getattr(memory_faps, f.name) is None]
    assert unset == []
    assert not hasattr(memory_faps, "extras")


def reach_throughs(path: Path, root: Path = WEB) -> list[str]:
    """Return the `.ctx`, `.engine`, `.extras` a module reads (what lies behind the root)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(root)}:{node.lineno} .{node.attr}" for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in BEHIND_THE_ROOT]


def test_pages_reach_services_through_typed_fields_only():
    files = sorted(WEB.rglob("*.py"))
    assert files
    assert [found for path in files for found in reach_throughs(path)] == []


def test_the_check_would_catch_a_reach_through(tmp_path: Path):
    page = tmp_path / "page.py"
    page.write_text("def f(s):\n    return s().ctx.clock, s().extras['jobs'], s().clock\n")
    assert reach_throughs(page, tmp_path) == ["page.py:2 .ctx", "page.py:2 .extras"]


def test_two_applications_on_one_faps_run_one_job_thread(memory_faps: Faps):
    create_app({"TESTING": False}, faps=memory_faps)
    create_app({"TESTING": False}, faps=memory_faps)
    running = [t for t in threading.enumerate() if t.name == "faps-jobs" and t.is_alive()]
    assert running == [memory_faps.job_thread._thread]
    memory_faps.job_thread.stop()
    assert not memory_faps.job_thread._thread.is_alive()


def test_two_applications_on_one_faps_run_one_followers_thread_which_closing_stops(
        memory_faps: Faps):
    create_app({"TESTING": False}, faps=memory_faps)
    create_app({"TESTING": False}, faps=memory_faps)
    running = [t for t in threading.enumerate() if t.name == "faps-followers" and t.is_alive()]
    assert len(running) == 1
    memory_faps.close()
    assert not running[0].is_alive()  # no thread left reading a closed store
