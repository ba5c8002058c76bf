"""The fund: yearly budgets (read, voted, amended), the fund as of a date, the règlement,
simulations, decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from faps.application import policy
from faps.application.queries import BudgetView
from faps.application.timetravel import end_of
from faps.domain.errors import NotFoundError
from faps.web.api import declare
from faps.web.api import schemas_council as s
from faps.web.api import schemas_exchanges as x
from faps.web.api.core import ApiBlueprint
from faps.web.api.schemas import AsOfArgs
from faps.web.api.shapes import money, row_out
from faps.web.common import actor, services

blp = ApiBlueprint("api_fund", __name__, tag="Budget et fonds",
                   url_prefix="/api/v1",
                   description="Budget, fonds, règlement, simulations et décisions.")
SESSION_ID = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
BUDGET_OUT = {"year": 2026, "voted": "1000000.00", "committed": "30000.00", "paid": "0.00",
              "remaining": "970000.00", "deliberation_reference": "DEL-2025-200",
              "lines": [{"commune": "77258", "commune_name": "Lognes", "committed": "30000.00",
                         "paid": "0.00"}]}
_errors = partial(declare.errors, blp)


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


@blp.route("/budgets/<int:year>", methods=["PUT"])
@blp.doc(operationId="voteBudget", summary="Voter le budget d'une année, ou l'amender",
         description="Sans budget voté pour l'année, le vote l'ouvre ; sinon, c'est un "
         "amendement (le montant et la délibération remplacent les précédents ; les "
         "engagements et versements restent).")
@blp.arguments(x.BudgetVoteIn, example={"amount": "1000000.00",
                                        "deliberation_reference": "DEL-2025-200"})
@blp.response(200, s.BudgetOut, example=BUDGET_OUT)
@_errors(400, 401, 403, 404, 409, 422)
def vote_budget(data: dict[str, Any], year: int) -> dict[str, Any]:
    faps = services()
    faps.budgets.vote(actor(), year, Decimal(data["amount"]), data["deliberation_reference"])
    faps.projections.catch_up()
    return get_budget(year)


@blp.route("/fund", methods=["GET"])
@blp.doc(operationId="getFund", summary="Lire le fonds entier à une date",
         description="Chaque dossier et chaque budget tels qu'ils étaient à la fin du jour "
         "(UTC) ; sans date, aujourd'hui.")
@blp.arguments(AsOfArgs, location="query")
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
