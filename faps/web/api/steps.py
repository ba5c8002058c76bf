"""The steps of a dossier after its filing: the officers' instruction and the grant's life.

Each operation calls the same application service as the page that does it.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from faps.web.api import declare
from faps.web.api import schemas as s
from faps.web.api.core import ApiBlueprint
from faps.web.common import actor, services

blp = ApiBlueprint("api_steps", __name__, tag="Étapes du dossier",
                   url_prefix="/api/v1/dossiers",
                   description="Les étapes de l'instruction et de la vie de la subvention.")
operation = partial(declare.operation, blp)


def _amount(text: str) -> Decimal:
    return Decimal(text)


# -- the finance officer --------------------------------------------------------------------------
@operation("information-requests", "requestInformation", "Demander des compléments à la commune",
           s.InformationRequestIn, {"message": "Merci de joindre le devis signé.",
                                    "document_kinds": ["devis"], "due_on": "2027-01-15"},
           "Sans échéance, le délai du règlement s'applique.")
def _request_information(data: dict[str, Any], dossier_id: UUID) -> None:
    services().dossiers.request_information(actor(), dossier_id, data["message"],
                                            tuple(data.get("document_kinds") or ()),
                                            data.get("due_on"))


@operation("completeness", "declareComplete", "Déclarer le dossier complet", s.EmptyIn, {},
           "Les pièces exigées au dépôt par le règlement doivent être jointes.")
def _declare_complete(data: dict[str, Any], dossier_id: UUID) -> None:
    services().dossiers.declare_complete(actor(), dossier_id)


@operation("assessment", "assessDossier", "Instruire le dossier (éligibilité et montant maximal)",
           s.EmptyIn, {}, "Le règlement du dépôt juge le projet ; chaque critère est expliqué.")
def _assess(data: dict[str, Any], dossier_id: UUID) -> None:
    services().dossiers.assess(actor(), dossier_id)


@operation("proposal", "proposeGrant", "Proposer une subvention au conseil", s.ProposalIn,
           {"amount": "30000.00", "motive": "Projet éligible ; montant plafonné à 30 %."})
def _propose(data: dict[str, Any], dossier_id: UUID) -> None:
    services().dossiers.propose(actor(), dossier_id, _amount(data["amount"]), data["motive"])


@operation("assignment", "assignDossier", "Confier le dossier à un instructeur", s.AssignmentIn,
           {"officer_id": "9b2e7c1a-4f3d-4e2b-8a1c-7d6e5f4a3b2c"})
def _assign(data: dict[str, Any], dossier_id: UUID) -> None:
    faps = services()
    officer = next((o for o in faps.queries.officers() if o.account_id == data["officer_id"]),
                   None)
    if officer is None:
        from faps.domain.errors import InvalidInputError

        raise InvalidInputError({"officer_id": ["Instructeur : aucun instructeur actif ne "
                                                "porte cet identifiant"]})
    faps.dossiers.assign(actor(), dossier_id, officer.account_id, officer.name)


@operation("notes", "addNote", "Ajouter une note interne (jamais montrée à la commune)",
           s.NoteIn, {"text": "Appeler la mairie au sujet du bail."})
def _add_note(data: dict[str, Any], dossier_id: UUID) -> None:
    services().dossiers.add_note(actor(), dossier_id, data["text"])


# -- the grant ------------------------------------------------------------------------------------
@operation("municipal-deliberation", "recordMunicipalDeliberation",
           "Enregistrer la délibération concordante de la commune", s.MunicipalDeliberationIn,
           {"reference": "DCM-2026-112", "decided_on": "2026-12-15"})
def _municipal(data: dict[str, Any], dossier_id: UUID) -> None:
    services().grants.record_municipal_deliberation(actor(), dossier_id, data["reference"],
                                                    data["decided_on"])


@operation("notification", "notifyDecision", "Enregistrer la notification de la décision",
           s.EmptyIn, {})
def _notify(data: dict[str, Any], dossier_id: UUID) -> None:
    services().grants.notify(actor(), dossier_id)


@operation("agreement", "signAgreement", "Enregistrer la convention signée", s.AgreementIn,
           {"reference": "CONV-2026-014", "signed_on": "2026-12-20"})
def _agreement(data: dict[str, Any], dossier_id: UUID) -> None:
    services().grants.sign_agreement(actor(), dossier_id, data["reference"], data["signed_on"])


@operation("payment-requests", "requestPayment", "Demander un versement (avance, acompte, solde)",
           s.PaymentRequestIn, {"kind": "solde", "amount": "30000.00",
                                "expenses_paid": "100000.00",
                                "documents": ["5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"]},
           "Les justificatifs exigés par le règlement sont des pièces déjà jointes.")
def _request_payment(data: dict[str, Any], dossier_id: UUID) -> None:
    services().grants.request_payment(actor(), dossier_id, data["kind"], _amount(data["amount"]),
                                      _amount(data["expenses_paid"]),
                                      tuple(data.get("documents") or ()))


@operation("payments", "makePayment", "Enregistrer le paiement d'une demande (mandat)",
           s.PaymentIn, {"request_id": "0c7d8e9f-1a2b-4c3d-9e4f-5a6b7c8d9e0f",
                         "amount": "30000.00", "paid_on": "2027-03-01",
                         "mandate_reference": "M-2027-0456"},
           "Au solde, `retained_expenses` (avec `retention_motive`) retient moins de dépenses "
           "que déclarées ; la subvention est alors réduite d'abord.")
def _pay(data: dict[str, Any], dossier_id: UUID) -> None:
    services().grants.make_payment(actor(), dossier_id, data["request_id"],
                                   _amount(data["amount"]), data["paid_on"],
                                   data["mandate_reference"], _retained(data),
                                   data.get("retention_motive", ""))


def _retained(data: dict[str, Any]) -> Decimal | None:
    given = data.get("retained_expenses")
    return None if given is None else Decimal(given)


@operation("reduction", "reduceGrant", "Réduire la subvention au coût éligible réel",
           s.ReductionIn, {"real_eligible_cost": "90000.00",
                           "motive": "Dépenses réalisées inférieures au devis."})
def _reduce(data: dict[str, Any], dossier_id: UUID) -> None:
    services().grants.reduce(actor(), dossier_id, _amount(data["real_eligible_cost"]),
                             data["motive"])


@operation("clawback-recoveries", "recordClawback", "Enregistrer un reversement (titre de recette)",
           s.ClawbackIn, {"amount": "1500.00", "title_reference": "T-2027-0012"})
def _clawback(data: dict[str, Any], dossier_id: UUID) -> None:
    services().grants.record_clawback(actor(), dossier_id, _amount(data["amount"]),
                                      data["title_reference"])


@operation("closure", "closeGrant", "Solder et clore le dossier", s.EmptyIn, {},
           "Le reste non versé est libéré du budget.")
def _close(data: dict[str, Any], dossier_id: UUID) -> None:
    services().grants.close(actor(), dossier_id)
