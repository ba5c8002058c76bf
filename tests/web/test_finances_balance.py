"""The officer's payment page explains the balance computed on the real cost before paying."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from flask.testing import FlaskClient

from tests.payments_support import pay, ready_to_pay, request
from tests.support import World
from tests.web.conftest import csrf_of


def test_the_officer_sees_the_pro_rata_reduction_then_pays_the_reduced_balance(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    w = web_world
    dossier_id = w.awarded()
    pay(w, dossier_id, "avance", Decimal("9000.00"))
    solde = request(w, dossier_id, "solde", Decimal("21000.00"), Decimal("50000.00"))
    officer, url = signed_in("officer"), f"/finances/dossiers/{dossier_id}/versements"
    page = officer.get(url).get_data(as_text=True)
    assert "Calcul du solde sur la dépense réelle" in page
    assert "Subvention au prorata</dt><dd>15\u202f000,00" in page
    assert re.search(r'data-figure="balance-due">6\u202f000,00', page)
    assert re.search(r'id="f-pay-amount" name="amount" type="text" value="6000,00"', page)
    response = officer.post(f"{url}/{solde}/payer", data={
        "csrf_token": csrf_of(officer, url), "amount": "21000,00", "paid_on": "2024-03-01",
        "mandate_reference": "MANDAT-9"})
    assert response.status_code == 400 and "au plus 6" in response.get_data(as_text=True)
    response = officer.post(f"{url}/{solde}/payer", data={
        "csrf_token": csrf_of(officer, url), "amount": "6000,00", "paid_on": "2024-03-01",
        "mandate_reference": "MANDAT-9"})
    assert response.status_code == 302, response.get_data(as_text=True)
    statement = w.faps.grants.statement(w.officer, dossier_id)
    assert (statement.awarded, statement.total_paid) == (Decimal("15000.00"),
                                                        Decimal("15000.00"))


def test_the_page_announces_the_clawback_when_more_was_paid_than_the_reduced_grant(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    w = web_world
    dossier_id = w.awarded()
    pay(w, dossier_id, "avance", Decimal("9000.00"))
    pay(w, dossier_id, "acompte", Decimal("15000.00"))
    request(w, dossier_id, "solde", Decimal("6000.00"), Decimal("50000.00"))
    page = signed_in("officer").get(f"/finances/dossiers/{dossier_id}/versements")
    html = page.get_data(as_text=True)
    assert re.search(r'data-figure="clawback">9\u202f000,00', html)
    assert "un reversement de 9\u202f000,00\u00a0€ est dû" in html
    assert re.search(r'id="f-pay-amount" name="amount" type="text" value="0,00"', html)


def test_the_commune_is_told_that_the_balance_follows_the_expenses_actually_paid(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    dossier_id = web_world.awarded()
    ready_to_pay(web_world, dossier_id)
    html = signed_in("agent").get(f"/finances/dossiers/{dossier_id}/versement?nature=solde"
                                  ).get_data(as_text=True)
    assert ("inférieure à la dépense éligible prévue (100\u202f000,00\u00a0€), la subvention "
            "est réduite au prorata") in html
