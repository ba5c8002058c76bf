"""Council sessions: scheduled, their agenda (items added, withdrawn, moved), the votes
recorded and rectified, closed."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from flask import url_for

from faps.domain.council import CouncilSession
from faps.web.api import declare
from faps.web.api import schemas_council as s
from faps.web.api import schemas_exchanges as x
from faps.web.api.core import ApiBlueprint
from faps.web.api.shapes import money
from faps.web.common import actor, services

blp = ApiBlueprint("api_sessions", __name__, tag="Séances",
                   url_prefix="/api/v1",
                   description="Les séances du Bureau et du Conseil : ordre du jour, votes.")
errors = partial(declare.errors, blp)
SESSION_ID = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
SESSION_OUT = {"id": SESSION_ID, "body": "bureau", "session_date": "2026-12-10",
               "place": "Hôtel d'agglomération, Torcy", "convocation_date": "2026-12-03",
               "councillors_in_office": 15, "closed": False, "items_count": 1,
               "link": f"/api/v1/sessions/{SESSION_ID}",
               "items": [{"number": 1, "dossier_id": "3f1c2a5e-8d4b-4b8e-9a43-2d1f6c7e9a10",
                          "dossier_reference": "FAPS-2026-002", "commune": "77258",
                          "title": "Maison de santé de Lognes", "proposed_amount": "30000.00",
                          "withdrawn": False, "outcome": "adoptee",
                          "amount_awarded": "30000.00",
                          "deliberation_reference": "B-2026-045"}]}
SESSION_EXAMPLE = {"body": "bureau", "session_date": "2026-12-10", "place": "Hôtel "
                   "d'agglomération, Torcy", "convocation_date": "2026-12-03",
                   "councillors_in_office": 15, "president": "", "secretary": ""}
ITEM = "/sessions/<uuid:session_id>/items/<int:number>"


def session_out(session: CouncilSession) -> dict[str, Any]:
    """Return a session and its agenda."""
    items = [{"number": n, "dossier_id": i["dossier_id"],
              "dossier_reference": i["dossier_reference"], "commune": i["commune"],
              "title": i["title"], "proposed_amount": money(i["proposed_amount"]),
              "withdrawn": i["withdrawn"], "outcome": i.get("outcome"),
              "amount_awarded": money(i.get("amount_awarded")),
              "deliberation_reference": i.get("deliberation_reference")}
             for n, i in sorted(session.items.items())]
    return {"id": session.id, "body": session.body, "session_date": session.session_date,
            "place": session.place, "convocation_date": session.convocation_date,
            "councillors_in_office": session.councillors_in_office, "closed": session.closed,
            "items_count": len(items), "items": items,
            "link": url_for("api_sessions.get_session", session_id=session.id)}


@blp.route("/sessions", methods=["GET"])
@blp.doc(operationId="listSessions", summary="Lister les séances (Bureau et Conseil)")
@blp.response(200, s.SessionsOut, example={"items": [
    {k: v for k, v in SESSION_OUT.items() if k != "items"}]})
@errors(401, 403)
def list_sessions() -> dict[str, Any]:
    rows = services().queries.sessions(actor())
    return {"items": [{"id": r.session_id, "body": r.body, "session_date": r.session_date,
                       "place": r.place, "convocation_date": r.convocation_date,
                       "councillors_in_office": r.councillors_in_office, "closed": r.closed,
                       "items_count": r.items_count,
                       "link": url_for("api_sessions.get_session", session_id=r.session_id)}
                      for r in rows]}


@blp.route("/sessions", methods=["POST"])
@blp.doc(operationId="scheduleSession", summary="Programmer une séance")
@blp.arguments(s.SessionIn, example=SESSION_EXAMPLE)
@blp.response(201, s.SessionOut)
@errors(400, 401, 403, 422)
def schedule_session(data: dict[str, Any]) -> Any:
    faps = services()
    session_id = faps.council.schedule(actor(), data["body"], data["session_date"],
                                       data["place"], data["convocation_date"],
                                       data["councillors_in_office"], data.get("president", ""),
                                       data.get("secretary", ""))
    out = session_out(faps.council.load(actor(), session_id))
    return out, 201, {"Location": out["link"]}


@blp.route("/sessions/<uuid:session_id>", methods=["GET"])
@blp.doc(operationId="getSession", summary="Lire une séance et son ordre du jour")
@blp.response(200, s.SessionOut, example=SESSION_OUT)
@errors(401, 403, 404)
def get_session(session_id: UUID) -> dict[str, Any]:
    return session_out(services().council.load(actor(), session_id))


@blp.route("/sessions/<uuid:session_id>/items", methods=["POST"])
@blp.doc(operationId="addAgendaItems", summary="Inscrire des dossiers proposés à l'ordre du jour",
         description="Tous ou aucun ; chaque dossier reçoit son numéro de point.")
@blp.arguments(s.AgendaIn, example={"dossier_ids": ["3f1c2a5e-8d4b-4b8e-9a43-2d1f6c7e9a10"]})
@blp.response(201, s.AgendaOut, example={"numbers": [1]})
@errors(400, 401, 403, 404, 409, 422)
def add_items(data: dict[str, Any], session_id: UUID) -> Any:
    return {"numbers": services().council.add_to_agenda(actor(), session_id,
                                                        data["dossier_ids"])}, 201


@blp.route("/sessions/<uuid:session_id>/items/<int:number>/outcome", methods=["POST"])
@blp.doc(operationId="recordOutcome", summary="Enregistrer le vote d'un point",
         description="Une subvention adoptée engage le budget de l'année de la séance.")
@blp.arguments(s.OutcomeIn, example={
    "outcome": "adoptee", "amount": "30000.00", "deliberation_reference": "B-2026-045",
    "votes_for": 14, "votes_against": 0, "abstentions": 1, "present": 15, "voting": 15})
@blp.response(201, s.SessionOut)
@errors(400, 401, 403, 404, 409, 422)
def record_outcome(data: dict[str, Any], session_id: UUID, number: int) -> Any:
    faps = services()
    faps.council.record_outcome(
        actor(), session_id, number, data["outcome"], Decimal(data["amount"]),
        data["deliberation_reference"],
        (data["votes_for"], data["votes_against"], data["abstentions"]),
        (data["present"], data["voting"]))
    return session_out(faps.council.load(actor(), session_id)), 201


@blp.route("/sessions/<uuid:session_id>/closure", methods=["POST"])
@blp.doc(operationId="closeSession", summary="Clore la séance",
         description="Chaque point doit avoir son issue ; les décisions ne se modifient plus.")
@blp.response(201, s.SessionOut, example={**SESSION_OUT, "closed": True})
@errors(401, 403, 404, 409, 422)
def close_session(session_id: UUID) -> Any:
    faps = services()
    faps.council.close(actor(), session_id)
    return session_out(faps.council.load(actor(), session_id)), 201


@blp.route(f"{ITEM}/withdrawal", methods=["POST"])
@blp.doc(operationId="withdrawAgendaItem", summary="Retirer un point de l'ordre du jour",
         description="Le dossier quitte l'ordre du jour et revient aux propositions ; un point "
         "voté ne se retire plus.")
@blp.arguments(x.MotiveIn, example={"motive": "Pièce manquante au dossier."})
@blp.response(201, s.SessionOut, example=SESSION_OUT)
@errors(400, 401, 403, 404, 409, 422)
def withdraw_item(data: dict[str, Any], session_id: UUID, number: int) -> Any:
    faps = services()
    faps.council.withdraw_item(actor(), session_id, number, data["motive"])
    return session_out(faps.council.load(actor(), session_id)), 201


@blp.route(f"{ITEM}/move", methods=["POST"])
@blp.doc(operationId="moveAgendaItem", summary="Reporter un point à une autre séance",
         description="Le point non voté devient un point de la séance d'arrivée, qui lui "
         "donne son numéro.")
@blp.arguments(x.MoveIn, example={"to_session_id": SESSION_ID,
                                  "motive": "Report demandé par la commune."})
@blp.response(201, x.MovedOut, example={"session_id": SESSION_ID, "number": 3,
                                        "link": f"/api/v1/sessions/{SESSION_ID}"})
@errors(400, 401, 403, 404, 409, 422)
def move_item(data: dict[str, Any], session_id: UUID, number: int) -> Any:
    target = data["to_session_id"]
    moved = services().council.move_item(actor(), session_id, number, target, data["motive"])
    return {"session_id": target, "number": moved,
            "link": url_for("api_sessions.get_session", session_id=target)}, 201


@blp.route(f"{ITEM}/rectification", methods=["POST"])
@blp.doc(operationId="rectifyOutcome", summary="Rectifier le vote d'un point (erreur matérielle)",
         description="Le montant, la délibération et les voix rectifiés, avec le motif ; le "
         "dossier et le budget suivent.")
@blp.arguments(x.RectificationIn, example={
    "amount": "28000.00", "deliberation_reference": "B-2026-045", "votes_for": 14,
    "votes_against": 0, "abstentions": 1, "present": 15, "voting": 15,
    "motive": "Montant mal reporté au procès-verbal."})
@blp.response(201, s.SessionOut, example=SESSION_OUT)
@errors(400, 401, 403, 404, 409, 422)
def rectify_outcome(data: dict[str, Any], session_id: UUID, number: int) -> Any:
    faps = services()
    faps.council.rectify_outcome(
        actor(), session_id, number, Decimal(data["amount"]), data["deliberation_reference"],
        (data["votes_for"], data["votes_against"], data["abstentions"]),
        (data["present"], data["voting"]), data["motive"])
    return session_out(faps.council.load(actor(), session_id)), 201
