"""Council sessions, budgets, the fund as of a date, the règlement, simulations, decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import url_for

from faps.application import policy
from faps.application.queries import BudgetView
from faps.application.timetravel import end_of
from faps.domain.council import CouncilSession
from faps.domain.errors import NotFoundError
from faps.web.api import schemas as s
from faps.web.api.core import ApiBlueprint
from faps.web.api.dossiers import money, row_out
from faps.web.common import actor, services

blp = ApiBlueprint("api_fund", __name__, url_prefix="/api/v1",
                   description="Séances, budget, fonds, règlement, simulations et décisions.")
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
BUDGET_OUT = {"year": 2026, "voted": "1000000.00", "committed": "30000.00", "paid": "0.00",
              "remaining": "970000.00", "deliberation_reference": "DEL-2025-200",
              "lines": [{"commune": "77258", "commune_name": "Lognes", "committed": "30000.00",
                         "paid": "0.00"}]}
SESSION_EXAMPLE = {"body": "bureau", "session_date": "2026-12-10", "place": "Hôtel "
                   "d'agglomération, Torcy", "convocation_date": "2026-12-03",
                   "councillors_in_office": 15, "president": "", "secretary": ""}


def _errors(*statuses: int) -> Any:
    names = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
             409: "CONFLICT", 422: "UNPROCESSABLE_ENTITY"}

    def decorator(view: Any) -> Any:
        for status in statuses:
            view = blp.alt_response(status, response=names[status])(view)
        return view

    return decorator


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
            "link": url_for("api_fund.get_session", session_id=session.id)}


@blp.route("/sessions", methods=["GET"])
@blp.doc(operationId="listSessions", summary="Lister les séances (Bureau et Conseil)")
@blp.response(200, s.SessionsOut, example={"items": [
    {k: v for k, v in SESSION_OUT.items() if k != "items"}]})
@_errors(401, 403)
def list_sessions() -> dict[str, Any]:
    rows = services().queries.sessions(actor())
    return {"items": [{"id": r.session_id, "body": r.body, "session_date": r.session_date,
                       "place": r.place, "convocation_date": r.convocation_date,
                       "councillors_in_office": r.councillors_in_office, "closed": r.closed,
                       "items_count": r.items_count,
                       "link": url_for("api_fund.get_session", session_id=r.session_id)}
                      for r in rows]}


@blp.route("/sessions", methods=["POST"])
@blp.doc(operationId="scheduleSession", summary="Programmer une séance")
@blp.arguments(s.SessionIn, example=SESSION_EXAMPLE)
@blp.response(201, s.SessionOut)
@_errors(400, 401, 403, 422)
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
@_errors(401, 403, 404)
def get_session(session_id: UUID) -> dict[str, Any]:
    return session_out(services().council.load(actor(), session_id))


@blp.route("/sessions/<uuid:session_id>/items", methods=["POST"])
@blp.doc(operationId="addAgendaItems", summary="Inscrire des dossiers proposés à l'ordre du jour",
         description="Tous ou aucun ; chaque dossier reçoit son numéro de point.")
@blp.arguments(s.AgendaIn, example={"dossier_ids": ["3f1c2a5e-8d4b-4b8e-9a43-2d1f6c7e9a10"]})
@blp.response(201, s.AgendaOut, example={"numbers": [1]})
@_errors(400, 401, 403, 404, 409, 422)
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
@_errors(400, 401, 403, 404, 409, 422)
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
@_errors(401, 403, 404, 409, 422)
def close_session(session_id: UUID) -> Any:
    faps = services()
    faps.council.close(actor(), session_id)
    return session_out(faps.council.load(actor(), session_id)), 201


def budget_out(view: BudgetView) -> dict[str, Any]:
    """Return a year's budget."""
    return {"year": view.year, "voted": money(view.voted), "committed": money(view.committed),
            "paid": money(view.paid), "remaining": money(view.remaining),
            "deliberation_reference": view.deliberation_reference,
            "lines": [{"commune": line.commune, "commune_name": line.commune_name,
                       "committed": money(line.committed), "paid": money(line.paid)}
                      for line in view.lines]}


@blp.route("/budgets/<int:year>", methods=["GET"])
@blp.doc(operationId="getBudget", summary="Lire le budget d'une année (voté, engagé, versé)")
@blp.response(200, s.BudgetOut, example=BUDGET_OUT)
@_errors(401, 403, 404)
def get_budget(year: int) -> dict[str, Any]:
    view = services().queries.budget(actor(), year)
    if view is None:
        raise NotFoundError(f"Aucun budget n'est voté pour {year}.")
    return budget_out(view)


