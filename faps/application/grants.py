"""Use cases of an awarded grant: concordant vote, notification, agreement, payments, end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from faps.application.dossiers import DossierService
from faps.application.retry import retried
from faps.domain.actors import Actor
from faps.domain.budget import YearlyBudget
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import Outcome, PaymentKind
from faps.domain.errors import ConfigurationError, InvalidInputError, TransitionNotAllowedError
from faps.domain.grant import reduced_grant
from faps.domain.payments import PaymentStatement, payment_statement


class GrantService:
    """What happens to a dossier after the council awarded it a grant."""

    def __init__(self, dossiers: DossierService) -> None:
        self.dossiers = dossiers
        self.ctx = dossiers.ctx

    def _budget_of(self, dossier: Dossier) -> YearlyBudget:
        if dossier.decision is None or dossier.decision["outcome"] != Outcome.ADOPTED:
            raise TransitionNotAllowedError(
                f"Aucune subvention n'est attribuée : le dossier est « {dossier.state.label} ».")
        year = dossier.decision["decided_on"].year
        budget: YearlyBudget | None = self.ctx.app.find(YearlyBudget.create_id(year))
        if budget is None:
            raise ConfigurationError(f"Aucun budget n'est voté pour {year}.")
        return budget

    @retried
    def record_municipal_deliberation(self, actor: Actor, dossier_id: UUID, reference: str,
                                      decided_on: date) -> None:
        """Record the commune's concordant deliberation."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.record_municipal_deliberation")
        dossier.record_municipal_deliberation(actor, reference, decided_on, self.ctx.clock.now())
        self.ctx.app.save_all(dossier)

    @retried
    def notify(self, actor: Actor, dossier_id: UUID) -> None:
        """Record the notification of the decision to the commune."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.notify")
        dossier.notify(actor, self.ctx.clock.now())
        self.ctx.app.save_all(dossier)

    @retried
    def sign_agreement(self, actor: Actor, dossier_id: UUID, reference: str,
                       signed_on: date) -> None:
        """Record the signed funding agreement."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.sign_agreement")
        dossier.sign_agreement(actor, reference, signed_on, self.ctx.clock.now())
        self.ctx.app.save_all(dossier)

    @retried
    def request_payment(self, actor: Actor, dossier_id: UUID, kind: PaymentKind, amount: Decimal,
                        expenses_paid: Decimal, documents: tuple[UUID, ...]) -> UUID:
        """Ask for a payment with its justificatifs (the règlement says which)."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.request_payment")
        reglement = self.dossiers.reglement_of(dossier)
        kinds = {"avance": reglement.documents_at_advance,
                 "acompte": reglement.documents_at_interim,
                 "solde": reglement.documents_at_balance}
        if kind not in kinds:
            raise InvalidInputError(
                {"kind": ["type de versement inconnu : avance, acompte ou solde"]})
        rules = {"advance_rate": reglement.advance_rate,
                 "interim_pro_rata": reglement.interim_pro_rata,
                 "required_kinds": {k.code: k.label for k in kinds[kind]}}
        request_id = uuid4()
        dossier.request_payment(actor, request_id, kind, amount, expenses_paid, tuple(documents),
                                rules, self.ctx.clock.now())
        self.ctx.app.save_all(dossier)
        return request_id

    def statement(self, actor: Actor, dossier_id: UUID,
                  version: int | None = None) -> PaymentStatement:
        """Return the statement of sums already paid (at a version of the dossier, if given)."""
        dossier = self.dossiers.load(actor, dossier_id)
        if version is not None:
            dossier = self.ctx.app.load(dossier_id, version=version)
        return payment_statement(dossier)

    @retried
    def make_payment(self, actor: Actor, dossier_id: UUID, request_id: UUID, amount: Decimal,
                     paid_on: date, mandate_reference: str,
                     retained_expenses: Decimal | None = None,
                     retention_motive: str = "") -> None:
        """Pay a request; the payment is recorded on the award year's budget too.

        At the balance the officer may retain less than the eligible expenses declared (with a
        motive). A balance on a lower real cost reduces the grant first: the reduction, the
        lowered commitment and the payment are saved together.
        """
        dossier = self.dossiers.load(actor, dossier_id, "dossier.make_payment")
        budget = self._budget_of(dossier)
        now = self.ctx.clock.now()
        awarded = dossier.awarded_amount
        reglement = self.dossiers.reglement_of(dossier)
        dossier.make_payment(actor, request_id, amount, paid_on, mandate_reference, now,
                             retained_expenses=retained_expenses,
                             retention_motive=retention_motive,
                             interim_pro_rata=reglement.interim_pro_rata)
        if dossier.awarded_amount != awarded:
            budget.reduce_commitment(actor, dossier.id, dossier.awarded_amount, now)
        if amount:
            budget.record_payment(actor, dossier.id, amount, now)
        self.ctx.app.save_all(dossier, budget)

    @retried
    def refuse_payment(self, actor: Actor, dossier_id: UUID, request_id: UUID, motive: str) -> None:
        """Refuse a payment request with a motive."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.refuse_payment")
        dossier.refuse_payment_request(actor, request_id, motive, self.ctx.clock.now())
        self.ctx.app.save_all(dossier)

    @retried
    def reduce(self, actor: Actor, dossier_id: UUID, real_eligible_cost: Decimal,
               motive: str) -> Decimal:
        """Reduce the grant pro rata to the real eligible cost; return the new amount."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.reduce_grant")
        budget = self._budget_of(dossier)
        assert dossier.assessment is not None  # an award always follows an assessment
        new_amount = reduced_grant(dossier.assessment, dossier.awarded_amount, real_eligible_cost)
        now = self.ctx.clock.now()
        dossier.reduce_grant(actor, new_amount, real_eligible_cost, motive, now)
        budget.reduce_commitment(actor, dossier.id, new_amount, now)
        self.ctx.app.save_all(dossier, budget)
        return new_amount

    @retried
    def record_clawback(self, actor: Actor, dossier_id: UUID, amount: Decimal,
                        title_reference: str) -> None:
        """Record money paid back by the commune (titre de recette)."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.record_clawback")
        budget = self._budget_of(dossier)
        now = self.ctx.clock.now()
        dossier.record_clawback(actor, amount, title_reference, now)
        budget.record_payment(actor, dossier.id, -amount, now)
        self.ctx.app.save_all(dossier, budget)

    @retried
    def lapse(self, actor: Actor, dossier_id: UUID, motive: str) -> None:
        """Declare the grant lapsed (caducité); the unused commitment is released."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.lapse")
        budget = self._budget_of(dossier)
        now = self.ctx.clock.now()
        dossier.lapse(actor, motive, now)
        budget.reduce_commitment(actor, dossier.id, dossier.awarded_amount, now)
        self.ctx.app.save_all(dossier, budget)

    @retried
    def close(self, actor: Actor, dossier_id: UUID) -> None:
        """Close a fully paid grant; an unpaid remainder is released from the budget."""
        dossier = self.dossiers.load(actor, dossier_id, "dossier.close")
        budget = self._budget_of(dossier)
        now = self.ctx.clock.now()
        dossier.close(actor, now)
        if budget.commitments[dossier.id]["amount"] != dossier.net_paid:
            budget.reduce_commitment(actor, dossier.id, dossier.net_paid, now)
        self.ctx.app.save_all(dossier, budget)
