"""In a real browser, on the demo data: histories and past states read in plain French."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from werkzeug.serving import make_server

from faps.application.demo import Demo, demo_clock
from faps.domain.actors import Role
from faps.web import create_app
from tests.conftest import build_faps
from tests.e2e.conftest import TIMEOUT_MS, shot, sign_in_page
from tests.web.test_words import edit_a_draft, edited_dossier, faults


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, dict]]:
    """Serve the demo (and one edited draft) over HTTP for this module."""
    today = date.today()
    clock = demo_clock(today)
    tmp = tmp_path_factory.mktemp("words-e2e")
    faps = build_faps(f"sqlite:///{tmp / 'faps.sqlite3'}", tmp, clock)
    with faps.unit_of_work():
        result = Demo(faps, clock, today).run()
    commune = edit_a_draft(faps, {a.commune: a.email for a in result.accounts if a.commune})
    accounts = {}
    for a in result.accounts:
        if a.password and a.role not in accounts and a.commune in (None, commune):
            accounts[a.role] = (a.email, a.password)
    server = make_server("127.0.0.1", 0, create_app({"TESTING": False}, faps=faps),
                         threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", faps, accounts
    finally:
        server.shutdown()
        thread.join(timeout=5)
        faps.close()


def test_histories_and_a_past_state_read_in_plain_french(
        chromium: Any, demo_server: tuple[str, Any, dict]) -> None:
    url, faps, accounts = demo_server
    dossier, version = edited_dossier(faps)
    pages = [(Role.AUDITOR, f"/audit/dossiers/{dossier}?version={version}", "words-audit-version"),
             (Role.COMMUNE_AGENT, f"/commune/dossiers/{dossier}", "words-commune-history")]
    for role, path, name in pages:
        context = chromium.new_context(base_url=url, locale="fr-FR",
                                       viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        sign_in_page(page, *accounts[role])
        page.goto(path)
        text = page.locator("main").inner_text()
        assert not faults(text), (path, faults(text))
        assert "Dépense ajoutée" in text and "Montant sollicité" in text
        shot(page, name)
        context.close()