@blp.route("/fund", methods=["GET"])
@blp.doc(operationId="getFund", summary="Lire le fonds entier à une date",
         description="Chaque dossier et chaque budget tels qu'ils étaient à la fin du jour "
         "(UTC) ; sans date, aujourd'hui.")
@blp.arguments(s.AsOfArgs, location="query")
@blp.response(200, s.FundOut, example={"as_of": "2026-12-31T23:59:59.999999+00:00",
                                       "dossiers": [], "budgets": [BUDGET_OUT]})
@_errors(400, 401, 403)
def get_fund(args: dict[str, Any]) -> dict[str, Any]:
    moment = end_of(args["as_of"]) if args.get("as_of") else datetime.now(tz=UTC)
    snapshot = services().queries.fund_as_of(actor(), moment)
    return {"as_of": snapshot.as_of, "dossiers": [row_out(r) for r in snapshot.dossiers],
            "budgets": [budget_out(b) for b in snapshot.budgets]}


@blp.route("/reglements", methods=["GET"])
@blp.doc(operationId="listReglements", summary="Lister les versions du règlement du fonds")
@blp.response(200, s.ReglementsOut, example={"items": [{
    "version": "2022-03-31", "adopted_by": "Conseil communautaire", "adopted_on": "2022-03-31",
    "effective_from": "2022-04-01", "basis": "HT", "rate": "0.30",
    "ceiling_per_dossier": "100000.00", "floor_eligible_cost": "5000.00",
    "commune_yearly_ceiling": None}]})
@_errors(401)
def list_reglements() -> dict[str, Any]:
    return {"items": [{"version": r.version, "adopted_by": r.adopted_by,
                       "adopted_on": r.adopted_on, "effective_from": r.effective_from,
                       "basis": r.basis, "rate": str(r.rate),
                       "ceiling_per_dossier": money(r.ceiling_per_dossier),
                       "floor_eligible_cost": money(r.floor_eligible_cost),
                       "commune_yearly_ceiling": money(r.commune_yearly_ceiling)}
                      for r in services().reglements.versions()]}


@blp.route("/simulations", methods=["POST"])
@blp.doc(operationId="simulateGrant", summary="Simuler la subvention d'un projet",
         description="Même réponse que `faps simulate` (reference/simulation.md) ; la version "
         "du règlement en vigueur juge, ou celle nommée par `reglement_version`.")
@blp.arguments(s.SimulationIn, example={
    "commune": "77258", "premises_tenure": "locataire", "health_activity": True,
    "works_started": False, "expenses": [{"label": "Cloisons", "category":
                                          "travaux_amenagement", "amount_ht": "100000.00",
                                          "vat": "20000.00"}],
    "public_funding": [], "private_funding": [], "requested_amount": "30000.00",
    "commune_awarded_this_year": "0.00"})
@blp.response(200, s.SimulationOut)
@_errors(400, 401, 403, 404)
def simulate(data: dict[str, Any]) -> Any:
    version = data.pop("reglement_version", None) or None
    service = services().simulation
    return service.simulate(actor(), data, version).to_json()


@blp.route("/decisions", methods=["GET"])
@blp.doc(operationId="listDecisions", summary="Lister les décisions votées d'une année",
         description="Les points délibérés (adoptés ou rejetés) des séances de l'année.")
@blp.arguments(s.DecisionsArgs, location="query")
@blp.response(200, s.DecisionsOut, example={"items": [{
    "session_id": SESSION_ID, "session_date": "2026-12-10", "body": "bureau",
    "item_number": 1, "deliberation_reference": "B-2026-045",
    "dossier_id": "3f1c2a5e-8d4b-4b8e-9a43-2d1f6c7e9a10", "dossier_reference": "FAPS-2026-002",
    "commune": "77258", "commune_name": "Lognes", "title": "Maison de santé de Lognes",
    "outcome": "adoptee", "amount": "30000.00"}]})
@_errors(400, 401, 403)
def list_decisions(args: dict[str, Any]) -> dict[str, Any]:
    policy.require(actor(), "session.read")
    faps = services()
    reader = faps.decisions
    found = reader.decisions(reader.sessions_of(args["annee"]), deliberated_only=True)
    return {"items": [{"session_id": d.session.id, "session_date": d.session.session_date,
                       "body": d.session.body, "item_number": d.item["item_number"],
                       "deliberation_reference": d.reference, "dossier_id": d.dossier.id,
                       "dossier_reference": d.dossier.reference or "",
                       "commune": d.dossier.commune, "commune_name": d.commune_name,
                       "title": d.dossier.content.title, "outcome": d.item["outcome"],
                       "amount": money(d.amount)} for d in found]}
