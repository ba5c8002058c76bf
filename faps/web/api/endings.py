"""The ways a dossier, or a part of it, ends early: a draft deleted, a document removed, a
request withdrawn, a dossier closed as ineligible, a grant lapsed, a payment request refused."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from faps.web.api import declare
from faps.web.api import schemas_exchanges as x
from faps.web.api.core import ApiBlueprint
from faps.web.api.schema_base import StepOut
from faps.web.api.shapes import step
from faps.web.common import actor, services

blp = ApiBlueprint("api_endings", __name__, tag="Retraits et clôtures",
                   url_prefix="/api/v1/dossiers",
                   description="Retraits, suppressions, clôtures, caducités et refus.")
operation = partial(declare.operation, blp)
MOTIVE = {"motive": "Le projet est abandonné par la commune."}


@blp.route("/<uuid:dossier_id>", methods=["DELETE"])
@blp.doc(operationId="deleteDraft", summary="Supprimer un brouillon jamais déposé",
         description="Réservé à la commune du dossier. Le brouillon disparaît des listes ; "
         "son historique reste au journal.")
@blp.response(204, description="Brouillon supprimé (aucun contenu).")
@declare.errors(blp, 401, 403, 404, 409, 422)
def delete_draft(dossier_id: UUID) -> Any:
    services().dossiers.delete_draft(actor(), dossier_id)
    return "", 204


@blp.route("/<uuid:dossier_id>/documents/<uuid:document_id>", methods=["DELETE"])
@blp.doc(operationId="removeDocument", summary="Retirer une pièce d'un brouillon",
         description="Réservé à la commune du dossier, tant qu'il n'est pas déposé.")
@blp.response(200, StepOut, example=declare.STEP_EXAMPLE)
@declare.errors(blp, 401, 403, 404, 409, 422)
def remove_document(dossier_id: UUID, document_id: UUID) -> Any:
    services().dossiers.remove_document(actor(), dossier_id, document_id)
    return step(dossier_id)


@operation("withdrawal", "withdrawDossier", "Retirer la demande (avant le vote)", x.MotiveIn,
           MOTIVE, "Réservé à la commune du dossier ; définitif.")
def _withdraw(data: dict[str, Any], dossier_id: UUID) -> None:
    services().dossiers.withdraw(actor(), dossier_id, data["motive"])


@operation("ineligibility", "closeIneligible", "Clore le dossier comme inéligible", x.MotiveIn,
           {"motive": "Les travaux ont commencé avant le dépôt (article 4)."},
           "Définitif ; le motif est notifié à la commune.")
def _close_ineligible(data: dict[str, Any], dossier_id: UUID) -> None:
    services().dossiers.close_ineligible(actor(), dossier_id, data["motive"])


@operation("lapse", "lapseGrant", "Déclarer la subvention caduque", x.MotiveIn,
           {"motive": "Travaux non commencés dans le délai de la convention."},
           "Le reste non versé est libéré du budget de l'année de l'attribution.")
def _lapse(data: dict[str, Any], dossier_id: UUID) -> None:
    services().grants.lapse(actor(), dossier_id, data["motive"])


@operation("payment-requests/<uuid:request_id>/refusal", "refusePayment",
           "Refuser une demande de versement", x.MotiveIn,
           {"motive": "Les factures jointes ne sont pas acquittées."},
           "La commune peut ensuite en présenter une nouvelle.")
def _refuse_payment(data: dict[str, Any], dossier_id: UUID, request_id: UUID) -> None:
    services().grants.refuse_payment(actor(), dossier_id, request_id, data["motive"])
