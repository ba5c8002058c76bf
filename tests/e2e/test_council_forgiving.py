"""Issue 12, point 4 in a real browser: council sessions that forgive.

Before its session an item is moved to another one, with a motive; *Clore la séance* says which
items still lack an outcome, then asks for a confirmation; a recorded vote is rectified with its
motive, the commune reads the rectified figures under the deciding body's name (*Bureau*), and
the export recorded before says it was superseded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, shot


def test_items_move_sessions_close_knowingly_and_a_vote_is_rectified(
    new_page: Callable[[], Any], login: Callable[[Any, str], None], live_server: LiveServer
):
    world = live_server.world
    council, today = world.faps.council, world.clock.now().date()
    moved, voted, withdrawn = (world.proposed(title=t) for t in (
        "Maison de santé de Noisiel", "Centre de santé de Lognes", "Cabinet dentaire"))
    march, april = world.session(date(2024, 3, 1)), world.session(date(2024, 4, 5))
    board = council.schedule(world.secretariat, "bureau", today, "Torcy, salle du bureau",
                             today - timedelta(days=6), 15, "Le Président", "La secrétaire")
    council.add_to_agenda(world.secretariat, march, [moved])
    council.add_to_agenda(world.secretariat, board, [voted, withdrawn])
    world.faps.projections.catch_up()
    page = new_page()
    login(page, "secretariat")

    # Before its session, the item is moved to April's, with a motive.
    page.goto(f"/assemblees/seances/{march}")
    assert "le point peut être retiré ou reporté" in page.content()
    page.get_by_text("Reporter ce point à une autre séance").click()
    page.get_by_label("Séance où reporter le point").select_option(
        label="Conseil communautaire du 05/04/2024")
    page.get_by_label("Motif du report").fill("Avis de l'ARS attendu pour fin mars.")
    shot(page, "seance-01-report-d-un-point")
    page.get_by_role("button", name="Reporter le point").click()
    page.get_by_text("Point n° 1 reporté\u202f: il devient le point n° 1 "
                     "de l’autre séance.").wait_for()
    assert "Retiré" in page.locator("#point-1").locator("..").inner_text()
    page.goto(f"/assemblees/seances/{april}")
    assert "Maison de santé de Noisiel" in page.locator("#point-1").locator("..").inner_text()

    # The board's session: one vote recorded, the other item still open.
    page.goto(f"/assemblees/seances/{board}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bureau communautaire")
    item = page.locator("section", has=page.locator("#point-1"))
    item.get_by_label("N° de délibération").fill("B-2024-007")
    for label, value in (("Pour", "12"), ("Contre", "1"), ("Abstentions", "0"),
                         ("Présents", "13"), ("Votants (présents et représentés)", "13")):
        item.get_by_label(re.compile(f"^{re.escape(label)}( \\*)?$")).fill(value)
    item.get_by_role("button", name="Enregistrer le vote").click()
    page.get_by_text("Vote du point n° 1 enregistré.").wait_for()
    closing = page.locator("section", has=page.locator("#cloture"))
    assert "le point n° 2 n’a pas d’issue enregistrée" in closing.inner_text()
    expect(closing.get_by_role("button", name="Clore la séance")).to_have_count(0)
    shot(page, "seance-02-cloture-impossible-dit-pourquoi")

    second = page.locator("section", has=page.locator("#point-2"))
    second.get_by_text("Retirer ce point de l’ordre du jour").click()
    second.get_by_label("Motif du retrait").fill(
        "Dossier incomplet : plan de financement à revoir.")
    second.get_by_role("button", name="Retirer le point").click()
    page.get_by_text("Point n° 2 retiré de l’ordre du jour.").wait_for()
    page.get_by_role("button", name="Clore la séance").click()
    assert "cochez la case" in page.locator("#e-close-confirm").inner_text()
    page.get_by_label("Je confirme la clôture de la séance.").check()
    page.get_by_role("button", name="Clore la séance").click()
    page.get_by_text("Séance close.").wait_for()

    # The decisions are exported, then the vote is rectified (wrong amount and number).
    page.goto("/exports/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    exported = page.request.post("/exports/decisions", form={
        "csrf_token": token, "year": "2024", "format": "csv", "separator": ";"})
    assert exported.status == 200
    page.goto(f"/assemblees/seances/{board}")
    page.get_by_text("Rectifier une erreur matérielle").click()
    page.get_by_label("Montant attribué rectifié (€)").fill("29 000")
    page.get_by_label("N° de délibération rectifié").fill("B-2024-017")
    page.get_by_label("Motif de la rectification").fill(
        "Erreur de saisie : le bureau a voté 29 000 € sous le n° B-2024-017.")
    shot(page, "seance-03-rectification")
    page.get_by_role("button", name="Rectifier la délibération").click()
    page.get_by_text("Délibération du point n° 1 rectifiée.").wait_for()
    text = page.locator("section", has=page.locator("#point-1")).inner_text()
    assert "29 000,00 €" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "B-2024-017" in text

    # The export made before says it was superseded.
    page.goto("/exports/enregistres")
    expect(page.get_by_text(re.compile("une délibération a été rectifiée le"))).to_have_count(1)
    shot(page, "seance-04-export-remplace")

    # The commune reads the rectified decision, under the board's name.
    agent = new_page()
    login(agent, "agent")
    agent.goto(f"/commune/dossiers/{voted}")
    decision = agent.locator("section", has=agent.locator("#decisions")).inner_text()
    assert "Décision du bureau communautaire" in decision
    assert "B-2024-017 (rectifiée" in decision
    assert "29 000,00 €" in decision.replace("\u202f", " ").replace("\xa0", " ")
    history = agent.locator("ol.timeline").inner_text()
    assert "Délibération rectifiée (erreur matérielle)" in history
    assert "Bureau communautaire\u202f: adoptée" in history
    shot(agent, "seance-05-commune-decision-rectifiee")
