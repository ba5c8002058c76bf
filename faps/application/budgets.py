"""Use cases of the fund's yearly budget: the envelope the council votes, and its amendments."""

from __future__ import annotations

from decimal import Decimal

from faps.application import policy
from faps.application.conflicts import budget_changed
from faps.application.dossiers import DossierService
from faps.application.retry import retried
from faps.domain.actors import Actor
from faps.domain.budget import YearlyBudget
from faps.domain.errors import ConflictError, InvalidInputError


class NotChecked:
    """The caller read no budget (a command line, the demo): any current vote is amended."""


NOT_CHECKED = NotChecked()


class BudgetService:
    """The fund's yearly budget."""

    def __init__(self, dossiers: DossierService) -> None:
        self.ctx = dossiers.ctx

    def get(self, actor: Actor, year: int) -> YearlyBudget:
        """Return a year's budget."""
        policy.require(actor, "budget.read")
        budget: YearlyBudget = self.ctx.app.load(YearlyBudget.create_id(year), what="Budget")
        return budget

    @retried
    def vote(self, actor: Actor, year: int, amount: Decimal, deliberation_reference: str,
             seen: tuple[Decimal, str] | NotChecked | None = NOT_CHECKED) -> None:
        """Record the yearly amount voted by the council, or its amendment.

        `seen` is the vote the person read (amount and deliberation; None: no budget yet): if
        another vote or amendment came since, nothing is recorded and the conflict says what
        it was. Commitments and payments since then are no conflict.
        """
        policy.require(actor, "budget.vote")
        if not 2000 <= year <= 2100:
            raise InvalidInputError({"year": ["année invalide"]})
        now = self.ctx.clock.now()
        budget: YearlyBudget | None = self.ctx.app.find(YearlyBudget.create_id(year))
        current = (budget.voted, budget.deliberation_reference) if budget is not None else None
        if not isinstance(seen, NotChecked) and current != seen:
            raise budget_changed(self.ctx.app, budget) if budget is not None else ConflictError(
                f"Le budget {year} a été retiré entre-temps\u202f: rechargez la page.")
        if budget is not None:
            budget.amend(actor, amount, deliberation_reference, now)
        else:
            budget = YearlyBudget.vote(actor, year, amount, deliberation_reference, now)
        self.ctx.app.save_all(budget)
