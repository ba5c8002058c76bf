"""The workflow's later operations through the API: each as the role allowed, refused to others.

Every operation is called with tokens: first by each role that may not (403, or 404 for another
commune's dossier: its existence is not disclosed), then by the role that may, whose call does
what the page does.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from flask import Flask

from tests.support import World, pdf
from tests.web.api_support import Caller, token_of

ROLES = ("agent", "other_agent", "officer", "secretariat", "auditor", "admin")
BALANCE_KINDS = ("etat_recapitulatif", "factures", "certificat_achevement")


def callers(app: Flask, world: World) -> dict[str, Caller]:
    return {role: Caller(app.test_client(), token_of(world, getattr(world, role)))
            for role in ROLES}


def refused_then_done(app: Flask, world: World, method: str, path: str, body: Any,
                      allowed: tuple[str, ...], status: int = 201,
                      dossier_scoped: bool = True) -> dict[str, Any]:
    """Call as every other role (refused, nothing recorded), then as the first allowed one."""
    api = callers(app, world)
    for role in ROLES:
        if role in allowed:
            continue
        refused = api[role].call(method, path, body)
        expected = 404 if role == "other_agent" and dossier_scoped else 403
        assert refused.status_code == expected, (role, refused.get_json())
        assert refused.content_type == "application/problem+json"
    done = api[allowed[0]].call(method, path, body, {"Idempotency-Key": f"k-{path}"})
    assert done.status_code == status, done.get_data(as_text=True)
    again = api[allowed[0]].call(method, path, body, {"Idempotency-Key": f"k-{path}"})
    assert again.status_code == status and again.headers.get("Idempotent-Replayed") == "true"
    return done.get_json() if status != 204 else {}


def due(world: World, days: int = 15) -> str:
    return (world.clock.now().date() + timedelta(days=days)).isoformat()


def with_balance_request(world: World) -> tuple[UUID, UUID]:
    """Return an awarded, notified, signed dossier and its pending balance request."""
    faps = world.faps
    dossier_id = world.awarded()
    faps.grants.notify(world.officer, dossier_id)
    faps.grants.sign_agreement(world.officer, dossier_id, "CONV-1", world.clock.now().date())
    documents = tuple(faps.dossiers.attach(world.agent, dossier_id, k, f"{k}.pdf", pdf(k))
                      for k in BALANCE_KINDS)
    awarded = faps.dossiers.load(world.officer, dossier_id).awarded_amount
    request_id = faps.grants.request_payment(world.agent, dossier_id, "solde", awarded,
                                             Decimal("100000.00"), documents)
    return dossier_id, request_id


def on_agenda(world: World) -> tuple[UUID, UUID]:
    """Return a proposed dossier placed as item 1 of a new session."""
    dossier_id = world.proposed()
    session_id = world.session()
    world.faps.council.add_to_agenda(world.secretariat, session_id, [dossier_id])
    return dossier_id, session_id


def state_of(world: World, dossier_id: UUID) -> str:
    return world.faps.dossiers.load(world.officer, dossier_id).state.value


# -- the exchange ------------------------------------------------------------------------------
def test_an_officer_sends_a_dossier_back_for_correction_of_named_fields(
    app: Flask, web_world: World
):
    dossier_id = web_world.assessed()
    body = {"message": "Le montant dépasse le plafond.", "fields": ["requested_amount"],
            "due_on": due(web_world)}
    done = refused_then_done(app, web_world, "POST",
                             f"/api/v1/dossiers/{dossier_id}/corrections", body, ("officer",))
    assert done["state"] == "complements_demandes"
    dossier = web_world.faps.dossiers.load(web_world.officer, dossier_id)
    assert dossier.information_requests[-1].fields == ("requested_amount",)
    assert dossier.assessment is None  # the assessment no longer stands
    bad = callers(app, web_world)["officer"].post(
        f"/api/v1/dossiers/{web_world.submitted()}/corrections",
        {"message": "x", "fields": ["couleur"]})
    assert bad.status_code == 400 and "fields[0]" in bad.get_json()["errors"]


def test_the_commune_answers_and_the_officer_accepts_or_asks_again(app: Flask, web_world: World):
    faps = web_world.faps
    dossier_id = web_world.submitted()
    faps.dossiers.request_information(web_world.officer, dossier_id, "Le bail signé ?")
    base = f"/api/v1/dossiers/{dossier_id}"
    answered = refused_then_done(app, web_world, "POST", f"{base}/replies",
                                 {"message": "Le bail est en cours de signature."}, ("agent",))
    assert answered["state"] == "depose"
    accepted = refused_then_done(app, web_world, "POST", f"{base}/reply-acceptance", {},
                                 ("officer",))
    assert accepted["state"] == "depose"
    assert faps.dossiers.load(web_world.officer, dossier_id).information_requests[-1].accepted_at
    again = callers(app, web_world)["officer"].post(
        f"{base}/information-requests", {"message": "Le bail signé, s'il vous plaît."})
    assert again.status_code == 201 and again.get_json()["state"] == "complements_demandes"


def test_a_reply_missing_a_requested_piece_needs_a_reason(app: Flask, web_world: World):
    dossier_id = web_world.submitted()
    web_world.faps.dossiers.request_information(web_world.officer, dossier_id, "Le devis ?",
                                                ("devis",))
    agent = callers(app, web_world)["agent"]
    refused = agent.post(f"/api/v1/dossiers/{dossier_id}/replies", {"message": "Voici."})
    assert refused.status_code == 400 and "documents" in refused.get_json()["errors"]
    attached = agent.post(f"/api/v1/dossiers/{dossier_id}/documents",
                          data={"kind": "devis", "file": (io.BytesIO(pdf()), "devis.pdf")},
                          content_type="multipart/form-data")
    assert attached.status_code == 201
    assert agent.post(f"/api/v1/dossiers/{dossier_id}/replies",
                      {"message": "Voici."}).status_code == 201


def test_messages_are_written_by_both_sides_with_files_and_read_by_the_readers(
    app: Flask, web_world: World
):
    dossier_id = web_world.submitted()
    base = f"/api/v1/dossiers/{dossier_id}/messages"
    api = callers(app, web_world)
    written = refused_then_done(app, web_world, "POST", base, {"text": "Le bail est signé."},
                                ("agent", "officer"))
    assert written["side"] == "commune" and written["text"] == "Le bail est signé."
    with_file = api["officer"].post(base, data={
        "text": "Voici le modèle.", "files": [(io.BytesIO(pdf("modele")), "modele.pdf")]},
        content_type="multipart/form-data")
    assert with_file.status_code == 201, with_file.get_json()
    (document_id,) = with_file.get_json()["document_ids"]
    assert api["agent"].get(f"/api/v1/dossiers/{dossier_id}/documents/{document_id}"
                            ).status_code == 200
    for role in ("agent", "officer", "secretariat", "auditor", "admin"):
        listed = api[role].get(base)
        assert listed.status_code == 200
        assert [m["side"] for m in listed.get_json()["items"]] == ["commune", "fonds"]
    assert api["other_agent"].get(base).status_code == 404


def test_an_officer_asks_an_external_body_for_its_opinion(app: Flask, web_world: World):
    dossier_id = web_world.submitted()
    refused_then_done(app, web_world, "POST", f"/api/v1/dossiers/{dossier_id}/opinion-requests",
                      {"body": "ARS", "email": "avis@ars.test", "question": "Besoin ?",
                       "due_on": due(web_world)}, ("officer",))
    (opinion,) = web_world.faps.dossiers.load(web_world.officer, dossier_id).opinions.values()
    assert opinion.body == "ARS" and opinion.verdict is None


# -- early endings -----------------------------------------------------------------------------
def test_the_commune_deletes_its_draft_and_removes_a_document(app: Flask, web_world: World):
    dossier_id = web_world.drafted()
    document_id = web_world.faps.dossiers.attach(web_world.agent, dossier_id, "devis", "d.pdf",
                                                 pdf())
    base = f"/api/v1/dossiers/{dossier_id}"
    removed = refused_then_done(app, web_world, "DELETE", f"{base}/documents/{document_id}",
                                None, ("agent",), 200)
    assert removed["state"] == "brouillon"
    assert callers(app, web_world)["agent"].get(base).get_json()["documents"] == []
    refused_then_done(app, web_world, "DELETE", base, None, ("agent",), 204)
    assert callers(app, web_world)["agent"].get(base).status_code == 404


def test_the_commune_withdraws_its_filed_request(app: Flask, web_world: World):
    dossier_id = web_world.submitted()
    done = refused_then_done(app, web_world, "POST", f"/api/v1/dossiers/{dossier_id}/withdrawal",
                             {"motive": "Projet abandonné."}, ("agent",))
    assert done["state"] == "retire"


def test_an_officer_closes_a_dossier_as_ineligible(app: Flask, web_world: World):
    dossier_id = web_world.assessed()
    done = refused_then_done(app, web_world, "POST",
                             f"/api/v1/dossiers/{dossier_id}/ineligibility",
                             {"motive": "Travaux commencés avant le dépôt."}, ("officer",))
    assert done["state"] == "clos_ineligible"


def test_an_officer_declares_a_grant_lapsed_and_its_commitment_is_released(
    app: Flask, web_world: World
):
    dossier_id = web_world.awarded()
    done = refused_then_done(app, web_world, "POST", f"/api/v1/dossiers/{dossier_id}/lapse",
                             {"motive": "Travaux non commencés dans le délai."}, ("officer",))
    assert done["state"] == "caduc"
    budget = callers(app, web_world)["officer"].get("/api/v1/budgets/2024").get_json()
    assert budget["committed"] == "0.00"


def test_an_officer_refuses_a_payment_request(app: Flask, web_world: World):
    dossier_id, request_id = with_balance_request(web_world)
    refused_then_done(app, web_world, "POST",
                      f"/api/v1/dossiers/{dossier_id}/payment-requests/{request_id}/refusal",
                      {"motive": "Factures non acquittées."}, ("officer",))
    dossier = web_world.faps.dossiers.load(web_world.officer, dossier_id)
    assert dossier.payment_requests[request_id].status == "refuse"


def test_at_the_balance_an_officer_retains_less_expenses_and_the_grant_is_reduced_first(
    app: Flask, web_world: World
):
    dossier_id, request_id = with_balance_request(web_world)
    awarded = web_world.faps.dossiers.load(web_world.officer, dossier_id).awarded_amount
    body = {"request_id": str(request_id), "amount": "15000.00", "paid_on": due(web_world, 0),
            "mandate_reference": "M-9", "retained_expenses": "50000.00",
            "retention_motive": "Factures hors projet."}
    refused_then_done(app, web_world, "POST", f"/api/v1/dossiers/{dossier_id}/payments", body,
                      ("officer",))
    dossier = web_world.faps.dossiers.load(web_world.officer, dossier_id)
    assert awarded == Decimal("30000.00")  # 30 % of 100,000 € declared; 30 % of 50,000 € paid
    assert dossier.awarded_amount == dossier.net_paid == Decimal("15000.00")


# -- the council --------------------------------------------------------------------------------
def test_the_secretariat_withdraws_an_item_and_the_dossier_goes_back_to_the_proposals(
    app: Flask, web_world: World
):
    dossier_id, session_id = on_agenda(web_world)
    done = refused_then_done(app, web_world, "POST",
                             f"/api/v1/sessions/{session_id}/items/1/withdrawal",
                             {"motive": "Pièce manquante."}, ("secretariat",),
                             dossier_scoped=False)
    assert done["items"][0]["withdrawn"] is True
    assert state_of(web_world, dossier_id) == "propose"


def test_the_secretariat_moves_an_item_to_another_session(app: Flask, web_world: World):
    dossier_id, session_id = on_agenda(web_world)
    later = web_world.session(web_world.clock.now().date() + timedelta(days=30))
    done = refused_then_done(app, web_world, "POST", f"/api/v1/sessions/{session_id}/items/1/move",
                             {"to_session_id": str(later), "motive": "Report."},
                             ("secretariat",), dossier_scoped=False)
    assert done == {"session_id": str(later), "number": 1, "link": f"/api/v1/sessions/{later}"}
    items = web_world.faps.council.load(web_world.secretariat, later).items
    assert items[1]["dossier_id"] == dossier_id


def test_the_secretariat_rectifies_a_recorded_vote_and_the_budget_follows(
    app: Flask, web_world: World
):
    _dossier_id, session_id = on_agenda(web_world)
    web_world.faps.council.record_outcome(web_world.secretariat, session_id, 1, "adoptee",
                                          Decimal("30000.00"), "DEL-1", (50, 3, 2), (55, 55))
    body = {"amount": "25000.00", "deliberation_reference": "DEL-1", "votes_for": 50,
            "votes_against": 3, "abstentions": 2, "present": 55, "voting": 55,
            "motive": "Montant mal reporté."}
    done = refused_then_done(app, web_world, "POST",
                             f"/api/v1/sessions/{session_id}/items/1/rectification", body,
                             ("secretariat",), dossier_scoped=False)
    assert done["items"][0]["amount_awarded"] == "25000.00"
    budget = callers(app, web_world)["officer"].get("/api/v1/budgets/2024").get_json()
    assert budget["committed"] == "25000.00"


@pytest.mark.parametrize("voter", ["secretariat", "officer"])
def test_a_yearly_budget_is_voted_then_amended(app: Flask, web_world: World, voter: str):
    api = callers(app, web_world)
    for role in ("agent", "other_agent", "auditor", "admin"):
        assert api[role].call("PUT", "/api/v1/budgets/2025", {
            "amount": "500000.00", "deliberation_reference": "DEL-2024-300"}).status_code == 403
    voted = api[voter].call("PUT", "/api/v1/budgets/2025", {
        "amount": "500000.00", "deliberation_reference": "DEL-2024-300"})
    assert voted.status_code == 200, voted.get_json()
    assert voted.get_json()["voted"] == "500000.00"
    amended = api[voter].call("PUT", "/api/v1/budgets/2025", {
        "amount": "650000.00", "deliberation_reference": "DEL-2025-010"})
    assert amended.get_json()["voted"] == "650000.00"
    assert amended.get_json()["deliberation_reference"] == "DEL-2025-010"
