"""The exchange with the commune: corrections, its replies, the message thread, opinions.

An external body gives its opinion through the signed link it is mailed, never through the
API: the API only asks for it.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from flask import request

from faps.application.exchanges import MAX_FILES, MESSAGE_KIND, Upload
from faps.domain.errors import InvalidInputError
from faps.web.api import declare
from faps.web.api import schemas_exchanges as x
from faps.web.api.core import ApiBlueprint
from faps.web.api.declare import EXAMPLE_ID
from faps.web.api.schema_base import EmptyIn
from faps.web.common import actor, parse, services

blp = ApiBlueprint("api_exchanges", __name__, tag="Échanges avec la commune",
                   url_prefix="/api/v1/dossiers",
                   description="Corrections, réponses de la commune, messages et avis.")
operation = partial(declare.operation, blp)
MESSAGE_ID = "1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d"


@operation("corrections", "requestCorrection", "Renvoyer le dossier à la commune pour correction",
           x.CorrectionIn, {"message": "Le montant sollicité dépasse le plafond.",
                            "fields": ["requested_amount", "expenses"],
                            "document_kinds": ["devis"], "due_on": "2027-01-15"},
           "La commune ne peut modifier que les rubriques nommées, jusqu'à l'échéance ; "
           "l'instruction et la proposition déjà faites ne valent plus.")
def _request_correction(data: dict[str, Any], dossier_id: UUID) -> None:
    services().dossiers.request_information(actor(), dossier_id, data["message"],
                                            tuple(data.get("document_kinds") or ()),
                                            data.get("due_on"), tuple(data["named"]))


@operation("replies", "answerRequest", "Répondre à une demande de compléments ou de correction",
           x.ReplyIn, {"message": "Le devis signé est joint ; le montant est corrigé.",
                       "missing_reason": ""},
           "Réservé à la commune du dossier. Joignez d'abord les pièces demandées "
           "(`attachDocument`) ; une pièce que vous ne pouvez pas fournir demande un motif "
           "(`missing_reason`).")
def _answer(data: dict[str, Any], dossier_id: UUID) -> None:
    services().exchanges.reply(actor(), dossier_id, data["message"],
                               data.get("missing_reason", ""))


@operation("reply-acceptance", "acceptReply", "Accepter la réponse de la commune", EmptyIn, {},
           "L'instruction reprend. Pour redemander, envoyez une nouvelle demande "
           "(`requestInformation` ou `requestCorrection`).")
def _accept(data: dict[str, Any], dossier_id: UUID) -> None:
    services().exchanges.accept_reply(actor(), dossier_id)


@operation("opinion-requests", "requestOpinion", "Demander l'avis d'un organisme extérieur",
           x.OpinionRequestIn, {"body": "Agence régionale de santé", "email": "avis@ars.example",
                                "question": "Le projet répond-il aux besoins du territoire ?",
                                "due_on": "2027-01-31"},
           "L'organisme reçoit par courriel un lien signé, à usage unique, pour répondre avant "
           "l'échéance ; son avis n'est pas donné par l'API.")
def _request_opinion(data: dict[str, Any], dossier_id: UUID) -> None:
    services().exchanges.request_opinion(actor(), dossier_id, data["body"], data["email"],
                                         data["question"], data["due_on"])


MESSAGE_OUT = {"id": MESSAGE_ID, "side": "commune", "by": "Agent de Lognes",
               "at": "2026-12-06T14:05:00+00:00", "text": "Le bail est signé, voici la copie.",
               "document_ids": ["5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"]}


def message_out(message: dict[str, Any]) -> dict[str, Any]:
    """Return a message of the thread."""
    return {"id": message["message_id"], "side": message["side"], "by": message["by"],
            "at": message["at"], "text": message["text"],
            "document_ids": list(message["document_ids"])}


@blp.route("/<uuid:dossier_id>/messages", methods=["GET"])
@blp.doc(operationId="listMessages", summary="Lire les messages échangés sur un dossier",
         description="Du plus ancien au plus récent ; les pièces jointes sont des pièces du "
         "dossier (`getDocument`).")
@blp.response(200, x.MessagesOut, example={"items": [MESSAGE_OUT]})
@declare.errors(blp, 401, 403, 404)
def list_messages(dossier_id: UUID) -> dict[str, Any]:
    dossier = services().dossiers.load(actor(), dossier_id)
    return {"items": [message_out(m) for m in dossier.messages]}


MESSAGE_BODY = {"required": True, "content": {
    "application/json": {"schema": {
        "type": "object", "required": ["text"], "additionalProperties": False,
        "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 4000}}},
        "example": {"text": "Le bail est signé, voici la copie."}},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["text"],
        "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 4000},
                       "files": {"type": "array", "maxItems": MAX_FILES,
                                 "items": {"type": "string", "format": "binary"},
                                 "description": "PDF, PNG ou JPEG (5 au plus)."}}}}}}


@blp.route("/<uuid:dossier_id>/messages", methods=["POST"])
@blp.doc(operationId="postMessage", summary="Écrire un message (avec des fichiers, si besoin)",
         description="En JSON, le texte seul ; en multipart, `text` et jusqu'à 5 `files`. "
         "L'autre partie est prévenue par courriel.", requestBody=MESSAGE_BODY)
@blp.response(201, x.MessageOut, example=MESSAGE_OUT)
@declare.errors(blp, 400, 401, 403, 404, 409, 413, 422)
def post_message(dossier_id: UUID) -> Any:
    if request.mimetype == "multipart/form-data":
        data = parse(x.MessageIn(), request.form)
        files = [f for f in request.files.getlist("files") if f and f.filename]
        if len(files) > MAX_FILES:
            raise InvalidInputError({"files": [f"joignez au plus {MAX_FILES} fichiers"]})
        uploads = [Upload(MESSAGE_KIND, (f.filename or "document")[:255], f.read())
                   for f in files]
    else:
        data, uploads = parse(x.MessageIn(), request.get_json(silent=True) or {}), []
    faps = services()
    message_id = faps.exchanges.post(actor(), dossier_id, data["text"], uploads)
    dossier = faps.dossiers.load(actor(), dossier_id)
    found = next(m for m in dossier.messages if m["message_id"] == message_id)
    return message_out(found), 201


__all__ = ["EXAMPLE_ID", "blp"]
