"""The deadlines page in a browser: whole dossiers by their earliest deadline, page after page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from faps.domain.deadlines import add_months
from tests.e2e.conftest import LiveServer, shot


def test_an_officer_reads_the_deadlines_a_page_of_dossiers_at_a_time(
        live_server: LiveServer, page: Any, login: Callable[[Any, str], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    w = live_server.world
    grant = w.awarded()
    decided = w.faps.dossiers.load(w.officer, grant).decision["decided_on"]  # type: ignore[index]
    for days in (20, 10):
        w.faps.dossiers.request_information(w.officer, w.submitted(), "Joignez le bail.", (),
                                            decided + timedelta(days=days))
    live_server.clock.set(datetime.combine(add_months(decided, 36), time(9), UTC))
    monkeypatch.setattr("faps.web.finances.PER_PAGE", 2)
    login(page, "officer")
    page.goto("/finances/echeances")
    expect(page.get_by_text("3 dossiers avec une échéance dépassée ou proche")).to_be_visible()
    expect(page.get_by_text("Page 1 sur 2 — 3 résultats")).to_be_visible()
    shot(page, "echeances-page-1")
    page.get_by_role("link", name=re.compile("Suivante")).click()
    expect(page.get_by_text("Page 2 sur 2 — 3 résultats")).to_be_visible()
    expect(page.locator("td[rowspan='2']").first).to_be_visible()  # the grant's two deadlines
    expect(page.get_by_text("Demande de solde")).to_be_visible()
    shot(page, "echeances-page-2")
