"""How the API shows a dossier: its row in the list, the whole dossier, a step's answer.

Amounts as strings of euros with cents, dates ISO 8601, ids as strings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import Response, current_app, json, url_for

from faps.application.queries import DossierRow
from faps.domain.dossier import Dossier
from faps.web.common import actor, services

EXAMPLE_CONTENT = {
    "title": "Maison de santé de Lognes : aménagement du cabinet dentaire",
    "description": "Aménagement de deux cabinets dentaires.",
    "premises_address": "2 place de la Mairie, 77185 Lognes", "premises_tenure": "locataire",
    "health_activity": True, "works_started": False, "works_planned_start": "2026-09-01",
    "expenses": [{"label": "Cloisons, plomberie", "category": "travaux_amenagement",
                  "amount_ht": "80000.00", "vat": "16000.00"}],
    "public_funding": [{"funder": "ARS Île-de-France", "amount": "20000.00"}],
    "private_funding": [], "requested_amount": "30000.00",
}
EXAMPLE_ID = "3f1c2a5e-8d4b-4b8e-9a43-2d1f6c7e9a10"
EXAMPLE_ROW = {"id": EXAMPLE_ID, "reference": "FAPS-2026-002", "commune": "77258",
               "commune_name": "Lognes", "title": EXAMPLE_CONTENT["title"], "state": "depose",
               "state_label": "Déposé", "requested": "30000.00", "proposed": None,
               "awarded": "0.00", "paid": "0.00", "submitted_on": "2026-12-06",
               "decided_on": None, "version": 3, "updated_at": "2026-12-06T14:05:00+00:00",
               "link": f"/api/v1/dossiers/{EXAMPLE_ID}"}


def money(value: Decimal | None) -> str | None:
    """Return an amount as a string of euros with cents."""
    return None if value is None else f"{value:.2f}"


def link(dossier_id: UUID) -> str:
    """Return the API address of a dossier."""
    return url_for("api_dossiers.get_dossier", dossier_id=dossier_id)


def row_out(row: DossierRow) -> dict[str, Any]:
    """Return a dossier's row as the list shows it."""
    from faps.domain.dossier_content import STATE_LABELS, DossierState

    return {"id": row.dossier_id, "reference": row.reference, "commune": row.commune,
            "commune_name": row.commune_name, "title": row.title, "state": row.state,
            "state_label": STATE_LABELS[DossierState(row.state)],
            "requested": money(row.requested), "proposed": money(row.proposed),
            "awarded": money(row.awarded), "paid": money(row.paid),
            "submitted_on": row.submitted_on, "decided_on": row.decided_on,
            "version": row.version, "updated_at": row.updated_at,
            "link": link(row.dossier_id)}


def plain(value: Any) -> Any:
    """Return a JSON-ready value: amounts as strings, dates ISO 8601, ids as strings."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def dossier_out(dossier: Dossier, as_of: datetime | None = None) -> dict[str, Any]:
    """Return a dossier as the API shows it."""
    documents = [{"id": ref.document_id, "kind": ref.kind, "name": ref.name, "size": ref.size,
                  "media_type": ref.media_type, "sha256": ref.sha256,
                  "link": url_for("api_dossiers.get_document", dossier_id=dossier.id,
                                  document_id=ref.document_id)}
                 for ref in dossier.documents.values()]
    requests = [{"id": r.request_id, "message": r.message, "document_kinds": list(r.document_kinds),
                 "due_on": r.due_on, "answer": r.answer} for r in dossier.information_requests]
    payments = [{"id": p.request_id, "kind": p.kind, "amount": money(p.amount),
                 "expenses_paid": money(p.expenses_paid), "status": p.status,
                 "paid_amount": money(p.paid_amount), "paid_on": p.paid_on,
                 "mandate_reference": p.mandate_reference}
                for p in dossier.payment_requests.values()]
    return {"id": dossier.id, "reference": dossier.reference, "commune": dossier.commune,
            "state": dossier.state.value, "state_label": dossier.state.label,
            "version": dossier.version, "reglement_version": dossier.reglement_version,
            "submitted_on": dossier.submitted_on,
            "content": dossier.content.model_dump(mode="json"),
            "proposed_amount": money(dossier.proposed_amount),
            "awarded_amount": money(dossier.awarded_amount), "paid": money(dossier.net_paid),
            "clawback_due": money(dossier.clawback_due),
            "decision": plain(dossier.decision) if dossier.decision else None,
            "documents": documents, "information_requests": requests,
            "payment_requests": payments,
            "officer_name": (dossier.officer or {}).get("name"), "as_of": as_of}


def json_response(body: Any, status: int = 200) -> Response:
    """Return a JSON response of plain values (amounts as strings, ISO 8601 dates)."""
    return current_app.response_class(json.dumps(plain(body), ensure_ascii=False),
                                      status=status, mimetype="application/json")


def step(dossier_id: UUID) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Return a dossier's new version and state after a command."""
    dossier = services().dossiers.load(actor(), dossier_id)
    return ({"id": dossier.id, "version": dossier.version, "state": dossier.state.value,
             "link": link(dossier.id)}, 200, {"ETag": f'"{dossier.version}"'})
