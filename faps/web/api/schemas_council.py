"""The API's schemas of council sessions, budgets, the fund, the règlement and simulations."""

from __future__ import annotations

from marshmallow import fields, validate

from faps.domain.dossier import OUTCOME_LABELS
from faps.web.api.schema_base import Day, In, Out, euros, text
from faps.web.api.schemas import DossierRowOut
from faps.web.schemas import FrenchSchema, count


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


class VoteFiguresIn(In):
    """A deliberation's figures: the amount, its number and the head counts (an outcome
    recorded or rectified)."""

    amount = euros(required=True)
    deliberation_reference = text(100)
    votes_for = count(required=True)
    votes_against = count(required=True)
    abstentions = count(required=True)
    present = count(required=True)
    voting = count(required=True)


class OutcomeIn(VoteFiguresIn):
    outcome = fields.String(required=True, validate=validate.OneOf(list(OUTCOME_LABELS)))


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
