"""Payment forms: the commune's request, the officer's payment and decisions."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from flask.testing import FlaskClient

from tests.support import World, pdf
from tests.web.conftest import csrf_of


def _advance_ready(w: World) -> tuple[UUID, UUID]:
    dossier_id = w.awarded()
    w.faps.grants.notify(w.officer, dossier_id)
    w.faps.grants.sign_agreement(w.officer, dossier_id, "CONV-2024-01", w.clock.now().date())
    doc = w.faps.dossiers.attach(w.agent, dossier_id, "attestation_demarrage",
                                 "attestation.pdf", pdf("attestation"))
    return dossier_id, doc


def test_the_commune_requests_an_advance_the_officer_pays_it(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    w = web_world
    dossier_id, doc = _advance_ready(w)
    agent = signed_in("agent")
    url = f"/finances/dossiers/{dossier_id}/versement"
    page = agent.get(url + "?nature=avance").get_data(as_text=True)
    assert "État des sommes déjà versées" in page and "attestation.pdf" in page
    # an advance asks for no expense, and starts from the règlement's rate (30 % of 30 000 €)
    assert 'name="expenses_paid"' not in page
    assert re.search(r'id="f-amount" name="amount" type="text" value="9 000,00"', page)
    response = agent.post(url, data={"csrf_token": csrf_of(agent, url), "kind": "avance",
                                     "amount": "5 000,00", "expenses_paid": "0",
                                     "documents": [str(doc)]})
    assert response.status_code == 302, response.get_data(as_text=True)
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    (request_id,) = dossier.payment_requests

    officer = signed_in("officer")
    officer_url = f"/finances/dossiers/{dossier_id}/versements"
    assert officer_url in officer.get(f"/instruction/dossiers/{dossier_id}").get_data(as_text=True)
    page = officer.get(officer_url).get_data(as_text=True)
    assert "Payer la demande" in page
    # the pay form is pre-filled with the amount asked, written with a French decimal comma
    assert re.search(r'id="f-pay-amount" name="amount" type="text" value="5000,00"', page)
    response = officer.post(f"{officer_url}/{request_id}/payer",
                            data={"csrf_token": csrf_of(officer, officer_url),
                                  "amount": "5000,00", "paid_on": "2024-03-01",
                                  "mandate_reference": "MANDAT-42"})
    assert response.status_code == 302, response.get_data(as_text=True)
    statement = officer.get(officer_url).get_data(as_text=True)
    assert "MANDAT-42" in statement and "5\u202f000,00" in statement
    w.faps.projections.catch_up()
    dashboard = officer.get("/finances/budget?annee=2024").get_data(as_text=True)
    assert "5\u202f000,00" in dashboard
    auditor = signed_in("auditor").get(officer_url).get_data(as_text=True)
    assert "MANDAT-42" in auditor and "Solder le dossier" not in auditor


def test_an_upload_is_attached_then_cited(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    w = web_world
    dossier_id = w.awarded()
    w.faps.grants.notify(w.officer, dossier_id)
    w.faps.grants.sign_agreement(w.officer, dossier_id, "CONV-2024-01", w.clock.now().date())
    agent = signed_in("agent")
    url = f"/finances/dossiers/{dossier_id}/versement"
    response = agent.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_of(agent, url), "kind": "avance", "amount": "1000",
        "expenses_paid": "0", "upload_kind": "attestation_demarrage",
        "file": (io.BytesIO(pdf("att")), "attestation.pdf")})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert len(w.faps.dossiers.load(w.officer, dossier_id).payment_requests) == 1


def test_an_advance_above_the_limit_comes_back_with_the_error_next_to_the_amount(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    w = web_world
    dossier_id, doc = _advance_ready(w)
    agent = signed_in("agent")
    url = f"/finances/dossiers/{dossier_id}/versement"
    response = agent.post(url, data={"csrf_token": csrf_of(agent, url), "kind": "avance",
                                     "amount": "12000,00", "expenses_paid": "0",
                                     "documents": [str(doc)]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="e-amount">l&#39;avance est limitée', html) or \
        re.search(r"id=\"e-amount\">l’avance est limitée", html), html
    assert 'value="12000,00"' in html
    assert re.search(rf'value="{doc}"\s+checked', html)
    assert not w.faps.dossiers.load(w.officer, dossier_id).payment_requests


def test_roles_communes_and_csrf_are_checked(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    w = web_world
    dossier_id, _ = _advance_ready(w)
    request_url = f"/finances/dossiers/{dossier_id}/versement"
    officer_url = f"/finances/dossiers/{dossier_id}/versements"
    assert signed_in("officer").get(request_url).status_code == 403
    assert signed_in("agent").get(officer_url).status_code == 403
    assert signed_in("other_agent").get(request_url).status_code == 404
    agent = signed_in("agent")
    assert agent.post(request_url, data={"kind": "avance", "amount": "1000",
                                         "expenses_paid": "0"}).status_code == 400
    auditor = signed_in("auditor")
    assert auditor.post(f"/finances/dossiers/{dossier_id}/cloture",
                        data={"csrf_token": csrf_of(auditor, officer_url)}).status_code == 403


def test_a_refusal_without_motive_shows_the_error_on_the_refusal_form_only(
        web_world: World, signed_in: Callable[[str], FlaskClient]) -> None:
    w = web_world
    dossier_id, doc = _advance_ready(w)
    request_id = w.faps.grants.request_payment(w.agent, dossier_id, "avance", Decimal("1000.00"),
                                               Decimal("0.00"), (doc,))
    officer = signed_in("officer")
    url = f"/finances/dossiers/{dossier_id}/versements"
    response = officer.post(f"{url}/{request_id}/refuser",
                            data={"csrf_token": csrf_of(officer, url), "motive": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="e-refuse-motive"' in html and 'id="e-lapse-motive"' not in html
    response = officer.post(f"{url}/{request_id}/refuser",
                            data={"csrf_token": csrf_of(officer, url), "motive": "Pièce illisible"})
    assert response.status_code == 302
    assert "Pièce illisible" in officer.get(url).get_data(as_text=True)
