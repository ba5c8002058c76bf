"""In a real browser, a form's error summary takes focus and each of its links reaches a field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import shot


def test_the_error_summary_takes_focus_names_the_field_and_its_link_reaches_it(
        page: Any, login: Callable[[Any, str], None]) -> None:
    login(page, "agent")
    page.goto("/commune/dossiers/nouveau")
    page.locator("#f-title").fill("Ab")
    page.get_by_role("button", name="Créer le brouillon").click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert page.evaluate("document.activeElement && document.activeElement.id") == "error-summary"
    link = summary.get_by_role("link", name="Objet de l’opération")
    expect(link).to_be_visible()
    assert "title" not in summary.inner_text()
    shot(page, "words-error-summary")
    link.click()
    assert page.evaluate("location.hash") == "#f-title"
    assert page.evaluate("document.activeElement && document.activeElement.id") == "f-title"
