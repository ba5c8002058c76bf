"""Forms of the finance officer's space and the facts its dossier page shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import current_app, request
from marshmallow import ValidationError, fields, validate

from faps.domain.actors import Actor, Role
from faps.domain.deadlines import paris_day
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierState
from faps.domain.dossier_exchange import ATTACHMENT_KIND_LABELS, CONTENT_FIELD_LABELS
from faps.domain.money import ZERO
from faps.web.common import services
from faps.web.exchanges import thread_context
from faps.web.project_form import commune_as_funder
from faps.web.schemas import Euros, FrenchDate, FrenchSchema

CAP_LABELS = {
    "cap_rate": "Taux du règlement × assiette éligible",
    "cap_ceiling": "Plafond par dossier",
    "cap_commune_year": "Plafond annuel restant de la commune",
    "cap_half_share": "50 % de la part restant à la commune (CGCT L5216-5 VI)",
    "cap_min_participation": "Participation minimale du maître d’ouvrage (CGCT L1111-10)",
    "cap_requested": "Montant demandé",
}
SORTABLE = (("reference", "Référence"), ("commune", "Commune"), ("state", "État"),
            ("requested", "Demandé"), ("submitted_on", "Déposé le"),
            ("next_deadline", "Échéance"), ("updated_at", "Mis à jour"))


def _filled(value: str) -> None:
    if not value.strip():
        raise ValidationError("champ obligatoire")


def text(maximum: int = 4000, required: bool = True) -> fields.String:
    """Return a text field (not blank when required) with French length messages."""
    checks: list[Callable[[Any], Any]] = [validate.Length(max=maximum)]
    if required:
        checks.append(_filled)
    return fields.String(required=required, validate=checks)


class InformationRequestForm(FrenchSchema):
    message = text()
    document_kinds = fields.List(fields.String(validate=validate.Length(max=40)))
    correct = fields.List(fields.String(validate=validate.Length(max=40)))  # the domain names them
    due_on = FrenchDate()


class OpinionRequestForm(FrenchSchema):
    body = text(120)
    email = fields.Email(required=True, validate=validate.Length(max=254),
                         error_messages={"invalid": "adresse électronique invalide"})
    question = text()
    due_on = FrenchDate(required=True)


class ProposalForm(FrenchSchema):
    amount = Euros(required=True)
    motive = text()
    expected_version = fields.Integer(required=True)


class MotiveForm(FrenchSchema):
    motive = text()


class NoteForm(FrenchSchema):
    text = text()


class AssignForm(FrenchSchema):
    officer_id = fields.UUID(required=True)
    dossier_ids = fields.List(fields.UUID())


class DeliberationForm(FrenchSchema):
    reference = text(80)
    decided_on = FrenchDate(required=True)


class AgreementForm(FrenchSchema):
    reference = text(80)
    signed_on = FrenchDate(required=True)


class SavedViewForm(FrenchSchema):
    name = text(80)
    query = fields.String(load_default="", validate=validate.Length(max=1000))


def form_data(*lists: str) -> dict[str, Any]:
    """Return the posted form as a dict, the named fields as lists (checkboxes)."""
    data: dict[str, Any] = request.form.to_dict()
    for name in lists:
        data[name] = [v for v in request.form.getlist(name) if v]
    return data


def expense_totals(dossier: Dossier) -> dict[str, Decimal]:
    """Return the HT, TVA and TTC totals of the expense lines."""
    lines = dossier.content.expenses
    return {"ht": sum((e.amount_ht for e in lines), ZERO), "vat": sum((e.vat for e in lines), ZERO),
            "ttc": sum((e.amount_ttc for e in lines), ZERO)}


def financing(dossier: Dossier, basis: str) -> dict[str, Decimal]:
    """Return the financing plan's figures on the règlement's basis (HT or TTC)."""
    totals = expense_totals(dossier)
    cost = totals["ttc"] if basis == "TTC" else totals["ht"]
    public = sum((f.amount for f in dossier.content.public_funding), ZERO)
    private = sum((f.amount for f in dossier.content.private_funding), ZERO)
    requested = dossier.content.requested_amount
    return {"cost": cost, "public": public, "private": private, "requested": requested,
            "own": cost - public - private - requested}


def dossier_page(actor: Actor, dossier_id: UUID) -> dict[str, Any]:
    """Return everything the dossier page shows."""
    faps = services()
    dossier = faps.dossiers.load(actor, dossier_id)
    reglement = faps.dossiers.reglement_of(dossier)
    today = paris_day(faps.clock.now())
    return {
        "dossier": dossier, "reglement": reglement,
        "kinds": {**reglement.document_kinds(), **ATTACHMENT_KIND_LABELS},
        "totals": expense_totals(dossier), "plan": financing(dossier, reglement.basis),
        "documents": faps.queries.documents(actor, dossier_id),
        "timeline": faps.queries.timeline(actor, dossier_id),
        "officers": faps.queries.officers(), "cap_labels": CAP_LABELS,
        "can_act": actor.role is Role.FINANCE_OFFICER,
        "default_due": today + timedelta(days=reglement.information_delay_days),
        "S": DossierState, "viewer": "documents.view" in current_app.view_functions,
        "field_labels": {**CONTENT_FIELD_LABELS, "amount": "Montant proposé"},
        "kind_names": reglement.document_kinds(),
        "commune_funders": commune_as_funder(dossier.content,
                                             faps.communes.name(dossier.commune)),
        "opinion_due": today + timedelta(days=21), "today": today,
        **thread_context(dossier, actor),
    }
