"""Use cases of the council secretariat: sessions, agenda, votes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from faps.application import policy
from faps.application.dossiers import DossierService
from faps.application.retry import retried
from faps.domain.actors import Actor
from faps.domain.budget import YearlyBudget
from faps.domain.council import Body, CouncilSession
from faps.domain.dossier_content import Outcome
from faps.domain.errors import BudgetExceededError, InvalidInputError
from faps.domain.money import ZERO


class CouncilService:
    """Council sessions and the votes that award grants."""

    def __init__(self, dossiers: DossierService) -> None:
        self.dossiers = dossiers
        self.ctx = dossiers.ctx

    def load(self, actor: Actor, session_id: UUID) -> CouncilSession:
        """Return a session the actor may read."""
        policy.require(actor, "session.read")
        session: CouncilSession = self.ctx.app.load(session_id, what="Séance")
        return session

    @retried
    def schedule(self, actor: Actor, body: Body, session_date: date, place: str,
                 convocation_date: date, councillors_in_office: int, president: str = "",
                 secretary: str = "") -> UUID:
        """Create a council session."""
        policy.require(actor, "session.manage")
        session = CouncilSession.schedule(actor, body, session_date, place, convocation_date,
                                          councillors_in_office, president, secretary,
                                          self.ctx.clock.now())
        self.ctx.app.save_all(session)
        return session.id

    @retried
    def add_to_agenda(self, actor: Actor, session_id: UUID, dossier_ids: list[UUID]) -> list[int]:
        """Put proposals on the agenda, all at once or none."""
        policy.require(actor, "session.manage")
        session = self.load(actor, session_id)
        now = self.ctx.clock.now()
        numbers, dossiers = [], []
        for dossier_id in dict.fromkeys(dossier_ids):
            dossier = self.dossiers.load(actor, dossier_id)
            number = session.add_item(actor, dossier.id, dossier.reference or "",
                                      dossier.commune, dossier.content.title,
                                      dossier.proposed_amount or ZERO, now)
            dossier.place_on_agenda(actor, session.id, number, now)
            numbers.append(number)
            dossiers.append(dossier)
        self.ctx.app.save_all(session, *dossiers)
        return numbers

    @retried
    def withdraw_item(self, actor: Actor, session_id: UUID, item_number: int, motive: str) -> None:
        """Take an item off the agenda; its dossier goes back to the proposals."""
        policy.require(actor, "session.manage")
        session = self.load(actor, session_id)
        now = self.ctx.clock.now()
        dossier = self.dossiers.load(actor, session.items[item_number]["dossier_id"]) \
            if item_number in session.items else None
        session.withdraw_item(actor, item_number, motive, now)
        assert dossier is not None
        dossier.remove_from_agenda(actor, motive, now)
        self.ctx.app.save_all(session, dossier)

    @retried
    def move_item(self, actor: Actor, session_id: UUID, item_number: int, to_session_id: UUID,
                  motive: str) -> int:
        """Move an item not yet voted to another session; return its number there."""
        policy.require(actor, "session.manage")
        session, target = self.load(actor, session_id), self.load(actor, to_session_id)
        now = self.ctx.clock.now()
        if item_number not in session.items:
            raise InvalidInputError({"item_number": [f"pas de point n° {item_number}"]})
        dossier = self.dossiers.load(actor, session.items[item_number]["dossier_id"])
        session.move_item(actor, item_number, motive, target, now)
        number = target.add_item(actor, dossier.id, dossier.reference or "", dossier.commune,
                                 dossier.content.title, dossier.proposed_amount or ZERO, now)
        dossier.remove_from_agenda(actor, motive, now)
        dossier.place_on_agenda(actor, target.id, number, now)
        self.ctx.app.save_all(session, target, dossier)
        return number

    @retried
    def rectify_outcome(self, actor: Actor, session_id: UUID, item_number: int, amount: Decimal,
                        deliberation_reference: str, votes: tuple[int, int, int],
                        attendance: tuple[int, int], motive: str) -> None:
        """Rectify a recorded vote (material error) on the session, the dossier and the budget."""
        policy.require(actor, "session.manage")
        session = self.load(actor, session_id)
        now = self.ctx.clock.now()
        dossier_id = session.rectify_outcome(actor, item_number, amount, deliberation_reference,
                                             votes, attendance, motive, now)
        dossier = self.dossiers.load(actor, dossier_id)
        before = dossier.awarded_amount
        dossier.rectify_vote(actor, amount, deliberation_reference, votes, motive, now)
        touched: list[object] = [session, dossier]
        if dossier.awarded_amount != before:
            budget = self._budget(session.session_date.year)
            budget.rectify_commitment(actor, dossier.id, dossier.awarded_amount, now)
            touched.append(budget)
        self.ctx.app.save_all(*touched)

    @retried
    def record_outcome(self, actor: Actor, session_id: UUID, item_number: int, outcome: Outcome,
                       amount: Decimal, deliberation_reference: str,
                       votes: tuple[int, int, int], attendance: tuple[int, int]) -> None:
        """Record an item's vote on the session and the dossier; an award commits the budget."""
        policy.require(actor, "session.manage")
        session = self.load(actor, session_id)
        now = self.ctx.clock.now()
        dossier_id = session.record_outcome(actor, item_number, outcome, amount,
                                            deliberation_reference, votes, attendance, now)
        dossier = self.dossiers.load(actor, dossier_id)
        dossier.record_vote(actor, session.id, outcome, amount, deliberation_reference, votes,
                            session.session_date, now, body=session.body)
        touched: list[object] = [session, dossier]
        if outcome == Outcome.ADOPTED:
            budget = self._budget(session.session_date.year)
            ceiling = self.dossiers.reglement_of(dossier).commune_yearly_ceiling
            budget.commit(actor, dossier.id, dossier.commune, dossier.awarded_amount, now,
                          commune_ceiling=ceiling)
            touched.append(budget)
        self.ctx.app.save_all(*touched)

    def _budget(self, year: int) -> YearlyBudget:
        budget: YearlyBudget | None = self.ctx.app.find(YearlyBudget.create_id(year))
        if budget is None:
            raise BudgetExceededError(
                f"Aucun budget du FAPS n'est voté pour {year} : aucune attribution possible.",
                field="amount")
        return budget

    @retried
    def close(self, actor: Actor, session_id: UUID) -> None:
        """Close the session once every item has its outcome."""
        policy.require(actor, "session.manage")
        session = self.load(actor, session_id)
        session.close(actor, self.ctx.clock.now())
        self.ctx.app.save_all(session)
