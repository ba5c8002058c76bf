"""Browser tests: a live faps server on a SQLite store, driven by the system's Chromium.

Chromium missing: the tests are skipped locally, but fail when FAPS_REQUIRE_BROWSER or CI is
set (the CI must run them). Screenshots go to artifacts/screenshots/ for reviewers.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from faps.application.clock import SettableClock
from faps.web import create_app
from tests.conftest import build_faps
from tests.support import PASSWORD, World, make_world

CHROMIUM = os.environ.get("FAPS_CHROMIUM", "/usr/bin/chromium")
BROWSER_REQUIRED = bool(os.environ.get("CI")) or bool(os.environ.get("FAPS_REQUIRE_BROWSER"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TIMEOUT_MS = 10_000
# Assertions wait as long as actions do (Playwright's `expect` has its own 5 s default): on a
# loaded 2-core CI machine a save, its redirect and the next page took longer than 5 s once.
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder as a browser test."""
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@dataclass
class LiveServer:
    """A faps served over HTTP on 127.0.0.1, with its world and clock."""

    url: str
    world: World
    clock: SettableClock

    def path(self, path: str) -> str:
        """Return the absolute URL of a path."""
        return self.url + path


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve a fresh faps (SQLite file, world of accounts, settable clock) for one module."""
    tmp = tmp_path_factory.mktemp("e2e")
    clock = SettableClock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))
    faps = build_faps(f"sqlite:///{tmp / 'faps.sqlite3'}", tmp, clock)
    world = make_world(faps, clock)
    app = create_app({"TESTING": False}, faps=faps)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="faps-e2e", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", world, clock)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        faps.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Launch the system's Chromium headless (skip locally if missing, fail in CI)."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        message = f"Chromium not found at {CHROMIUM}"
        if BROWSER_REQUIRED:
            pytest.fail(f"{message}, and browser tests are required (CI / FAPS_REQUIRE_BROWSER)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Any, live_server: LiveServer) -> Iterator[Callable[[], Any]]:
    """Return a factory of pages, each in its own browser context (own cookies)."""
    contexts: list[Any] = []

    def make() -> Any:
        context = chromium.new_context(base_url=live_server.url, locale="fr-FR",
                                       viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    """A fresh browser page."""
    return new_page()


def sign_in_page(page: Any, email: str, password: str = PASSWORD) -> None:
    """Sign in through the sign-in page with an e-mail address."""
    page.goto("/connexion")
    page.get_by_label(re.compile("Adresse", re.I)).fill(email)
    page.get_by_label(re.compile("Mot de passe", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("connecter", re.I)).click()
    page.wait_for_load_state()
    assert "/connexion" not in page.url, f"sign-in failed for {email}: {page.url}"


@pytest.fixture
def login(live_server: LiveServer) -> Callable[[Any, str], None]:
    """Return login(page, who): sign in as 'agent', 'officer', 'secretariat', … or an e-mail."""

    def sign(page: Any, who: str) -> None:
        email = who if "@" in who else getattr(live_server.world, who).email
        sign_in_page(page, email)

    return sign


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to artifacts/screenshots/NAME.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-zA-Z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
