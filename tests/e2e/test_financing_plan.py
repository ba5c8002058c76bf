"""Issue 12, point 1: a financing plan that cannot mislead the commune (real browser)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, shot


def _text(locator: Any) -> str:
    return re.sub(r"\s", " ", locator.inner_text())


def _project(page: Any) -> None:
    page.get_by_role("link", name="Nouveau dossier").click()
    page.get_by_label("Objet de l’opération").fill("Maison de santé de Torcy")
    page.get_by_role("button", name="Créer le brouillon").click()
    page.get_by_label("Occupation des locaux par la commune").select_option("proprietaire")
    page.get_by_label("Libellé de la dépense 1").fill("Travaux d'aménagement")
    page.get_by_label("Catégorie de la dépense 1").select_option("travaux_amenagement")
    page.get_by_label("Montant HT de la dépense 1").fill("109 500")
    page.get_by_label("Financeur 1").first.fill("ARS Île-de-France")
    page.get_by_label("Montant du financement 1").first.fill("20 000")
    page.get_by_label("Montant sollicité au FAPS (€)").fill("32 850")


def test_the_own_share_in_its_field_gives_the_simulators_grant_without_warning(
    page: Any, login: Callable[[Any, str], None], live_server: LiveServer
):
    login(page, "agent")
    _project(page)
    page.get_by_label("Part communale (autofinancement) (€)").fill("56 650")
    grant = page.locator("#estimation [data-plan=grant]")
    page.wait_for_function("() => document.querySelector('#estimation [data-plan=grant]')"
                           " && document.querySelector('#estimation [data-plan=grant]')"
                           ".textContent.includes('32')")
    assert _text(grant) == "32 850,00 €"
    expect(page.locator("#estimation [data-plan=warnings]")).to_have_count(0)
    assert "Taux du règlement" in _text(page.locator("#estimation [data-plan=cap]"))
    assert _text(page.locator("#estimation [data-plan=remainder]")) == "56 650,00 €"
    shot(page, "plan-01-part-communale-saisie")

    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Dossier enregistré.")).to_be_visible()
    assert _text(page.locator("#estimation [data-plan=grant]")) == "32 850,00 €"
    assert _text(page.locator("#estimation [data-plan=own-share]")) == "56 650,00 €"


def test_the_own_share_as_a_public_line_is_flagged_and_its_cost_shown_before_saving(
    page: Any, login: Callable[[Any, str], None], live_server: LiveServer
):
    login(page, "agent")
    _project(page)
    with page.expect_navigation():  # the row is added by the server: type in the new page
        page.get_by_role("button", name="Ajouter un financement").first.click()
    page.get_by_label("Financeur 2").first.fill("Commune de Torcy (autofinancement)")
    page.get_by_label("Montant du financement 2").first.fill("56 650")
    warnings = page.locator("#estimation [data-plan=warnings]")
    # drawn by plan.js while typing, before the line is saved
    page.wait_for_function("() => (document.querySelector('#estimation [data-plan=warnings]')"
                           " || {textContent: ''}).textContent.includes('Commune de Torcy')")
    text = _text(warnings)
    assert "« Commune de Torcy (autofinancement) »" in text
    assert "Part communale (autofinancement)" in text and "n’est pas indiquée" in text
    assert _text(page.locator("#estimation [data-plan=grant]")) == "10 950,00 €"
    assert "20 %" in _text(page.locator("#estimation [data-plan=cap]"))
    shot(page, "plan-02-part-communale-en-financement-public")

    page.get_by_label("Financeur 2").first.fill("")
    page.get_by_label("Montant du financement 2").first.fill("")
    page.get_by_label("Part communale (autofinancement) (€)").fill("56 650")
    page.wait_for_function("() => !document.querySelector('#estimation [data-plan=warnings]')")
    assert _text(page.locator("#estimation [data-plan=grant]")) == "32 850,00 €"
