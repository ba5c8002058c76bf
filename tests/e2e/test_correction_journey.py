"""Forgiving instruction in a real browser: a proposed dossier sent back for correction, the
commune's correction and reply, the thread both ways, the officers' *À traiter* queue, and an
external opinion given through its single-use link."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, shot
from tests.support import pdf

DEVIS = "Devis ou estimation détaillée des dépenses (HT, TVA, TTC)"


def queue(page: Any, key: str) -> Any:
    """Return the table of one kind of the *À traiter* queue (wrapped in its scroll box)."""
    return page.locator(f"section[aria-labelledby=q-{key}] table")


def mails_to(live_server: LiveServer, address: str) -> list[dict[str, Any]]:
    """Return the mails queued or sent to an address."""
    live_server.world.faps.followers.settle()  # the server's thread queues the events' mails
    outbox = live_server.world.faps.mailer.outbox
    return [m for m in outbox.sent() + outbox.pending() if address in m["recipients"]]


def test_an_officer_sends_a_proposed_dossier_back_and_the_commune_corrects_it(
    new_page: Callable[[], Any], login: Callable[[Any, str], None], live_server: LiveServer
):
    w = live_server.world
    dossier_id = w.proposed()
    officer, agent = new_page(), new_page()
    login(officer, "officer")
    officer.goto(f"/instruction/dossiers/{dossier_id}")
    officer.get_by_text("Demander des compléments ou renvoyer pour correction").click()
    expect(officer.get_by_text("il faudra instruire à nouveau")).to_be_visible()
    officer.get_by_label("Message à la commune").fill(
        "Le montant sollicité dépasse le plafond : corrigez-le et joignez le devis mis à jour.")
    officer.get_by_role("checkbox", name="Montant sollicité").check()
    officer.get_by_role("checkbox", name=DEVIS).check()
    shot(officer, "correction-01-renvoi-pour-correction")
    officer.get_by_role("button", name="Envoyer la demande").click()
    expect(officer.get_by_text("Dossier renvoyé à la commune pour correction.")).to_be_visible()
    expect(officer.get_by_text("Pas encore instruit.")).to_be_visible()  # the assessment fell
    assert "Compléments demandés" in officer.content()

    login(agent, "agent")
    agent.goto(f"/commune/dossiers/{dossier_id}")
    expect(agent.get_by_role("heading", name="Correction demandée")).to_be_visible()
    agent.get_by_role("link", name="Corriger le dossier").click()
    agent.get_by_label("Montant sollicité au FAPS (€)").fill("25 000,00")
    agent.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(agent.get_by_text("Dossier enregistré.")).to_be_visible()

    agent.get_by_label("Votre réponse").fill("Montant ramené à 25 000 €.")
    agent.get_by_role("button", name="Envoyer la réponse").click()
    expect(agent.get_by_text("expliquez pourquoi").first).to_be_visible()  # no devis, no reason
    shot(agent, "correction-02-reponse-refusee-sans-piece")
    agent.get_by_label(re.compile(r"Devis ou estimation .*pièce demandée")).set_input_files(
        files=[{"name": "devis-2024.pdf", "mimeType": "application/pdf",
                "buffer": pdf("devis")}])
    agent.get_by_label("Votre réponse").fill("Montant ramené à 25 000 € ; devis mis à jour.")
    agent.get_by_role("button", name="Envoyer la réponse").click()
    expect(agent.get_by_text("Réponse transmise au service instructeur.")).to_be_visible()
    assert mails_to(live_server, w.officer.email), "the officer is mailed the reply"

    officer.goto("/instruction/")
    queue_link = officer.get_by_role("link", name=re.compile(r"À traiter \(\d+\)"))
    expect(queue_link).to_be_visible()
    queue_link.click()
    expect(queue(officer, "reponses").get_by_text("Maison de santé")).to_be_visible()
    shot(officer, "correction-03-a-traiter")
    queue(officer, "reponses").locator("a").first.click()
    expect(officer.get_by_role("heading", name="La commune a répondu")).to_be_visible()
    officer.get_by_role("button", name="Accepter la réponse").click()
    expect(officer.get_by_text("Réponse acceptée").first).to_be_visible()

    officer.get_by_label("Nouveau message").fill("Merci, nous reprenons l’instruction.")
    officer.get_by_role("button", name="Envoyer le message").click()
    expect(officer.get_by_text("Message envoyé.")).to_be_visible()
    agent.goto(f"/commune/dossiers/{dossier_id}")
    thread = agent.locator("#messagerie")
    expect(thread.get_by_text("Merci, nous reprenons l’instruction.")).to_be_visible()
    expect(thread.get_by_text("nouveau").first).to_be_visible()
    agent.get_by_label("Nouveau message").fill("Parfait, merci.")
    agent.get_by_label(re.compile("Pièces jointes")).set_input_files(
        files=[{"name": "planning.pdf", "mimeType": "application/pdf",
                "buffer": pdf("planning")}])
    agent.get_by_role("button", name="Envoyer le message").click()
    expect(agent.locator("#messagerie").get_by_role("link", name="planning.pdf")).to_be_visible()
    shot(agent, "correction-04-messagerie-commune")
    officer.reload()
    expect(officer.locator("#messagerie").get_by_text("Parfait, merci.")).to_be_visible()
    expect(officer.locator("#messagerie").get_by_text("lu par la commune").first).to_be_visible()
    shot(officer, "correction-05-messagerie-instructeur")


def test_a_consulted_body_answers_once_through_its_link(
    new_page: Callable[[], Any], login: Callable[[Any, str], None], live_server: LiveServer
):
    w = live_server.world
    dossier_id = w.assessed()
    officer, body = new_page(), new_page()
    login(officer, "officer")
    officer.goto(f"/instruction/dossiers/{dossier_id}")
    officer.get_by_text("Demander un avis extérieur").click()
    officer.get_by_label("Organisme consulté").fill("ARS Île-de-France")
    officer.get_by_label("Adresse électronique de l’organisme").fill("avis@ars.test")
    officer.get_by_label("Question posée").fill("Le projet répond-il à un besoin du territoire ?")
    due = (w.clock.now().date() + timedelta(days=14)).isoformat()
    officer.get_by_label("Avis attendu au plus tard le").fill(due)
    shot(officer, "avis-01-demande")
    officer.get_by_role("button", name="Demander l’avis").click()
    expect(officer.get_by_text("Avis demandé à ARS Île-de-France")).to_be_visible()
    officer.goto("/instruction/a-traiter")
    expect(queue(officer, "avis").get_by_text("ARS Île-de-France")).to_be_visible()

    (request,) = mails_to(live_server, "avis@ars.test")
    link = re.search(r"https?://\S+(/avis/\S+)", request["body"])
    assert link, request["body"]
    body.goto(link.group(1))  # the mail's address, on this test server
    heading = body.get_by_role("heading", name=re.compile("Avis de ARS Île-de-France"))
    expect(heading).to_be_visible()
    body.get_by_role("button", name="Envoyer l’avis").click()
    expect(body.get_by_role("alert").get_by_text("Avis").first).to_be_visible()  # no verdict chosen
    body.get_by_role("radio", name="Favorable", exact=True).check()
    body.get_by_label("Motivation").fill("Zone d’intervention prioritaire : besoin avéré.")
    body.get_by_label(re.compile("Pièce jointe")).set_input_files(
        files=[{"name": "avis-ars.pdf", "mimeType": "application/pdf", "buffer": pdf("avis")}])
    shot(body, "avis-02-formulaire-organisme")
    body.get_by_role("button", name="Envoyer l’avis").click()
    expect(body.get_by_text("votre avis est enregistré")).to_be_visible()
    body.goto(link.group(1))
    expect(body.get_by_text("ne sert qu’une fois")).to_be_visible()
    shot(body, "avis-03-lien-deja-utilise")

    officer.goto(f"/instruction/dossiers/{dossier_id}")
    opinions = officer.locator("section[aria-labelledby=avis-title]")
    expect(opinions.get_by_text("favorable")).to_be_visible()
    expect(opinions.get_by_role("link", name="avis-ars.pdf")).to_be_visible()
    shot(officer, "avis-04-dossier")
