"""The officers' *À traiter* queue in a real browser: what each arrival adds, counted in the
menu; a grant with nothing requested says what the commune must do."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, shot
from tests.payments_support import ready_to_pay, request


def queue(page: Any, key: str) -> Any:
    """Return the table of one kind of the *À traiter* queue (wrapped in its scroll box)."""
    return page.locator(f"section[aria-labelledby=q-{key}] table")


def menu_count(page: Any) -> int:
    """Return the number the officers' menu shows after « À traiter »."""
    label = page.get_by_role("link", name=re.compile(r"À traiter \(\d+\)")).inner_text()
    return int(re.search(r"\((\d+)\)", label).group(1))  # type: ignore[union-attr]


def test_each_arrival_lands_in_the_officers_queue_and_its_count(
    new_page: Callable[[], Any], login: Callable[[Any, str], None], live_server: LiveServer
):
    w = live_server.world
    officer = new_page()
    login(officer, "officer")
    officer.goto("/instruction/a-traiter")
    before = menu_count(officer)

    awarded = w.awarded()
    ready_to_pay(w, awarded)  # notified and its agreement signed: the commune may ask
    officer.goto(f"/finances/dossiers/{awarded}/versements")
    expect(officer.get_by_text(re.compile("C’est à la commune de demander un versement"))) \
        .to_be_visible()
    shot(officer, "a-traiter-01-versements-rien-demande")

    to_check = w.submitted()  # a new filing: to check
    request(w, awarded, "avance", Decimal("5000.00"))  # a payment request
    asked = w.assessed()
    w.faps.exchanges.request_opinion(w.officer, asked, "CPTS Marne-la-Vallée", "cpts@test",
                                     "Avis ?", w.clock.now().date() + timedelta(days=2))
    w.faps.exchanges.post(w.agent, to_check, "Nous avons une question sur le calendrier.")

    officer.goto("/instruction/a-traiter")
    assert menu_count(officer) == before + 4
    versements = queue(officer, "versements")
    expect(versements.get_by_role("link", name=re.compile("FAPS-"))).to_be_visible()
    expect(queue(officer, "avis").get_by_text("CPTS Marne-la-Vallée")).to_be_visible()
    expect(queue(officer, "avis").get_by_text("bientôt")).to_be_visible()
    expect(queue(officer, "messages").get_by_text("Lognes")).to_be_visible()
    expect(queue(officer, "a_instruire").get_by_text("Déposé").first).to_be_visible()
    shot(officer, "a-traiter-02-file")

    queue(officer, "messages").locator("a").first.click()
    assert "#messagerie" in officer.url
    officer.get_by_label("Nouveau message").fill("Le calendrier peut glisser d’un mois.")
    officer.get_by_role("button", name="Envoyer le message").click()
    officer.goto("/instruction/a-traiter")
    assert menu_count(officer) == before + 3  # the message was answered
    expect(officer.locator("#q-messages + p").get_by_text("Rien en attente.")).to_be_visible()
