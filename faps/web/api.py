"""The JSON API (/api/v1): the grant simulation and the caller's dossiers.

Calls need a signed-in session (the cookie of the web pages). As for every POST, the session's
CSRF token must be sent, here in the `X-CSRF-Token` header: a page gets it from its hidden
`csrf_token` input (templates: `csrf_token()`), as static/simulateur.js does. Errors are JSON:
`{"status", "message", "errors": {field: [French messages]}}`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from flask import Blueprint, abort, jsonify, request
from werkzeug.wrappers import Response

from faps.application.queries import DossierFilter, DossierRow
from faps.application.simulation import SimulationService
from faps.web.common import actor, current_actor, services
from faps.web.params import bounded_json, page_number, year_of

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _require_session() -> None:
    if current_actor() is None:
        abort(401, description="Connectez-vous pour utiliser l'API.")


def plain(value: Any) -> Any:
    """Return a JSON-ready value: amounts as strings of euros, dates in ISO 8601."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID | Enum):
        return str(value.value if isinstance(value, Enum) else value)
    return value


def dossier_json(row: DossierRow) -> dict[str, Any]:
    """Return a dossier row as JSON."""
    return {key: plain(value) for key, value in vars(row).items()}


@bp.post("/simulations")
def simulations() -> Response:
    """Judge a simulation request (reference/simulation.md) by the version in force."""
    body = bounded_json(request.get_data(), "corps") if request.is_json else None
    version = request.args.get("reglement") or None
    if isinstance(body, dict) and "reglement_version" in body:
        version = str(body.pop("reglement_version") or "") or version
    service = SimulationService(services().ctx, services().reglements)
    return jsonify(service.simulate(actor(), body, version).to_json())


@bp.get("/dossiers")
def dossiers() -> Response:
    """Return a page of the dossiers the caller may see (?page=, ?etat=, ?annee=)."""
    flt = DossierFilter(states=tuple(request.args.getlist("etat")),
                        year=year_of(request.args.get("annee")),
                        page=page_number(request.args.get("page")), per_page=50)
    page = services().queries.dossiers(actor(), flt)
    return jsonify({"total": page.total, "page": page.page, "pages": page.pages,
                    "items": [dossier_json(row) for row in page.items]})
