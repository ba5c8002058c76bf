"""One dossier's whole way through the fund, each role in its own browser, end to end."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, shot
from tests.support import FILING_KINDS, content, pdf


def attach(page: Any, kind: str) -> None:
    """Upload a PDF of a kind from the commune's dossier page."""
    page.get_by_label("Type de pièce").select_option(kind)
    page.get_by_label("Fichier (PDF, PNG ou JPEG)").set_input_files(
        files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": pdf(kind)}])
    page.get_by_role("button", name="Joindre la pièce").click()


def test_a_dossier_goes_from_filing_to_an_adopted_vote_and_the_auditor_replays_it(
    new_page: Callable[[], Any], login: Callable[[Any, str], None], live_server: LiveServer
):
    world = live_server.world
    dossier_id = world.faps.dossiers.draft(world.agent, "77258",
                                           content(title="Maison de santé des Mandinet"))
    for kind in FILING_KINDS[:-1]:
        world.faps.dossiers.attach(world.agent, dossier_id, kind, f"{kind}.pdf", pdf(kind))

    # The commune joins the last document and files the dossier.
    agent = new_page()
    login(agent, "agent")
    agent.goto(f"/commune/dossiers/{dossier_id}")
    attach(agent, FILING_KINDS[-1])
    agent.get_by_label(re.compile("Je certifie")).check()
    agent.get_by_role("button", name="Déposer le dossier").click()
    expect(agent.get_by_role("heading", name="Accusé de réception")).to_be_visible()
    reference = world.faps.dossiers.load(world.officer, dossier_id).reference
    assert reference

    # The officer finds it in the inbox and asks for an updated quote.
    officer = new_page()
    login(officer, "officer")
    officer.goto("/instruction/?state=depose")
    shot(officer, "journey-01-instruction-inbox")
    officer.get_by_role("link", name=reference).click()
    officer.locator("summary", has_text="Demander des compléments").click()
    officer.get_by_label("Message à la commune").fill("Merci de joindre le devis actualisé.")
    officer.locator("input[name=document_kinds][value=devis]").check()
    officer.get_by_role("button", name="Envoyer la demande").click()
    officer.get_by_text("Demande de compléments envoyée").wait_for()

    # The commune provides the document and answers.
    agent.goto(f"/commune/dossiers/{dossier_id}")
    attach(agent, "devis")
    agent.get_by_label("Votre réponse").fill("Devis actualisé joint.")
    agent.get_by_role("button", name="Envoyer la réponse").click()
    agent.get_by_text("Réponse transmise").wait_for()

    # The officer declares it complete, assesses it and proposes the maximum.
    officer.reload()
    officer.get_by_role("button", name="Déclarer le dossier complet").click()
    officer.get_by_role("button", name="Instruire l’éligibilité").click()
    officer.get_by_text("plafond retenu").wait_for()
    proposed = officer.get_by_role("textbox", name=re.compile("^Montant proposé"))
    assert proposed.input_value() == "30000,00"
    officer.get_by_label("Motivation").fill("Projet conforme au règlement 2022.")
    shot(officer, "journey-02-instruction-dossier")
    officer.get_by_role("button", name="Proposer", exact=True).click()
    officer.get_by_text("Attribution proposée au conseil.").wait_for()

    # Ten days later the secretariat schedules a session, builds the agenda and records the vote.
    live_server.clock.advance(days=10)
    secretariat = new_page()
    login(secretariat, "secretariat")
    secretariat.goto("/assemblees/")
    secretariat.get_by_label("Date de la séance").fill("2024-02-15")
    secretariat.get_by_label("Date de convocation").fill("2024-02-09")
    secretariat.get_by_label("Lieu").fill("Torcy, hôtel d'agglomération")
    secretariat.get_by_role("button", name="Créer la séance").click()
    secretariat.get_by_label(f"Inscrire {reference}").check()
    secretariat.get_by_role("button", name="Inscrire à l’ordre du jour").click()
    secretariat.locator("#f-p1-deliberation_reference").fill("DEL-2024-015")
    for name, value in (("votes_for", "50"), ("votes_against", "3"), ("abstentions", "2"),
                        ("present", "52"), ("voting", "55")):
        secretariat.locator(f"#f-p1-{name}").fill(value)
    secretariat.get_by_role("button", name="Enregistrer le vote").click()
    secretariat.get_by_text("Vote du point n° 1 enregistré.").wait_for()
    shot(secretariat, "journey-03-assemblees-seance")

    # The auditor reads the whole timeline and the dossier as it stood before the vote.
    auditor = new_page()
    login(auditor, "auditor")
    auditor.get_by_label("Référence ou intitulé").fill(reference)
    auditor.get_by_role("button", name="Rechercher").click()
    timeline = auditor.locator("table").last
    for label in ("Dossier déposé", "Compléments demandés", "Compléments fournis",
                  "Attribution proposée au conseil", "Vote du conseil"):
        expect(timeline.get_by_text(label).first, label).to_be_visible()
    auditor.get_by_label("À la date du").fill("2024-02-10")
    auditor.get_by_role("button", name="Afficher").click()
    auditor.get_by_role("heading", name="Au 10/02/2024").wait_for()
    before = auditor.locator("dl.facts")
    before.get_by_text("Proposé au conseil").wait_for()
    shot(auditor, "journey-04-audit-dossier")
    auditor.goto("/audit/fonds?as_of=2024-02-10")
    shot(auditor, "journey-05-audit-fonds")
