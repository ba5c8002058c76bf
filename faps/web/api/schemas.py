"""The API's marshmallow schemas: they validate the requests and describe the document.

Amounts travel as strings of euros with cents ("32850.00"), dates as ISO 8601.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, fields, validate

from faps.domain.dossier import OUTCOME_LABELS
from faps.domain.dossier_content import DossierState
from faps.domain.reglement import CATEGORY_LABELS, TENURE_LABELS
from faps.web.params import FIRST_DAY, LAST_DAY
from faps.web.schemas import FrenchSchema

AMOUNT = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"
STATES = [s.value for s in DossierState]


class Day(fields.Date):
    """A day (ISO 8601) within the fund's range: a far date never reaches a computation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(
            FIRST_DAY, LAST_DAY, error="date entre le 01/01/1900 et le 31/12/2199 attendue"),
            **kwargs)


def euros(required: bool = False, **kwargs: Any) -> fields.String:
    """An amount in euros as a string with at most two decimals."""
    return fields.String(required=required, validate=validate.Regexp(
        AMOUNT, error="montant en euros attendu, par exemple 12345.67"),
        metadata={"example": "32850.00", "pattern": AMOUNT}, **kwargs)


def text(maximum: int, required: bool = True, minimum: int = 1, **kwargs: Any) -> fields.String:
    """A bounded text."""
    return fields.String(required=required, validate=validate.Length(min=minimum, max=maximum),
                         **kwargs)


class In(FrenchSchema):
    """A request body: unknown fields are refused (a typo is not silently ignored)."""

    class Meta:
        unknown = RAISE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages = {**self.error_messages, "unknown": "champ inconnu"}


class Out(FrenchSchema):
    """A response body."""


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


class EmptyIn(In):
    """No field: the step needs nothing more than the dossier."""


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


class ReductionIn(In):
    real_eligible_cost = euros(required=True)
    motive = text(2000)


class ClawbackIn(In):
    amount = euros(required=True)
    title_reference = text(100)


class StepOut(Out):
    id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    link = fields.String(required=True)


# -- sessions ------------------------------------------------------------------------------------
class SessionIn(In):
    body = fields.String(required=True, validate=validate.OneOf(["bureau", "conseil"]))
    session_date = Day(required=True)
    place = text(200)
    convocation_date = Day(required=True)
    councillors_in_office = fields.Integer(required=True,
                                           validate=validate.Range(min=1, max=500))
    president = text(200, required=False, minimum=0)
    secretary = text(200, required=False, minimum=0)


class AgendaItemOut(Out):
    number = fields.Integer(required=True)
    dossier_id = fields.UUID(required=True)
    dossier_reference = fields.String(required=True)
    commune = fields.String(required=True)
    title = fields.String(required=True)
    proposed_amount = fields.String(required=True)
    withdrawn = fields.Boolean(required=True)
    outcome = fields.String(allow_none=True, required=True)
    amount_awarded = fields.String(allow_none=True, required=True)
    deliberation_reference = fields.String(allow_none=True, required=True)


class SessionRowOut(Out):
    id = fields.UUID(required=True)
    body = fields.String(required=True)
    session_date = Day(required=True)
    place = fields.String(required=True)
    convocation_date = Day(required=True)
    councillors_in_office = fields.Integer(required=True)
    closed = fields.Boolean(required=True)
    items_count = fields.Integer(required=True)
    link = fields.String(required=True)


class SessionOut(SessionRowOut):
    items = fields.List(fields.Nested(AgendaItemOut), required=True)


class SessionsOut(Out):
    items = fields.List(fields.Nested(SessionRowOut), required=True)


class AgendaIn(In):
    dossier_ids = fields.List(fields.UUID(), required=True,
                              validate=validate.Length(min=1, max=100))


class AgendaOut(Out):
    numbers = fields.List(fields.Integer(), required=True)


class OutcomeIn(In):
    outcome = fields.String(required=True, validate=validate.OneOf(list(OUTCOME_LABELS)))
    amount = euros(required=True)
    deliberation_reference = text(100)
    votes_for = fields.Integer(required=True, validate=validate.Range(min=0, max=500))
    votes_against = fields.Integer(required=True, validate=validate.Range(min=0, max=500))
    abstentions = fields.Integer(required=True, validate=validate.Range(min=0, max=500))
    present = fields.Integer(required=True, validate=validate.Range(min=0, max=500))
    voting = fields.Integer(required=True, validate=validate.Range(min=0, max=500))


# -- the fund ------------------------------------------------------------------------------------
class BudgetLineOut(Out):
    commune = fields.String(required=True)
    commune_name = fields.String(required=True)
    committed = fields.String(required=True)
    paid = fields.String(required=True)


class BudgetOut(Out):
    year = fields.Integer(required=True)
    voted = fields.String(required=True)
    committed = fields.String(required=True)
    paid = fields.String(required=True)
    remaining = fields.String(required=True)
    deliberation_reference = fields.String(required=True)
    lines = fields.List(fields.Nested(BudgetLineOut), required=True)


class FundOut(Out):
    as_of = fields.DateTime(required=True)
    dossiers = fields.List(fields.Nested(DossierRowOut), required=True)
    budgets = fields.List(fields.Nested(BudgetOut), required=True)


class ReglementOut(Out):
    version = fields.String(required=True)
    adopted_by = fields.String(required=True)
    adopted_on = Day(allow_none=True, required=True)
    effective_from = Day(required=True)
    basis = fields.String(required=True)
    rate = fields.String(required=True)
    ceiling_per_dossier = fields.String(allow_none=True, required=True)
    floor_eligible_cost = fields.String(allow_none=True, required=True)
    commune_yearly_ceiling = fields.String(allow_none=True, required=True)


class ReglementsOut(Out):
    items = fields.List(fields.Nested(ReglementOut), required=True)


class DecisionOut(Out):
    session_id = fields.UUID(required=True)
    session_date = Day(required=True)
    body = fields.String(required=True)
    item_number = fields.Integer(required=True)
    deliberation_reference = fields.String(required=True)
    dossier_id = fields.UUID(required=True)
    dossier_reference = fields.String(required=True)
    commune = fields.String(required=True)
    commune_name = fields.String(required=True)
    title = fields.String(required=True)
    outcome = fields.String(required=True)
    amount = fields.String(required=True)


class DecisionsOut(Out):
    items = fields.List(fields.Nested(DecisionOut), required=True)


class DecisionsArgs(FrenchSchema):
    annee = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class SimulationIn(FrenchSchema):
    """A simulation request (reference/simulation.md); the règlement judges its fields."""

    class Meta:
        unknown = "include"

    commune = fields.String(required=True, validate=validate.Length(min=5, max=5))
    reglement_version = fields.String(validate=validate.Length(max=40))


class SimulationOut(Out):
    """The explained judgement (reference/simulation.md)."""

    reglement_version = fields.String(required=True)
    eligible = fields.Boolean(required=True)
    criteria = fields.List(fields.Dict(), required=True,
                           metadata={"description": "Chaque critère, son issue et pourquoi."})
    figures = fields.Dict(required=True, metadata={"description": "Chaque chiffre "
                                                   "intermédiaire, plafonds compris."})
    max_grant = fields.String(required=True)
    grant = fields.String(required=True)
    binding_cap = fields.String(allow_none=True, required=True)
