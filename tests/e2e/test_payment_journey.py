"""A commune requests its balance with its statement; the officer pays it; the budget shows it."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, shot
from tests.payments_support import pay
from tests.support import pdf

NNBSP, NBSP = "\u202f", "\u00a0"


def euros(text: str) -> str:
    """Write an amount as pages print it: « 30 000,00 € » with French no-break spaces."""
    whole, _, cents = text.partition(",")
    return whole.replace(" ", NNBSP) + "," + cents + NBSP + "€"


def upload(page: Any, kind: str) -> None:
    """Choose a file of a kind in the page's upload fields."""
    page.get_by_label("Type de pièce").select_option(kind)
    page.get_by_label("Fichier (PDF, PNG ou JPEG)").set_input_files(
        files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": pdf(kind)}])


def figures(page: Any) -> dict[str, str]:
    """Return the dashboard's headline figures (voted, committed, paid, remaining)."""
    cells = page.locator("td[data-figure]")
    return {cells.nth(i).get_attribute("data-figure"): cells.nth(i).inner_text()
            for i in range(cells.count())}


def commune_row(page: Any, name: str) -> list[str]:
    """Return the cells of a commune's row in the per-commune table."""
    row = page.locator("table", has_text="par commune").locator("tr", has=page.locator(
        "th", has_text=name))
    return [c.strip() for c in row.locator("th, td").all_inner_texts()]


def test_a_commune_requests_its_balance_the_officer_pays_it_and_the_budget_shows_it(
    new_page: Callable[[], Any], login: Callable[[Any, str], None], live_server: LiveServer
):
    world, clock = live_server.world, live_server.clock
    dossier_id = world.awarded(title="Maison de santé du Mandinet")  # 30,000 € awarded
    world.faps.grants.notify(world.officer, dossier_id)
    pay(world, dossier_id, "avance", Decimal("9000.00"))  # the 30 % advance, on 05/02/2024
    reference = world.faps.dossiers.load(world.officer, dossier_id).reference or ""
    clock.advance(days=130)  # works finished: mid-June 2024

    # The officer's budget before the balance: 9,000 € paid to Lognes out of 30,000 € committed.
    officer = new_page()
    login(officer, "officer")
    officer.goto("/finances/budget?annee=2024")
    assert figures(officer) == {"voted": euros("1 000 000,00"), "committed": euros("30 000,00"),
                                "paid": euros("9 000,00"), "remaining": euros("970 000,00")}

    # The commune asks for the balance, with its certified expense statement and justificatifs.
    agent = new_page()
    login(agent, "agent")
    agent.goto(f"/commune/dossiers/{dossier_id}")
    for kind in ("etat_recapitulatif", "factures"):  # joined to the dossier first
        upload(agent, kind)
        agent.get_by_role("button", name="Joindre la pièce").click()
        agent.get_by_text(f"Pièce « {kind}.pdf » jointe au dossier.").wait_for()
    agent.get_by_role("link", name="Demander un versement").click()
    statement = agent.locator("section", has_text="État des sommes déjà versées")
    assert re.search(r"Total versé\s*9\s000,00\s€", statement.inner_text())
    assert re.search(r"Reste à verser\s*21\s000,00\s€", statement.inner_text())
    agent.get_by_role("link", name="Solde", exact=True).click()
    assert agent.get_by_label("Montant demandé (€)").input_value() == "21\u202f000,00"
    agent.get_by_label("Dépense éligible acquittée (€)").fill("100 000,00")
    agent.get_by_label(re.compile("— etat_recapitulatif.pdf")).check()
    agent.get_by_label(re.compile("— factures.pdf")).check()
    agent.get_by_label(re.compile("Certificat d’achèvement")).set_input_files(files=[{
        "name": "certificat_achevement.pdf", "mimeType": "application/pdf",
        "buffer": pdf("certificat_achevement")}])
    shot(agent, "payment-01-commune-demande-de-solde")
    agent.get_by_role("button", name="Demander le versement").click()
    agent.get_by_text("Demande de versement transmise au service instructeur.").wait_for()

    # The officer sees the request on the dossier's payments page and pays it.
    officer.goto("/instruction/?state=attribue")
    officer.get_by_role("link", name=reference).click()
    officer.get_by_role("link", name=re.compile(r"Versements\s*: état des sommes")).click()
    request = officer.locator("section", has_text="Demandes de versement").locator(
        "tr", has_text="en attente").locator("td").all_inner_texts()
    assert request[:3] == ["Solde", euros("21 000,00"), euros("100 000,00")]
    for piece in ("etat_recapitulatif.pdf", "factures.pdf", "certificat_achevement.pdf"):
        assert piece in request[3]
    shot(officer, "payment-02-instructeur-demande-en-attente")
    assert officer.get_by_label("Montant mandaté (€)").input_value() == "21000,00"
    officer.get_by_label("Date du mandat").fill("2024-06-14")
    officer.get_by_label("Référence du mandat").fill("MANDAT-2024-0614")
    officer.get_by_role("button", name="Enregistrer le versement").click()
    officer.get_by_text("Versement du solde enregistré : vous pouvez maintenant solder le "
                        "dossier.").wait_for()
    paid = officer.locator("section", has_text="État des sommes déjà versées").inner_text()
    assert re.search(r"Total versé\s*30\s000,00\s€", paid)
    assert re.search(r"Reste à verser\s*0,00\s€", paid)

    # The budget dashboard: new paid figure, Lognes fully paid, both charts and their text.
    officer.goto("/finances/budget?annee=2024")
    assert figures(officer) == {"voted": euros("1 000 000,00"), "committed": euros("30 000,00"),
                                "paid": euros("30 000,00"), "remaining": euros("970 000,00")}
    assert commune_row(officer, "Lognes") == [
        "Lognes", euros("30 000,00"), euros("30 000,00"), euros("0,00")]
    bars = officer.locator("svg[role=img]", has=officer.locator("title", has_text="par commune"))
    assert bars.locator("desc").text_content() == (
        f"Lognes : engagé {euros('30 000,00')}, versé {euros('30 000,00')}")
    cumul = officer.locator("svg[role=img]", has=officer.locator("title", has_text="cumulés"))
    assert cumul.locator("desc").text_content() == (
        f"05/02/2024 : {euros('9 000,00')}; 14/06/2024 : {euros('30 000,00')}")
    expect(cumul.locator("circle")).to_have_count(2)
    shot(officer, "payment-03-tableau-de-bord-budget")

    # The commune sees the balance paid on its dossier.
    agent.goto(f"/commune/dossiers/{dossier_id}")
    assert agent.locator("dl.facts dt", has_text="Déjà versé").locator(
        "xpath=following-sibling::dd[1]").inner_text() == euros("30 000,00")
