"""The dossier after the council's decision: concordant vote, notification, payments, end."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from faps.domain.actors import Actor
from faps.domain.deadlines import paris_day
from faps.domain.dossier_content import DossierState as S
from faps.domain.dossier_content import PaymentKind, PaymentRequest
from faps.domain.errors import TransitionNotAllowedError
from faps.domain.events import ActedEvent
from faps.domain.grant import BalanceSettlement, balance_settlement
from faps.domain.money import ZERO, format_euros
from faps.domain.payment_guards import (
    check_advance,
    check_interim,
    check_paid_amount,
    check_payment_basis,
    check_retained,
    dossier_interim_limit,
    refuse,
)

if TYPE_CHECKING:
    from faps.domain.dossier import Dossier


class GrantMixin:
    """Commands of an awarded grant; mixed into Dossier."""

    class MunicipalDeliberationRecorded(ActedEvent):
        reference: str
        decided_on: date

        def apply(self, dossier: Dossier) -> None:
            dossier.municipal_deliberation = {"reference": self.reference,
                                              "decided_on": self.decided_on}

    def record_municipal_deliberation(self: Dossier, actor: Actor, reference: str,
                                      decided_on: date, at: datetime) -> None:
        """Record the commune's concordant vote (required by law before any payment)."""
        if self.state is S.DRAFT or self.state.is_final:
            self._require("enregistrer la délibération municipale")
        if not reference.strip():
            raise refuse("reference", "indiquez le numéro de la délibération municipale")
        if decided_on > paris_day(at):
            raise refuse("decided_on", "la date ne peut pas être dans le futur")
        self.trigger_event(self.MunicipalDeliberationRecorded, actor=actor,
                           reference=reference.strip(), decided_on=decided_on, timestamp=at)

    class Notified(ActedEvent):
        notified_on: date

        def apply(self, dossier: Dossier) -> None:
            dossier.notified_on = self.notified_on

    def notify(self: Dossier, actor: Actor, at: datetime) -> None:
        """Record that the decision was notified to the commune."""
        self._require("notifier la décision", S.AWARDED)
        if self.notified_on:
            raise TransitionNotAllowedError("La décision a déjà été notifiée.")
        self.trigger_event(self.Notified, actor=actor, notified_on=paris_day(at), timestamp=at)

    class AgreementSigned(ActedEvent):
        reference: str
        signed_on: date

        def apply(self, dossier: Dossier) -> None:
            dossier.agreement = {"reference": self.reference, "signed_on": self.signed_on}

    def sign_agreement(self: Dossier, actor: Actor, reference: str, signed_on: date,
                       at: datetime) -> None:
        """Record the funding agreement (convention de financement) signed by both parties."""
        self._require("enregistrer la convention", S.AWARDED)
        if self.agreement:
            raise TransitionNotAllowedError("La convention est déjà enregistrée.")
        if not reference.strip():
            raise refuse("reference", "indiquez la référence de la convention")
        if signed_on > paris_day(at):
            raise refuse("signed_on", "la date ne peut pas être dans le futur")
        self.trigger_event(self.AgreementSigned, actor=actor, reference=reference.strip(),
                           signed_on=signed_on, timestamp=at)

    class PaymentRequested(ActedEvent):
        request_id: UUID
        kind: str
        amount: Decimal
        expenses_paid: Decimal
        documents: tuple[UUID, ...]

        def apply(self, dossier: Dossier) -> None:
            dossier.payment_requests[self.request_id] = PaymentRequest(
                request_id=self.request_id, kind=self.kind, amount=self.amount,  # type: ignore[arg-type]
                expenses_paid=self.expenses_paid, documents=self.documents)

    def request_payment(self: Dossier, actor: Actor, request_id: UUID, kind: PaymentKind,
                        amount: Decimal, expenses_paid: Decimal, documents: tuple[UUID, ...],
                        rules: dict[str, Any], at: datetime) -> None:
        """Ask for an advance, an interim payment or the balance, with justificatifs.

        `rules` carries the règlement's `advance_rate`, `interim_pro_rata` and the document
        kinds required (`required_kinds`, code → label) for this kind of payment. Every
        payment rests on the notified decision and the signed agreement.
        """
        self._require("demander un versement", S.AWARDED)
        if not self.municipal_deliberation:
            raise TransitionNotAllowedError(
                "La délibération concordante du conseil municipal n’est pas enregistrée : "
                "aucun versement n’est possible (CGCT L5216-5 VI).")
        check_payment_basis(self)
        if self.pending_payment:
            raise TransitionNotAllowedError("Une demande de versement est déjà en cours.")
        if any(p.kind == "solde" and p.status == "paye" for p in self.payment_requests.values()):
            raise TransitionNotAllowedError("Le solde a déjà été versé.")
        unknown = [d for d in documents if d not in self.documents]
        if unknown:
            raise refuse("documents", "une pièce citée n’est pas jointe au dossier")
        if amount <= 0 or amount > self.remaining_to_pay:
            raise refuse("amount", "le montant demandé doit être positif et au plus "
                         f"{format_euros(self.remaining_to_pay)} (reste à verser)")
        if kind == "avance":
            check_advance(self, amount, rules["advance_rate"])
        if kind == "acompte" and rules.get("interim_pro_rata", True):
            check_interim(self, amount, expenses_paid)
        given = {self.documents[d].kind for d in documents}
        missing = [label for code, label in rules["required_kinds"].items() if code not in given]
        if missing:
            raise refuse("documents", "pièces justificatives manquantes : " + " ; ".join(missing))
        self.trigger_event(self.PaymentRequested, actor=actor, request_id=request_id, kind=kind,
                           amount=amount, expenses_paid=expenses_paid, documents=documents,
                           timestamp=at)

    class PaymentMade(ActedEvent):
        """A payment, with the statement of sums already paid it rested on (CGCT D1617-19).

        v2 added `paid_before` (net sums already paid) and `awarded` (the award then);
        v1 events have None: their statement is rebuilt from the dossier's earlier version.
        """

        class_version = 2
        request_id: UUID
        amount: Decimal
        paid_on: date
        mandate_reference: str
        paid_before: Decimal | None
        awarded: Decimal | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["paid_before"] = None
            state["awarded"] = None

        def apply(self, dossier: Dossier) -> None:
            dossier.paid += self.amount
            request = dossier.payment_requests[self.request_id]
            dossier.payment_requests[self.request_id] = request.model_copy(
                update={"status": "paye", "paid_amount": self.amount, "paid_on": self.paid_on,
                        "mandate_reference": self.mandate_reference})

    def balance_settlement(self: Dossier, request_id: UUID,
                           retained: Decimal | None = None) -> BalanceSettlement | None:
        """Return how a pending balance request settles on the eligible expenses retained
        (`retained`, else those already retained, else those the commune declared)."""
        request = self.payment_requests.get(request_id)
        if request is None or request.kind != "solde" or self.assessment is None:
            return None
        base = request.eligible_expenses if retained is None else retained
        return balance_settlement(self.assessment, self.awarded_amount, self.net_paid, base)

    class ExpensesRetained(ActedEvent):
        """At the balance, the officer retained less than the eligible expenses declared."""

        request_id: UUID
        declared: Decimal
        retained: Decimal
        motive: str

        def apply(self, dossier: Dossier) -> None:
            request = dossier.payment_requests[self.request_id]
            dossier.payment_requests[self.request_id] = request.model_copy(
                update={"retained_expenses": self.retained, "retention_motive": self.motive})

    def _retain(self: Dossier, actor: Actor, request: PaymentRequest, retained: Decimal | None,
                motive: str, at: datetime) -> None:
        if request.kind != "solde" or retained is None or retained == request.expenses_paid:
            return
        check_retained(request.expenses_paid, retained, motive)
        self.trigger_event(self.ExpensesRetained, actor=actor, request_id=request.request_id,
                           declared=request.expenses_paid, retained=retained,
                           motive=motive.strip(), timestamp=at)

    def make_payment(self: Dossier, actor: Actor, request_id: UUID, amount: Decimal,
                     paid_on: date, mandate_reference: str, at: datetime,
                     retained_expenses: Decimal | None = None, retention_motive: str = "",
                     interim_pro_rata: bool = True) -> None:
        """Record the payment (mandatement) of a pending request.

        At the balance the officer retains the eligible expenses (ExpensesRetained when less
        than declared, with a motive); a retained cost lower than planned first reduces the
        grant pro rata (GrantReduced): the balance pays the reduced award less what was already
        paid, and an overpayment becomes a clawback; nothing is then left to pay (0,00 €).
        """
        self._require("verser", S.AWARDED)
        request = self.payment_requests.get(request_id)
        if request is None or request.status != "en_attente":
            raise TransitionNotAllowedError("Cette demande de versement n’est pas en attente.")
        check_payment_basis(self)
        if not mandate_reference.strip():
            raise refuse("mandate_reference", "indiquez la référence du mandat")
        if request.kind == "solde" and retained_expenses is not None:
            check_retained(request.expenses_paid, retained_expenses, retention_motive)
        settlement = self.balance_settlement(request_id, retained_expenses)
        if settlement is not None and settlement.reduced:
            limit = min(request.amount, settlement.balance_due)
            check_paid_amount(amount, limit, nothing_due=settlement.balance_due == 0)
            self._retain(actor, request, retained_expenses, retention_motive, at)
            self.reduce_grant(actor, settlement.reduced_award, settlement.real_base,
                              settlement.motive, at)
        else:
            limit = min(request.amount, self.remaining_to_pay)
            if request.kind == "acompte" and interim_pro_rata:
                limit = min(limit, dossier_interim_limit(self, request.expenses_paid))
            check_paid_amount(amount, limit, nothing_due=False)
            self._retain(actor, request, retained_expenses, retention_motive, at)
        self.trigger_event(self.PaymentMade, actor=actor, request_id=request_id, amount=amount,
                           paid_on=paid_on, mandate_reference=mandate_reference.strip(),
                           paid_before=self.net_paid, awarded=self.awarded_amount,
                           timestamp=at)

    class PaymentRequestRefused(ActedEvent):
        request_id: UUID
        motive: str

        def apply(self, dossier: Dossier) -> None:
            request = dossier.payment_requests[self.request_id]
            dossier.payment_requests[self.request_id] = request.model_copy(
                update={"status": "refuse", "motive": self.motive})

    def refuse_payment_request(self: Dossier, actor: Actor, request_id: UUID, motive: str,
                               at: datetime) -> None:
        """Refuse a payment request, saying why."""
        request = self.payment_requests.get(request_id)
        if request is None or request.status != "en_attente":
            raise TransitionNotAllowedError("Cette demande de versement n’est pas en attente.")
        if not motive.strip():
            raise refuse("motive", "motivez le refus")
        self.trigger_event(self.PaymentRequestRefused, actor=actor, request_id=request_id,
                           motive=motive.strip(), timestamp=at)

    class GrantReduced(ActedEvent):
        previous_amount: Decimal
        new_amount: Decimal
        real_eligible_cost: Decimal
        clawback_due: Decimal
        motive: str

        def apply(self, dossier: Dossier) -> None:
            dossier.awarded_amount = self.new_amount
            dossier.clawback_due += self.clawback_due

    def reduce_grant(self: Dossier, actor: Actor, new_amount: Decimal,
                     real_eligible_cost: Decimal, motive: str, at: datetime) -> None:
        """Lower the grant to the real cost; what was overpaid becomes a clawback."""
        self._require("réduire la subvention", S.AWARDED)
        if not ZERO <= new_amount < self.awarded_amount:
            raise refuse("new_amount",
                         "le nouveau montant doit être inférieur au montant attribué")
        overpaid = max(self.net_paid - new_amount, ZERO)
        self.trigger_event(self.GrantReduced, actor=actor, previous_amount=self.awarded_amount,
                           new_amount=new_amount, real_eligible_cost=real_eligible_cost,
                           clawback_due=overpaid, motive=motive.strip(), timestamp=at)

    class ClawbackRecovered(ActedEvent):
        amount: Decimal
        title_reference: str

        def apply(self, dossier: Dossier) -> None:
            dossier.clawback_recovered += self.amount

    def record_clawback(self: Dossier, actor: Actor, amount: Decimal, title_reference: str,
                        at: datetime) -> None:
        """Record money paid back by the commune on a titre de recette."""
        outstanding = self.clawback_due - self.clawback_recovered
        if amount <= 0 or amount > outstanding:
            raise refuse("amount", f"le reversement doit être positif et au plus "
                         f"{format_euros(outstanding)}")
        self.trigger_event(self.ClawbackRecovered, actor=actor, amount=amount,
                           title_reference=title_reference.strip(), timestamp=at)

    class Lapsed(ActedEvent):
        motive: str
        released_amount: Decimal

        def apply(self, dossier: Dossier) -> None:
            dossier.state = S.LAPSED
            dossier.awarded_amount -= self.released_amount
            dossier.closing_motive = self.motive

    def lapse(self: Dossier, actor: Actor, motive: str, at: datetime) -> None:
        """Declare the unused part of the grant lapsed (caducité), by an officer's decision."""
        self._require("prononcer la caducité", S.AWARDED)
        if not motive.strip():
            raise refuse("motive", "motivez la caducité")
        self.trigger_event(self.Lapsed, actor=actor, motive=motive.strip(),
                           released_amount=self.remaining_to_pay, timestamp=at)

    class Closed(ActedEvent):
        """The grant is soldé; v2 records the unpaid remainder released (v1: None, unknown)."""

        class_version = 2
        released_amount: Decimal | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["released_amount"] = None

        def apply(self, dossier: Dossier) -> None:
            dossier.state = S.CLOSED
            dossier.awarded_amount -= self.released_amount or ZERO

    def close(self: Dossier, actor: Actor, at: datetime) -> None:
        """Close a fully paid grant (soldé)."""
        self._require("solder le dossier", S.AWARDED)
        balance_paid = any(p.kind == "solde" and p.status == "paye"
                           for p in self.payment_requests.values())
        if not balance_paid and self.remaining_to_pay > 0:
            raise TransitionNotAllowedError(
                f"Il reste {format_euros(self.remaining_to_pay)} à verser : "
                "le dossier n’est pas soldé.")
        if self.pending_payment:
            raise TransitionNotAllowedError("Une demande de versement est en attente.")
        self.trigger_event(self.Closed, actor=actor, released_amount=self.remaining_to_pay,
                           timestamp=at)
