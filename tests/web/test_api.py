"""The JSON API and the Simulateur page: same answer as `faps simulate`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support import World
from tests.web.conftest import csrf_of

SignedIn = Callable[[str], FlaskClient]
REQUEST: dict[str, Any] = {
    "commune": "77258", "premises_tenure": "locataire", "health_activity": True,
    "works_started": False,
    "expenses": [
        {"label": "Cloisons, plomberie", "category": "travaux_amenagement",
         "amount_ht": "80000.00", "vat": "16000.00"},
        {"label": "Fauteuil dentaire", "category": "equipement_specifique",
         "amount_ht": "20000.00", "vat": "4000.00"},
        {"label": "Mobilier de bureau", "category": "autre", "amount_ht": "5000.00",
         "vat": "1000.00"}],
    "public_funding": [{"funder": "ARS Île-de-France", "amount": "20000.00"}],
    "private_funding": [], "requested_amount": "40000.00", "commune_awarded_this_year": "0.00",
}


def post_json(browser: FlaskClient, path: str, body: Any, token: str | None):  # type: ignore[no-untyped-def]
    headers = {"X-CSRF-Token": token} if token else {}
    return browser.post(path, json=body, headers=headers)


@pytest.mark.parametrize("who", ["agent", "officer"])
def test_the_simulation_api_answers_the_shape_of_the_contract(signed_in: SignedIn, who: str):
    browser = signed_in(who)
    response = post_json(browser, "/api/v1/simulations", REQUEST, csrf_of(browser, "/accueil"))
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["eligible"] is True and result["grant"] == "30000.00"
    assert result["binding_cap"] == "cap_rate"
    assert result["figures"]["caps"]["cap_half_share"] == "42500.00"
    assert {c["code"] for c in result["criteria"]} >= {"commune_membre", "plancher"}


def test_invalid_input_gives_400_with_french_field_errors(signed_in: SignedIn):
    browser = signed_in("agent")
    body = {**REQUEST, "requested_amount": "beaucoup", "premises_tenure": "squat"}
    response = post_json(browser, "/api/v1/simulations", body, csrf_of(browser, "/accueil"))
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert "requested_amount" in errors and "premises_tenure" in errors


def test_the_api_needs_the_csrf_header_and_a_session(signed_in: SignedIn, client: FlaskClient):
    assert post_json(signed_in("agent"), "/api/v1/simulations", REQUEST, None).status_code == 400
    assert client.get("/api/v1/dossiers").status_code == 401


def test_the_dossiers_api_lists_only_what_the_caller_may_see(
    signed_in: SignedIn, web_world: World
):
    web_world.drafted(title="Projet de Lognes")
    web_world.faps.dossiers.draft(web_world.other_agent, "77108", {"title": "Projet de Chelles"})
    mine = signed_in("agent").get("/api/v1/dossiers").get_json()
    assert [row["title"] for row in mine["items"]] == ["Projet de Lognes"]
    assert mine["items"][0]["requested"] == "40000.00"
    # Drafts belong to their commune until filed: officers see only filed dossiers.
    assert signed_in("officer").get("/api/v1/dossiers").get_json()["items"] == []
    filed = web_world.submitted()
    officer_rows = signed_in("officer").get("/api/v1/dossiers").get_json()["items"]
    assert [row["id"] for row in officer_rows] == [str(filed)]


def test_the_simulator_page_explains_the_grant(signed_in: SignedIn):
    browser = signed_in("agent")
    form = {"csrf_token": csrf_of(browser, "/commune/simulateur"), "premises_tenure": "locataire",
            "health_activity": "true", "works_started": "false",
            "expenses[0].label": "Cloisons", "expenses[0].category": "travaux_amenagement",
            "expenses[0].amount_ht": "100 000,00", "expenses[0].vat": "",
            "public_funding[0].funder": "ARS", "public_funding[0].amount": "20 000",
            "requested_amount": "40 000"}
    page = browser.post("/commune/simulateur", data=form).get_data(as_text=True)
    assert "Projet éligible" in page and "30\u202f000,00\xa0€" in page
    assert "plafond retenu" in page and "simulateur.js" in page


def test_simulator_errors_are_shown_next_to_the_field(signed_in: SignedIn):
    browser = signed_in("officer")
    response = browser.post("/commune/simulateur", data={
        "csrf_token": csrf_of(browser, "/commune/simulateur"), "commune": "77258",
        "requested_amount": "1000"})
    assert response.status_code == 400
    assert 'id="e-premises_tenure"' in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["secretariat", "auditor", "admin"])
def test_the_simulator_page_is_for_communes_and_officers(signed_in: SignedIn, who: str):
    assert signed_in(who).get("/commune/simulateur").status_code == 403
