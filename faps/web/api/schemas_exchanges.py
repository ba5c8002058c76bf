"""The API's schemas of the exchanges and of the ways a dossier ends early.

Corrections, replies, messages and opinion requests; withdrawal, ineligibility, lapse, a
refused payment; and the council's corrections of its agenda and votes, the budget's vote.
"""

from __future__ import annotations

from marshmallow import fields, validate

from faps.domain.dossier_exchange import CONTENT_FIELD_LABELS, MAX_MESSAGE
from faps.web.api.schema_base import Day, In, Out, euros, text
from faps.web.api.schemas_council import VoteFiguresIn


def motive() -> fields.String:
    """Why: 3 to 2,000 characters, as the pages ask."""
    return text(2000, minimum=3, metadata={"description": "Le motif (3 à 2 000 caractères)."})


class CorrectionIn(In):
    message = text(2000, metadata={"description": "Ce qui est à corriger et pourquoi."})
    named = fields.List(fields.String(validate=validate.OneOf(list(CONTENT_FIELD_LABELS))),
                        required=True, validate=validate.Length(min=1, max=20), data_key="fields",
                        metadata={"description": "Les rubriques que la commune corrigera "
                                  "(elle ne pourra modifier qu'elles)."})
    document_kinds = fields.List(fields.String(validate=validate.Length(min=1, max=40)),
                                 validate=validate.Length(max=30),
                                 metadata={"description": "Les pièces à joindre de nouveau."})
    due_on = Day(allow_none=True, metadata={"description": "L'échéance ; sans elle, le délai "
                                            "du règlement."})


class ReplyIn(In):
    message = text(4000, metadata={"description": "La réponse de la commune."})
    missing_reason = text(2000, required=False, minimum=0, metadata={
        "description": "Pourquoi une pièce demandée n'est pas jointe (sinon, joignez-la "
        "d'abord par `attachDocument`)."})


class MessageIn(In):
    text = text(MAX_MESSAGE, metadata={"description": "Le message."})


class MessageOut(Out):
    id = fields.UUID(required=True)
    side = fields.String(required=True, metadata={"description": "« commune » ou « fonds »."})
    by = fields.String(required=True)
    at = fields.DateTime(required=True)
    text = fields.String(required=True)
    document_ids = fields.List(fields.UUID(), required=True)


class MessagesOut(Out):
    items = fields.List(fields.Nested(MessageOut), required=True)


class OpinionRequestIn(In):
    body = text(200, metadata={"description": "L'organisme consulté."})
    email = fields.Email(required=True, validate=validate.Length(max=254))
    question = text(2000)
    due_on = Day(required=True)


class MotiveIn(In):
    motive = motive()


class MoveIn(In):
    to_session_id = fields.UUID(required=True, metadata={"description": "La séance d'arrivée."})
    motive = motive()


class MovedOut(Out):
    session_id = fields.UUID(required=True)
    number = fields.Integer(required=True)
    link = fields.String(required=True)


class RectificationIn(VoteFiguresIn):
    motive = motive()


class BudgetVoteIn(In):
    amount = euros(required=True, metadata={"description": "Le montant voté pour l'année."})
    deliberation_reference = text(100)
