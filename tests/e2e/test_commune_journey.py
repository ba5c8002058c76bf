"""A commune agent files a dossier end to end in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, shot
from tests.support import FILING_KINDS, pdf


def test_a_commune_agent_drafts_simulates_uploads_submits_and_gets_a_receipt(
    page: Any, login: Callable[[Any, str], None], live_server: LiveServer
):
    login(page, "agent")
    expect(page.get_by_role("heading", name="Mes dossiers")).to_be_visible()
    shot(page, "commune-01-mes-dossiers-vide")

    page.get_by_role("link", name="Nouveau dossier").click()
    page.get_by_label("Objet de l’opération").fill("Maison de santé du Segrais")
    page.get_by_role("button", name="Créer le brouillon").click()
    assert page.url.endswith("/modifier")

    page.get_by_label("Description du projet").fill("Deux cabinets de médecine générale.")
    page.get_by_label("Adresse des locaux").fill("2 place du Segrais, Lognes")
    page.get_by_label("Occupation des locaux par la commune").select_option("locataire")
    page.get_by_label("Libellé de la dépense 1").fill("Cloisons, plomberie")
    page.get_by_label("Catégorie de la dépense 1").select_option("travaux_amenagement")
    page.get_by_label("Montant HT de la dépense 1").fill("80 000,00")
    page.get_by_label("TVA de la dépense 1").fill("16 000,00")
    page.get_by_role("button", name="Ajouter une ligne de dépense").click()
    page.get_by_label("Libellé de la dépense 2").fill("Fauteuil dentaire")
    page.get_by_label("Catégorie de la dépense 2").select_option("equipement_specifique")
    page.get_by_label("Montant HT de la dépense 2").fill("20 000")
    page.get_by_label("Financeur 1").first.fill("ARS Île-de-France")
    page.get_by_label("Montant du financement 1").first.fill("20 000")
    page.get_by_label("Montant sollicité au FAPS (€)").fill("40 000,00")
    shot(page, "commune-02-brouillon")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Dossier enregistré.")).to_be_visible()

    page.get_by_role("link", name="Simulateur").click()
    page.get_by_label("Occupation des locaux").select_option("locataire")
    page.get_by_label("Libellé de la dépense 1").fill("Cloisons")
    page.get_by_label("Catégorie de la dépense 1").select_option("travaux_amenagement")
    page.get_by_label("Montant HT de la dépense 1").fill("100000")
    page.get_by_label("Montant sollicité (€)").fill("40000")
    grant = page.locator("#resultat .grant")
    grant.wait_for()  # the live result, drawn by simulateur.js from the API
    assert re.sub(r"\s", " ", grant.inner_text()) == "30 000,00 €"
    shot(page, "commune-03-simulateur")

    page.get_by_role("link", name="Mes dossiers").click()
    page.get_by_role("link", name="Brouillon").click()
    for kind in FILING_KINDS:
        page.get_by_label("Type de pièce").select_option(kind)
        page.get_by_label("Fichier (PDF, PNG ou JPEG)").set_input_files(
            files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": pdf(kind)}])
        page.get_by_role("button", name="Joindre la pièce").click()
    expect(page.locator("text=(manquante)")).to_have_count(0)
    shot(page, "commune-04-dossier-pieces")

    page.get_by_label(re.compile("Je certifie")).check()
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_role("heading", name="Accusé de réception")).to_be_visible()
    expect(page.get_by_text(re.compile(r"FAPS-2024-\d+")).first).to_be_visible()
    assert "05/02/2024" in page.content()
    shot(page, "commune-05-accuse-de-reception")
