"""Issue 12, points 6 and 7 in a real browser: payments that flow, and that are right.

The commune is told why it cannot ask yet; an advance asks only for its piece and starts at the
règlement's rate; an acompte above award × justified ÷ planned base is refused with the rule;
the balance takes several files at once; the officer opens every piece, retains less than
declared with a motive, and is offered *Solder* as soon as the balance is paid, after a
confirmation; nothing more can be asked on the soldé dossier.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, shot
from tests.support import pdf


def files(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "mimeType": "application/pdf", "buffer": pdf(n)} for n in names]


def test_a_grant_is_asked_paid_retained_and_solde_without_dead_ends(
    new_page: Callable[[], Any], login: Callable[[Any, str], None], live_server: LiveServer
):
    world = live_server.world
    dossier_id = world.awarded(title="Cabinet infirmier du Luzard")  # 30 000 € on 100 000 €
    agent, officer = new_page(), new_page()
    login(agent, "agent")
    login(officer, "officer")

    # Nothing can be asked yet: the page says what is missing, the officer's page says who acts.
    agent.goto(f"/finances/dossiers/{dossier_id}/versement")
    blockers = agent.locator("section", has_text="Pas de demande de versement possible")
    assert "La décision doit être notifiée" in blockers.inner_text()
    assert "La convention de financement doit être signée" in blockers.inner_text()
    officer.goto(f"/finances/dossiers/{dossier_id}/versements")
    requests = officer.locator("section", has=officer.locator("#demandes")).inner_text()
    assert "Aucune demande pour l’instant" in requests
    assert "notifiée à la commune. La convention de financement doit être signée." in requests
    shot(officer, "versements-01-aucune-demande")
    world.faps.grants.notify(world.officer, dossier_id)
    world.faps.grants.sign_agreement(world.officer, dossier_id, "CONV-2024-07",
                                     world.clock.now().date())
    officer.reload()
    assert "C’est à la commune de demander un versement" in officer.content()

    # The advance: pre-filled at 30 %, no expense asked, its one piece sent with the request.
    agent.goto(f"/commune/dossiers/{dossier_id}")
    agent.get_by_role("link", name="Demander un versement").click()
    agent.get_by_role("link", name="Avance", exact=True).click()
    assert agent.get_by_label("Montant demandé (€)").input_value() == "9\u202f000,00"
    expect(agent.get_by_label(re.compile("Dépense"))).to_have_count(0)
    agent.get_by_label(re.compile("Attestation de démarrage")).first.set_input_files(
        files("ordre-de-service.pdf"))
    shot(agent, "versements-02-avance-pre-remplie")
    agent.get_by_role("button", name="Demander le versement").click()
    agent.get_by_text("Demande de versement transmise").wait_for()

    officer.reload()
    link = officer.get_by_role("link", name=re.compile("ordre-de-service.pdf"))
    assert link.get_attribute("href").startswith(f"/dossiers/{dossier_id}/pieces/")
    assert officer.request.get(link.get_attribute("href")).status == 200
    officer.get_by_label("Date du mandat").fill("2024-02-05")
    officer.get_by_label("Référence du mandat").fill("MANDAT-AV-1")
    officer.get_by_role("button", name="Enregistrer le versement").click()
    officer.get_by_text("Versement enregistré.").wait_for()

    # An acompte on 1,00 € of expenses: refused, with the règlement's rule and the figures.
    agent.goto(f"/finances/dossiers/{dossier_id}/versement?nature=acompte")
    assert "Un acompte est au plus égal" in agent.locator("#regle-acompte").inner_text()
    agent.get_by_label("Dépenses éligibles justifiées à ce jour (€)").fill("1,00")
    agent.get_by_label("Montant demandé (€)").fill("21 000")
    agent.get_by_label(re.compile("État récapitulatif")).first.set_input_files(files("etat-1.pdf"))
    agent.get_by_label(re.compile("Factures acquittées")).first.set_input_files(files("f-1.pdf"))
    agent.get_by_role("button", name="Demander le versement").click()
    error = agent.locator("#e-amount").inner_text()
    assert "l’acompte est limité à 0,00" in error and "dépenses éligibles justifiées" in error
    shot(agent, "versements-03-acompte-refuse")

    # The balance, with several invoices at once.
    agent.goto(f"/finances/dossiers/{dossier_id}/versement?nature=solde")
    assert agent.get_by_label("Montant demandé (€)").input_value() == "21\u202f000,00"
    agent.get_by_label("Dépense éligible acquittée (€)").fill("100 000")
    agent.get_by_label(re.compile("État récapitulatif")).first.set_input_files(
        files("etat-final.pdf"))
    agent.get_by_label(re.compile("Factures acquittées")).first.set_input_files(
        files("facture-plombier.pdf", "facture-electricien.pdf"))
    agent.get_by_label(re.compile("Certificat d’achèvement")).first.set_input_files(
        files("pv-reception.pdf"))
    agent.get_by_role("button", name="Demander le versement").click()
    agent.get_by_text("Demande de versement transmise").wait_for()

    # The officer opens each piece, retains 90 000 € (mobilier excluded) and pays the balance.
    officer.reload()
    row = officer.locator("tr", has_text="en attente")
    for name in ("etat-final.pdf", "facture-plombier.pdf", "facture-electricien.pdf",
                 "pv-reception.pdf"):
        expect(row.get_by_role("link", name=re.compile(re.escape(name)))).to_have_count(1)
    officer.get_by_label("Dépense éligible retenue (€)").fill("90 000")
    officer.get_by_label("Montant mandaté (€)").fill("18 000")
    officer.get_by_label("Date du mandat").fill("2024-06-14")
    officer.get_by_label("Référence du mandat").fill("MANDAT-SOLDE")
    officer.get_by_role("button", name="Enregistrer le versement").click()
    assert "motivez l’exclusion" in officer.locator("#e-pay-retention_motive").inner_text()
    officer.get_by_label(re.compile("Motif de l’exclusion")).fill(
        "Mobilier de bureau (10 000 €) hors catégories éligibles.")
    officer.get_by_label("Montant mandaté (€)").fill("18 000")
    officer.get_by_role("button", name="Enregistrer le versement").click()
    officer.get_by_text("vous pouvez maintenant solder le dossier").wait_for()
    statement = officer.locator("section", has_text="État des sommes déjà versées").inner_text()
    assert re.search(r"Montant attribué\s*27\s000,00\s€", statement)
    assert re.search(r"Total versé\s*27\s000,00\s€", statement)

    # Solder is offered first, and asks for a confirmation.
    solder = officer.locator("section", has_text="Le solde est versé : soldez le dossier")
    shot(officer, "versements-04-solder-propose")
    solder.get_by_role("button", name="Solder le dossier").click()
    assert "cochez la case" in officer.locator("#e-close-confirm").inner_text()
    officer.get_by_label("Je confirme que le dossier est soldé.").first.check()
    officer.get_by_role("button", name="Solder le dossier").first.click()
    officer.get_by_text("Dossier soldé.").wait_for()
    history = officer.request.get(f"/instruction/dossiers/{dossier_id}").text()
    assert "Dépenses éligibles retenues au solde" in history

    # Nothing more can be asked on a soldé dossier.
    agent.goto(f"/commune/dossiers/{dossier_id}")
    expect(agent.get_by_role("link", name="Demander un versement")).to_have_count(0)
    agent.goto(f"/finances/dossiers/{dossier_id}/versement")
    assert "aucun versement ne peut être demandé" in agent.content()
    shot(agent, "versements-05-solde-rien-a-demander")
