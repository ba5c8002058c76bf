"""The fund's yearly budget: amount voted, commitments on awards, payments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.domain import Snapshot as LibrarySnapshot

from faps.domain.actors import Actor
from faps.domain.errors import BudgetExceededError, InvalidInputError
from faps.domain.events import ActedEvent
from faps.domain.money import ZERO, format_euros


def _required_reference(deliberation_reference: str) -> str:
    """Return the council's deliberation reference, which a vote or an amendment must cite."""
    reference = deliberation_reference.strip()
    if not reference:
        raise InvalidInputError({"deliberation_reference": [
            "indiquez le numéro de la délibération du conseil communautaire"]})
    return reference


class YearlyBudget(Aggregate):
    """The enveloppe annuelle of one year (autorisation de programme of the FAPS)."""

    class Event(ActedEvent):
        """Base of the budget's events."""

    class Voted(Event, Aggregate.Created):
        """The year's budget adopted by the council (not a decision on a dossier,
        `Dossier.Voted`); the name is the stored topic."""

        year: int
        amount: Decimal
        deliberation_reference: str

    class Snapshot(LibrarySnapshot):
        """A snapshot whose dossier-keyed maps have text keys (JSON objects cannot have UUID
        keys: without this the 50th event of a budget with a commitment failed its save)."""

        KEYED = ("commitments", "paid_by_dossier")

        @classmethod
        def take(cls, aggregate: Any) -> Any:
            """Return the snapshot, each dossier-keyed map keyed by the id's text."""
            snapshot = super().take(aggregate)
            for name in cls.KEYED:
                snapshot.state[name] = {str(k): v for k, v in snapshot.state[name].items()}
            return snapshot

        def mutate(self, _: None) -> Any:
            """Rebuild the budget, each dossier-keyed map keyed by UUID again."""
            budget = super().mutate(_)
            for name in self.KEYED:
                vars(budget)[name] = {UUID(k): v for k, v in vars(budget)[name].items()}
            return budget

    @staticmethod
    def create_id(year: int) -> UUID:
        """Return the id of a year's budget (one budget per year)."""
        return uuid5(NAMESPACE_URL, f"faps:budget:{year}")

    def __init__(self, actor: Actor, year: int, amount: Decimal,
                 deliberation_reference: str) -> None:
        self.year = year
        self.voted = amount
        self.deliberation_reference = deliberation_reference
        self.commitments: dict[UUID, dict[str, object]] = {}
        self.paid_by_dossier: dict[UUID, Decimal] = {}

    @classmethod
    def vote(cls, actor: Actor, year: int, amount: Decimal, deliberation_reference: str,
             at: datetime) -> YearlyBudget:
        """Open a year's budget with the amount the council voted."""
        if amount <= 0:
            raise InvalidInputError({"amount": ["le montant voté doit être positif"]})
        return cls._create(cls.Voted, id=cls.create_id(year), actor=actor, year=year,
                           amount=amount,
                           deliberation_reference=_required_reference(deliberation_reference),
                           timestamp=at)

    @property
    def committed(self) -> Decimal:
        """Return the amount committed on awards (after reductions and lapses)."""
        return sum((Decimal(str(c["amount"])) for c in self.commitments.values()), ZERO)

    @property
    def paid(self) -> Decimal:
        """Return the amount paid net of clawbacks recovered."""
        return sum(self.paid_by_dossier.values(), ZERO)

    @property
    def remaining(self) -> Decimal:
        """Return what may still be committed."""
        return self.voted - self.committed

    def committed_to(self, commune: str) -> Decimal:
        """Return what this year's awards give one commune."""
        return sum((Decimal(str(c["amount"])) for c in self.commitments.values()
                    if c["commune"] == commune), ZERO)

    class Amended(Event):
        amount: Decimal
        deliberation_reference: str

        def apply(self, budget: YearlyBudget) -> None:
            budget.voted = self.amount
            budget.deliberation_reference = self.deliberation_reference

    def amend(self, actor: Actor, amount: Decimal, deliberation_reference: str,
              at: datetime) -> None:
        """Change the voted amount (décision modificative); never below what is committed."""
        reference = _required_reference(deliberation_reference)
        if amount < self.committed:
            raise BudgetExceededError(
                f"Le budget {self.year} ne peut descendre sous les engagements "
                f"({format_euros(self.committed)}).", field="amount")
        self.trigger_event(self.Amended, actor=actor, amount=amount,
                           deliberation_reference=reference, timestamp=at)

    class Committed(Event):
        dossier_id: UUID
        commune: str
        amount: Decimal

        def apply(self, budget: YearlyBudget) -> None:
            budget.commitments[self.dossier_id] = {"commune": self.commune, "amount": self.amount}

    def commit(self, actor: Actor, dossier_id: UUID, commune: str, amount: Decimal,
               at: datetime, commune_ceiling: Decimal | None = None) -> None:
        """Commit an award on the year's budget; refused above what remains, or above the
        règlement's yearly ceiling per commune (`commune_ceiling`) with this year's awards."""
        if amount > self.remaining:
            raise BudgetExceededError(
                f"Attribution refusée : {format_euros(amount)} dépasse le reste disponible "
                f"du budget {self.year} ({format_euros(self.remaining)} sur "
                f"{format_euros(self.voted)} votés).", field="amount")
        already = self.committed_to(commune)
        if commune_ceiling is not None and already + amount > commune_ceiling:
            raise BudgetExceededError(
                f"Attribution refusée : avec {format_euros(amount)}, les attributions {self.year} "
                f"à la commune atteindraient {format_euros(already + amount)}, au-delà du "
                f"plafond annuel par commune du règlement ({format_euros(commune_ceiling)} ; "
                f"déjà attribué {format_euros(already)}).", field="amount")
        self.trigger_event(self.Committed, actor=actor, dossier_id=dossier_id, commune=commune,
                           amount=amount, timestamp=at)

    class CommitmentReduced(Event):
        dossier_id: UUID
        new_amount: Decimal

        def apply(self, budget: YearlyBudget) -> None:
            budget.commitments[self.dossier_id]["amount"] = self.new_amount

    def reduce_commitment(self, actor: Actor, dossier_id: UUID, new_amount: Decimal,
                          at: datetime) -> None:
        """Lower a commitment after a reduction or a lapse."""
        self.trigger_event(self.CommitmentReduced, actor=actor, dossier_id=dossier_id,
                           new_amount=new_amount, timestamp=at)

    class CommitmentRectified(Event):
        """A commitment set to the amount of a rectified deliberation (material error)."""

        dossier_id: UUID
        new_amount: Decimal

        def apply(self, budget: YearlyBudget) -> None:
            budget.commitments[self.dossier_id]["amount"] = self.new_amount

    def rectify_commitment(self, actor: Actor, dossier_id: UUID, new_amount: Decimal,
                           at: datetime) -> None:
        """Set a commitment to a rectified award; an increase must fit what remains."""
        current = Decimal(str(self.commitments[dossier_id]["amount"]))
        if new_amount - current > self.remaining:
            raise BudgetExceededError(
                f"Rectification refusée : {format_euros(new_amount - current)} de plus dépasse "
                f"le reste disponible du budget {self.year} ({format_euros(self.remaining)}).",
                field="amount")
        self.trigger_event(self.CommitmentRectified, actor=actor, dossier_id=dossier_id,
                           new_amount=new_amount, timestamp=at)

    class PaymentRecorded(Event):
        dossier_id: UUID
        amount: Decimal

        def apply(self, budget: YearlyBudget) -> None:
            budget.paid_by_dossier[self.dossier_id] = (
                budget.paid_by_dossier.get(self.dossier_id, ZERO) + self.amount)

    def record_payment(self, actor: Actor, dossier_id: UUID, amount: Decimal,
                       at: datetime) -> None:
        """Record a payment (positive) or a clawback recovered (negative) on a commitment."""
        if dossier_id not in self.commitments:
            raise InvalidInputError({"dossier": ["aucun engagement pour ce dossier"]})
        committed = Decimal(str(self.commitments[dossier_id]["amount"]))
        already = self.paid_by_dossier.get(dossier_id, ZERO)
        if amount > 0 and already + amount > committed:
            raise BudgetExceededError(
                f"Versement refusé : {format_euros(amount)} dépasse l’engagement du dossier sur "
                f"le budget {self.year} ({format_euros(committed)} engagés, "
                f"{format_euros(already)} déjà versés, reste {format_euros(committed - already)} ; "
                f"budget voté {format_euros(self.voted)}, engagé {format_euros(self.committed)}, "
                f"versé {format_euros(self.paid)}).", field="amount")
        if amount < 0 and already + amount < 0:
            raise InvalidInputError({"amount": ["le reversement dépasse ce qui a été versé"]})
        self.trigger_event(self.PaymentRecorded, actor=actor, dossier_id=dossier_id,
                           amount=amount, timestamp=at)
