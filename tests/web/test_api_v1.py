"""The public API: tokens, the access policy, problem+json, If-Match, idempotency, limits."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from tests.support import World, content, pdf
from tests.web.api_support import Caller, token_of
from tests.web.conftest import csrf_of


def caller(app: Flask, world: World, who: str) -> Caller:
    return Caller(app.test_client(), token_of(world, getattr(world, who)))


def test_the_document_is_public_valid_openapi_3_1_and_every_operation_is_described(
    client: FlaskClient,
):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    operations = [op for path in document["paths"].values() for method, op in path.items()
                  if method in ("get", "post", "patch", "put", "delete")]
    assert len(operations) >= 46
    for op in operations:
        assert op["operationId"] and op["summary"]
        assert "'" not in op["summary"] + op.get("description", "")  # French typography: ’
        statuses = set(op["responses"])
        assert any(s.startswith("2") for s in statuses) and any(s >= "400" for s in statuses)
        with_example = json.dumps(op.get("requestBody", {})) + json.dumps(
            [r for status, r in op["responses"].items() if status.startswith("2")])
        if {s for s in statuses if s.startswith("2")} != {"204"}:  # no content: no example
            assert '"example"' in with_example, op["operationId"]
    tags = {tag["name"]: tag["description"] for tag in document["tags"]}
    assert "Échanges avec la commune" in tags and all(tags.values())
    assert all(op["tags"][0] in tags for op in operations)
    assert not [name for name in tags if name.startswith("api_")]  # people's words, not code
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))


def test_the_docs_page_serves_swagger_ui_from_this_server(client: FlaskClient):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page and "http" not in page.split(
        "<body>")[1]
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and b"SwaggerUIBundle" in asset.get_data()
    asset.close()
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404


def test_a_token_acts_with_its_account_role_and_commune(app: Flask, web_world: World):
    web_world.faps.dossiers.draft(web_world.other_agent, "77108", content(title="Chelles"))
    theirs = web_world.faps.dossiers.draft(web_world.other_agent, "77108", content())
    agent = caller(app, web_world, "agent")
    created = agent.post("/api/v1/dossiers", content(title="Lognes par l'API"))
    assert created.status_code == 201, created.get_json()
    mine = agent.get("/api/v1/dossiers").get_json()["items"]
    assert [r["title"] for r in mine] == ["Lognes par l'API"] and mine[0]["commune"] == "77258"
    hidden = agent.get(f"/api/v1/dossiers/{theirs}")
    assert hidden.status_code == 404 and hidden.content_type == "application/problem+json"
    refused = agent.post(f"/api/v1/dossiers/{created.get_json()['id']}/assessment")
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == "Votre rôle ne permet pas cette action."


def test_a_bad_revoked_or_missing_token_is_401_and_a_token_needs_no_csrf(
    app: Flask, web_world: World
):
    client = app.test_client()
    assert client.get("/api/v1/dossiers").status_code == 401
    assert client.get("/api/v1/dossiers", headers={
        "Authorization": "Bearer faps_nope"}).status_code == 401
    issued = web_world.faps.tokens.create(web_world.agent, web_world.agent.account_id,
                                                  "script")
    api = Caller(client, issued.secret)
    assert api.post("/api/v1/dossiers", content()).status_code == 201  # no CSRF header
    web_world.faps.tokens.revoke(web_world.agent, issued.token_id)
    response = api.get("/api/v1/dossiers")
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers


def test_a_browser_session_still_needs_its_csrf_header(signed_in: Any):
    browser = signed_in("agent")
    assert browser.post("/api/v1/dossiers", json=content()).status_code == 400
    response = browser.post("/api/v1/dossiers", json=content(),
                            headers={"X-CSRF-Token": csrf_of(browser, "/accueil")})
    assert response.status_code == 201


def test_bad_input_is_a_problem_with_french_messages_naming_each_field(
    app: Flask, web_world: World
):
    agent = caller(app, web_world, "agent")
    response = agent.post("/api/v1/dossiers", {"requested_amount": "beaucoup", "color": "x",
                                               "expenses": [{"label": "Chaises"}]})
    assert response.status_code == 400 and response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["title"] == "Demande invalide" and problem["status"] == 400
    errors = problem["errors"]
    assert errors["requested_amount"] == [
        "Montant sollicité\u202f: montant en euros attendu, par exemple 12345.67"]
    assert errors["color"] == ["champ inconnu"]
    assert errors["expenses[0].category"] == ["Catégorie\u202f: champ obligatoire"]


def test_a_body_that_is_not_an_object_is_refused_in_french_naming_no_field(
    app: Flask, web_world: World
):
    dossier_id = web_world.submitted()
    officer = caller(app, web_world, "officer")
    for body in ([1, 2], "un texte", 5):
        response = officer.post(f"/api/v1/dossiers/{dossier_id}/messages", body)
        assert response.status_code in (400, 422), (body, response.status_code)
        assert response.content_type == "application/problem+json"
        assert response.get_json()["errors"] == {
            "_": ["le corps de la requête doit être un objet JSON"]}, body


def test_patch_needs_the_version_read_and_a_stale_one_gets_412(app: Flask, web_world: World):
    agent = caller(app, web_world, "agent")
    dossier_id = web_world.drafted()
    url = f"/api/v1/dossiers/{dossier_id}"
    read = agent.get(url)
    etag = read.headers["ETag"]
    assert agent.patch(url, {"requested_amount": "35000.00"}).status_code == 428
    changed = agent.patch(url, {"requested_amount": "35000.00"}, {"If-Match": etag})
    assert changed.status_code == 200, changed.get_json()
    stale = agent.patch(url, {"requested_amount": "1.00"}, {"If-Match": etag})
    assert stale.status_code == 412 and stale.get_json()["current_version"] == 2
    assert agent.get(url).get_json()["content"]["requested_amount"] == "35000.00"


def test_the_same_idempotency_key_replays_the_first_answer_and_records_nothing_more(
    app: Flask, web_world: World
):
    agent = caller(app, web_world, "agent")
    key = {"Idempotency-Key": "cle-0001"}
    first = agent.post("/api/v1/dossiers", content(title="Une seule fois"), key)
    again = agent.post("/api/v1/dossiers", content(title="Une seule fois"), key)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    titles = [r["title"] for r in agent.get("/api/v1/dossiers").get_json()["items"]]
    assert titles.count("Une seule fois") == 1
    other = agent.post("/api/v1/dossiers", content(title="Autre chose"), key)
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()["errors"]


def test_past_the_rate_limit_a_token_gets_429_with_retry_after(app: Flask, web_world: World):
    app.config["FAPS_API_RATE_LIMIT"] = 3
    agent, officer = caller(app, web_world, "agent"), caller(app, web_world, "officer")
    assert [agent.get("/api/v1/reglements").status_code for _ in range(3)] == [200] * 3
    limited = agent.get("/api/v1/reglements")
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 61
    assert officer.get("/api/v1/reglements").status_code == 200  # each token counts its own


def test_a_dossier_goes_from_draft_to_balance_paid_and_closed_through_the_api_alone(
    app: Flask, web_world: World
):
    agent, officer = caller(app, web_world, "agent"), caller(app, web_world, "officer")
    secretariat = caller(app, web_world, "secretariat")

    def ok(response: Any, status: int = 201) -> dict[str, Any]:
        assert response.status_code == status, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def attach(dossier_id: str, kind: str) -> str:
        data = {"kind": kind, "file": (io.BytesIO(pdf(kind)), f"{kind}.pdf")}
        return ok(agent.post(f"/api/v1/dossiers/{dossier_id}/documents", data=data,
                             content_type="multipart/form-data"))["id"]

    dossier_id = ok(agent.post("/api/v1/dossiers", content()))["id"]
    base = f"/api/v1/dossiers/{dossier_id}"
    for kind in ("deliberation_municipale", "note_presentation", "devis", "plan_financement",
                 "titre_occupation"):
        attach(dossier_id, kind)
    reference = ok(agent.post(f"{base}/submission"))["reference"]
    assert reference.startswith("FAPS-2024-")
    ok(officer.post(f"{base}/completeness"))
    ok(officer.post(f"{base}/assessment"))
    grant = agent.get(base).get_json()
    ok(officer.post(f"{base}/proposal", {"amount": "30000.00", "motive": "Conforme."}))
    session = ok(secretariat.post("/api/v1/sessions", {
        "body": "conseil", "session_date": "2024-02-05", "place": "Torcy",
        "convocation_date": "2024-01-30", "councillors_in_office": 65}))
    (number,) = ok(secretariat.post(f"/api/v1/sessions/{session['id']}/items",
                                    {"dossier_ids": [dossier_id]}))["numbers"]
    ok(secretariat.post(f"/api/v1/sessions/{session['id']}/items/{number}/outcome", {
        "outcome": "adoptee", "amount": "30000.00", "deliberation_reference": "DEL-2024-001",
        "votes_for": 50, "votes_against": 3, "abstentions": 2, "present": 55, "voting": 55}))
    ok(secretariat.post(f"/api/v1/sessions/{session['id']}/closure"))
    ok(secretariat.post(f"{base}/municipal-deliberation",
                        {"reference": "DCM-2024-12", "decided_on": "2024-02-05"}))
    ok(officer.post(f"{base}/notification"))
    ok(officer.post(f"{base}/agreement", {"reference": "CONV-2024-01", "signed_on": "2024-02-05"}))
    documents = [attach(dossier_id, k) for k in ("etat_recapitulatif", "factures",
                                                 "certificat_achevement")]
    ok(agent.post(f"{base}/payment-requests", {"kind": "solde", "amount": "30000.00",
                                               "expenses_paid": "100000.00",
                                               "documents": documents}))
    request_id = agent.get(base).get_json()["payment_requests"][0]["id"]
    ok(officer.post(f"{base}/payments", {"request_id": request_id, "amount": "30000.00",
                                         "paid_on": "2024-02-05", "mandate_reference": "M-1"}))
    closed = ok(officer.post(f"{base}/closure"))
    assert closed["state"] == "solde"
    final = agent.get(base).get_json()
    assert final["paid"] == "30000.00" and final["awarded_amount"] == "30000.00"
    assert grant["state"] == "instruit"
    budget = ok(officer.get("/api/v1/budgets/2024"), 200)
    assert budget["paid"] == "30000.00"
    kinds = [e["kind"] for e in agent.get(f"{base}/events").get_json()["items"]]
    assert kinds[0] == "Drafted" and "PaymentMade" in kinds and kinds[-1] == "Closed"
    decisions = ok(secretariat.get("/api/v1/decisions?annee=2024"), 200)["items"]
    assert [d["dossier_reference"] for d in decisions] == [reference]


def test_an_upload_retried_with_its_key_attaches_one_document(app: Flask, web_world: World):
    agent = caller(app, web_world, "agent")
    dossier_id = web_world.drafted()

    def upload() -> Any:
        data = {"kind": "devis", "file": (io.BytesIO(pdf("devis")), "devis.pdf")}
        return agent.post(f"/api/v1/dossiers/{dossier_id}/documents", data=data,
                          content_type="multipart/form-data",
                          headers={"Idempotency-Key": "devis-1"})

    first, again = upload(), upload()
    assert first.status_code == again.status_code == 201, first.get_json()
    assert again.get_json() == first.get_json()
    assert len(agent.get(f"/api/v1/dossiers/{dossier_id}").get_json()["documents"]) == 1
    document = agent.get(first.get_json()["link"])
    assert document.status_code == 200 and document.get_data().startswith(b"%PDF-")
    other = caller(app, web_world, "other_agent").get(first.get_json()["link"])
    assert other.status_code == 404


def test_exports_are_produced_recorded_and_sealed_through_the_api(app: Flask, web_world: World):
    web_world.awarded()
    secretariat, agent = caller(app, web_world, "secretariat"), caller(app, web_world, "agent")
    response = secretariat.post("/api/v1/exports", {"kind": "decisions", "year": 2024,
                                                    "format": "csv"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and "X-Faps-Seal" in response.headers
    assert "DEL-2024-001" in response.get_data(as_text=True)
    records = web_world.faps.exports.records(web_world.secretariat)
    assert [r.kind for r in records] == ["decisions"]
    missing = secretariat.post("/api/v1/exports", {"kind": "pdf-deliberation"})
    assert missing.status_code == 400 and set(missing.get_json()["errors"]) == {"session_id",
                                                                               "item"}
    assert agent.post("/api/v1/exports", {"kind": "decisions", "year": 2024}).status_code == 403
