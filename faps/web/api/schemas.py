"""The API's marshmallow schemas of dossiers and their steps: they validate the requests
and describe the document (the session and fund ones are in schemas_council)."""

from __future__ import annotations

from marshmallow import fields, validate

from faps.domain.reglement import CATEGORY_LABELS, TENURE_LABELS
from faps.web.api.schema_base import STATES, Day, EmptyIn, In, Out, StepOut, euros, text
from faps.web.schemas import FrenchSchema

__all__ = ["EmptyIn", "StepOut"]


# -- dossiers ---------------------------------------------------------------------------------
class ExpenseIn(In):
    label = text(300)
    category = fields.String(required=True, validate=validate.OneOf(
        [c.value for c in CATEGORY_LABELS]))
    amount_ht = euros(required=True)
    vat = euros(load_default="0")


class FundingIn(In):
    funder = text(200)
    amount = euros(required=True)


class ContentIn(In):
    """The project of a dossier (every field optional: a draft is filled step by step)."""

    title = text(200, required=False, minimum=0)
    description = text(4000, required=False, minimum=0)
    premises_address = text(300, required=False, minimum=0)
    premises_tenure = fields.String(allow_none=True, validate=validate.OneOf(
        [t.value for t in TENURE_LABELS]))
    health_activity = fields.Boolean()
    professionals = text(1000, required=False, minimum=0)
    works_started = fields.Boolean()
    works_planned_start = Day(allow_none=True)
    expenses = fields.List(fields.Nested(ExpenseIn), validate=validate.Length(max=200))
    public_funding = fields.List(fields.Nested(FundingIn), validate=validate.Length(max=50))
    private_funding = fields.List(fields.Nested(FundingIn), validate=validate.Length(max=50))
    requested_amount = euros()


class DraftIn(ContentIn):
    commune = fields.String(validate=validate.Regexp(r"^[0-9AB]{5}$", error="code INSEE attendu"),
                            metadata={"description": "Code INSEE ; un agent communal peut "
                                      "l'omettre (sa commune)."})


class DossierListArgs(FrenchSchema):
    etat = fields.List(fields.String(validate=validate.OneOf(STATES)),
                       metadata={"description": "États retenus (répétable)."})
    commune = fields.String(validate=validate.Length(max=5))
    annee = fields.Integer(validate=validate.Range(min=2000, max=2100))
    q = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200),
                           metadata={"description": "Le `next_cursor` de la page précédente."})


class AsOfArgs(FrenchSchema):
    as_of = Day(metadata={"description": "L'état à la fin de ce jour (AAAA-MM-JJ)."})


class DossierRowOut(Out):
    id = fields.UUID(required=True)
    reference = fields.String(allow_none=True, required=True)
    commune = fields.String(required=True)
    commune_name = fields.String(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    state_label = fields.String(required=True)
    requested = fields.String(required=True)
    proposed = fields.String(allow_none=True, required=True)
    awarded = fields.String(required=True)
    paid = fields.String(required=True)
    submitted_on = Day(allow_none=True, required=True)
    decided_on = Day(allow_none=True, required=True)
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)
    link = fields.String(required=True)


class DossierPageOut(Out):
    items = fields.List(fields.Nested(DossierRowOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class DocumentOut(Out):
    id = fields.UUID(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    size = fields.Integer(required=True)
    media_type = fields.String(required=True)
    sha256 = fields.String(required=True)
    link = fields.String(required=True)


class PaymentRequestOut(Out):
    id = fields.UUID(required=True)
    kind = fields.String(required=True)
    amount = fields.String(required=True)
    expenses_paid = fields.String(required=True)
    status = fields.String(required=True)
    paid_amount = fields.String(required=True)
    paid_on = Day(allow_none=True, required=True)
    mandate_reference = fields.String(required=True)


class InformationRequestOut(Out):
    id = fields.UUID(required=True)
    message = fields.String(required=True)
    document_kinds = fields.List(fields.String(), required=True)
    due_on = Day(required=True)
    answer = fields.String(allow_none=True, required=True)


class DossierOut(Out):
    id = fields.UUID(required=True)
    reference = fields.String(allow_none=True, required=True)
    commune = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    state_label = fields.String(required=True)
    version = fields.Integer(required=True)
    reglement_version = fields.String(allow_none=True, required=True)
    submitted_on = Day(allow_none=True, required=True)
    content = fields.Dict(required=True, metadata={"description": "Le projet (mêmes champs "
                                                   "que la création)."})
    proposed_amount = fields.String(allow_none=True, required=True)
    awarded_amount = fields.String(required=True)
    paid = fields.String(required=True)
    clawback_due = fields.String(required=True)
    decision = fields.Dict(allow_none=True, required=True)
    documents = fields.List(fields.Nested(DocumentOut), required=True)
    information_requests = fields.List(fields.Nested(InformationRequestOut), required=True)
    payment_requests = fields.List(fields.Nested(PaymentRequestOut), required=True)
    officer_name = fields.String(allow_none=True, required=True)
    as_of = fields.DateTime(allow_none=True, required=True)


class ChangeOut(Out):
    field = fields.String(required=True)
    before = fields.Raw(allow_none=True, required=True)
    after = fields.Raw(allow_none=True, required=True)


class EventOut(Out):
    version = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    kind = fields.String(required=True)
    label = fields.String(required=True)
    actor_name = fields.String(required=True)
    actor_role = fields.String(required=True)
    summary = fields.String(required=True)
    changes = fields.List(fields.Nested(ChangeOut), required=True)


class EventsOut(Out):
    items = fields.List(fields.Nested(EventOut), required=True)


class CreatedOut(Out):
    id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    link = fields.String(required=True)


class SubmittedOut(CreatedOut):
    reference = fields.String(required=True)


class DocumentUploadIn(FrenchSchema):
    kind = text(40, metadata={"description": "Type de pièce (code du règlement)."})


class FileIn(FrenchSchema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


# -- officers' and grant's steps ----------------------------------------------------------------
class InformationRequestIn(In):
    message = text(2000)
    document_kinds = fields.List(fields.String(validate=validate.Length(min=1, max=40)),
                                 validate=validate.Length(max=30))
    due_on = Day(allow_none=True)


class ProposalIn(In):
    amount = euros(required=True)
    motive = text(2000)


class AssignmentIn(In):
    officer_id = fields.UUID(required=True)


class NoteIn(In):
    text = text(4000)


class MunicipalDeliberationIn(In):
    reference = text(100)
    decided_on = Day(required=True)


class AgreementIn(In):
    reference = text(100)
    signed_on = Day(required=True)


class PaymentRequestIn(In):
    kind = fields.String(required=True, validate=validate.OneOf(["avance", "acompte", "solde"]))
    amount = euros(required=True)
    expenses_paid = euros(required=True)
    documents = fields.List(fields.UUID(), validate=validate.Length(max=50))


class PaymentIn(In):
    request_id = fields.UUID(required=True)
    amount = euros(required=True)
    paid_on = Day(required=True)
    mandate_reference = text(100)
    retained_expenses = euros(allow_none=True, metadata={
        "description": "Au solde : les dépenses éligibles retenues, si moins que déclarées.",
        "example": "95000.00"})
    retention_motive = text(2000, required=False, minimum=0, metadata={
        "description": "Pourquoi des dépenses déclarées ne sont pas retenues."})


class ReductionIn(In):
    real_eligible_cost = euros(required=True)
    motive = text(2000)


class ClawbackIn(In):
    amount = euros(required=True)
    title_reference = text(100)
