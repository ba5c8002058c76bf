"""An auditor asks for the whole log: the page answers at once, shows the progress, then offers
the file (prepared by the serving process's job thread) and the mail brings its link."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from playwright.sync_api import expect

from faps.infrastructure.outbox import outbox
from tests.e2e.conftest import LiveServer, shot


def test_the_auditor_prepares_the_log_in_the_background_and_downloads_it(
        page: Any, login: Callable[[Any, str], None], live_server: LiveServer) -> None:
    live_server.world.awarded()
    login(page, "auditor")
    page.goto("/exports/")
    page.get_by_role("button", name="Préparer le journal complet (JSON Lines)").click()

    page.wait_for_url("**/exports/travaux/*")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Journal d’audit complet (JSON Lines)")
    expect(page.locator("progress#job-progress")).to_be_visible()
    shot(page, "audit-job-1-started")

    status = page.get_by_role("status")
    status.get_by_text("Le fichier est prêt.").wait_for(timeout=20_000)  # polled, no reload
    assert page.locator("progress#job-progress").get_attribute("value") == "100"
    shot(page, "audit-job-2-ready")

    with page.expect_download() as caught:
        page.get_by_role("link", name="Télécharger journal-audit-position-").click()
    download = caught.value
    assert download.suggested_filename.startswith("journal-audit-position-")
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "faps-audit-log/1"
    assert "head" in json.loads(lines[-1])

    with live_server.world.faps.engine.connect() as conn:
        mail = conn.execute(sa.select(outbox).where(outbox.c.key.like("job:%"))).one()
    assert mail.recipients == live_server.world.auditor.email
    assert page.url.split("/exports/")[1] in mail.body
