"""The dossier's commands after the council's decision: concordant vote, notification,
payments, end. Bound as methods of `Dossier`, where their events are declared."""

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
from faps.domain.grant import BalanceSettlement
from faps.domain.grant import balance_settlement as settle
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


def record_municipal_deliberation(dossier: Dossier, actor: Actor, reference: str,
                                  decided_on: date, at: datetime) -> None:
    """Record the commune's concordant vote (required by law before any payment)."""
    if dossier.state is S.DRAFT or dossier.state.is_final:
        dossier._require("enregistrer la délibération municipale")
    if not reference.strip():
        raise refuse("reference", "indiquez le numéro de la délibération municipale")
    if decided_on > paris_day(at):
        raise refuse("decided_on", "la date ne peut pas être dans le futur")
    dossier.trigger_event(dossier.MunicipalDeliberationRecorded, actor=actor,
                          reference=reference.strip(), decided_on=decided_on, timestamp=at)


def notify(dossier: Dossier, actor: Actor, at: datetime) -> None:
    """Record that the decision was notified to the commune."""
    dossier._require("notifier la décision", S.AWARDED)
    if dossier.notified_on:
        raise TransitionNotAllowedError("La décision a déjà été notifiée.")
    dossier.trigger_event(dossier.Notified, actor=actor, notified_on=paris_day(at), timestamp=at)


def sign_agreement(dossier: Dossier, actor: Actor, reference: str, signed_on: date,
                   at: datetime) -> None:
    """Record the funding agreement (convention de financement) signed by both parties."""
    dossier._require("enregistrer la convention", S.AWARDED)
    if dossier.agreement:
        raise TransitionNotAllowedError("La convention est déjà enregistrée.")
    if not reference.strip():
        raise refuse("reference", "indiquez la référence de la convention")
    if signed_on > paris_day(at):
        raise refuse("signed_on", "la date ne peut pas être dans le futur")
    dossier.trigger_event(dossier.AgreementSigned, actor=actor, reference=reference.strip(),
                          signed_on=signed_on, timestamp=at)


def request_payment(dossier: Dossier, actor: Actor, request_id: UUID, kind: PaymentKind,
                    amount: Decimal, expenses_paid: Decimal, documents: tuple[UUID, ...],
                    rules: dict[str, Any], at: datetime) -> None:
    """Ask for an advance, an interim payment or the balance, with justificatifs.

    `rules` carries the règlement's `advance_rate`, `interim_pro_rata` and the document
    kinds required (`required_kinds`, code → label) for this kind of payment. Every
    payment rests on the notified decision and the signed agreement.
    """
    dossier._require("demander un versement", S.AWARDED)
    if not dossier.municipal_deliberation:
        raise TransitionNotAllowedError(
            "La délibération concordante du conseil municipal n’est pas enregistrée : "
            "aucun versement n’est possible (CGCT L5216-5 VI).")
    check_payment_basis(dossier)
    if dossier.pending_payment:
        raise TransitionNotAllowedError("Une demande de versement est déjà en cours.")
    if any(p.kind == "solde" and p.status == "paye" for p in dossier.payment_requests.values()):
        raise TransitionNotAllowedError("Le solde a déjà été versé.")
    unknown = [d for d in documents if d not in dossier.documents]
    if unknown:
        raise refuse("documents", "une pièce citée n’est pas jointe au dossier")
    if amount <= 0 or amount > dossier.remaining_to_pay:
        raise refuse("amount", "le montant demandé doit être positif et au plus "
                     f"{format_euros(dossier.remaining_to_pay)} (reste à verser)")
    if kind == "avance":
        check_advance(dossier, amount, rules["advance_rate"])
    if kind == "acompte" and rules.get("interim_pro_rata", True):
        check_interim(dossier, amount, expenses_paid)
    given = {dossier.documents[d].kind for d in documents}
    missing = [label for code, label in rules["required_kinds"].items() if code not in given]
    if missing:
        raise refuse("documents", "pièces justificatives manquantes : " + " ; ".join(missing))
    dossier.trigger_event(dossier.PaymentRequested, actor=actor, request_id=request_id, kind=kind,
                          amount=amount, expenses_paid=expenses_paid, documents=documents,
                          timestamp=at)


def balance_settlement(dossier: Dossier, request_id: UUID,
                       retained: Decimal | None = None) -> BalanceSettlement | None:
    """Return how a pending balance request settles on the eligible expenses retained
    (`retained`, else those already retained, else those the commune declared)."""
    request = dossier.payment_requests.get(request_id)
    if request is None or request.kind != "solde" or dossier.assessment is None:
        return None
    base = request.eligible_expenses if retained is None else retained
    return settle(dossier.assessment, dossier.awarded_amount, dossier.net_paid, base)


def _retain(dossier: Dossier, actor: Actor, request: PaymentRequest, retained: Decimal | None,
            motive: str, at: datetime) -> None:
    if request.kind != "solde" or retained is None or retained == request.expenses_paid:
        return
    check_retained(request.expenses_paid, retained, motive)
    dossier.trigger_event(dossier.ExpensesRetained, actor=actor, request_id=request.request_id,
                          declared=request.expenses_paid, retained=retained,
                          motive=motive.strip(), timestamp=at)


def make_payment(dossier: Dossier, actor: Actor, request_id: UUID, amount: Decimal,
                 paid_on: date, mandate_reference: str, at: datetime,
                 retained_expenses: Decimal | None = None, retention_motive: str = "",
                 interim_pro_rata: bool = True) -> None:
    """Record the payment (mandatement) of a pending request.

    At the balance the officer retains the eligible expenses (ExpensesRetained when less
    than declared, with a motive); a retained cost lower than planned first reduces the
    grant pro rata (GrantReduced): the balance pays the reduced award less what was already
    paid, and an overpayment becomes a clawback; nothing is then left to pay (0,00 €).
    """
    dossier._require("verser", S.AWARDED)
    request = dossier.payment_requests.get(request_id)
    if request is None or request.status != "en_attente":
        raise TransitionNotAllowedError("Cette demande de versement n’est pas en attente.")
    check_payment_basis(dossier)
    if not mandate_reference.strip():
        raise refuse("mandate_reference", "indiquez la référence du mandat")
    if request.kind == "solde" and retained_expenses is not None:
        check_retained(request.expenses_paid, retained_expenses, retention_motive)
    settlement = dossier.balance_settlement(request_id, retained_expenses)
    if settlement is not None and settlement.reduced:
        limit = min(request.amount, settlement.balance_due)
        check_paid_amount(amount, limit, nothing_due=settlement.balance_due == 0)
        _retain(dossier, actor, request, retained_expenses, retention_motive, at)
        dossier.reduce_grant(actor, settlement.reduced_award, settlement.real_base,
                             settlement.motive, at)
    else:
        limit = min(request.amount, dossier.remaining_to_pay)
        if request.kind == "acompte" and interim_pro_rata:
            limit = min(limit, dossier_interim_limit(dossier, request.expenses_paid))
        check_paid_amount(amount, limit, nothing_due=False)
        _retain(dossier, actor, request, retained_expenses, retention_motive, at)
    dossier.trigger_event(dossier.PaymentMade, actor=actor, request_id=request_id, amount=amount,
                          paid_on=paid_on, mandate_reference=mandate_reference.strip(),
                          paid_before=dossier.net_paid, awarded=dossier.awarded_amount,
                          timestamp=at)


def refuse_payment_request(dossier: Dossier, actor: Actor, request_id: UUID, motive: str,
                           at: datetime) -> None:
    """Refuse a payment request, saying why."""
    request = dossier.payment_requests.get(request_id)
    if request is None or request.status != "en_attente":
        raise TransitionNotAllowedError("Cette demande de versement n’est pas en attente.")
    if not motive.strip():
        raise refuse("motive", "motivez le refus")
    dossier.trigger_event(dossier.PaymentRequestRefused, actor=actor, request_id=request_id,
                          motive=motive.strip(), timestamp=at)


def reduce_grant(dossier: Dossier, actor: Actor, new_amount: Decimal,
                 real_eligible_cost: Decimal, motive: str, at: datetime) -> None:
    """Lower the grant to the real cost; what was overpaid becomes a clawback."""
    dossier._require("réduire la subvention", S.AWARDED)
    if not ZERO <= new_amount < dossier.awarded_amount:
        raise refuse("new_amount",
                     "le nouveau montant doit être inférieur au montant attribué")
    overpaid = max(dossier.net_paid - new_amount, ZERO)
    dossier.trigger_event(dossier.GrantReduced, actor=actor, previous_amount=dossier.awarded_amount,
                          new_amount=new_amount, real_eligible_cost=real_eligible_cost,
                          clawback_due=overpaid, motive=motive.strip(), timestamp=at)


def record_clawback(dossier: Dossier, actor: Actor, amount: Decimal, title_reference: str,
                    at: datetime) -> None:
    """Record money paid back by the commune on a titre de recette."""
    outstanding = dossier.clawback_due - dossier.clawback_recovered
    if amount <= 0 or amount > outstanding:
        raise refuse("amount", f"le reversement doit être positif et au plus "
                     f"{format_euros(outstanding)}")
    dossier.trigger_event(dossier.ClawbackRecovered, actor=actor, amount=amount,
                          title_reference=title_reference.strip(), timestamp=at)


def lapse(dossier: Dossier, actor: Actor, motive: str, at: datetime) -> None:
    """Declare the unused part of the grant lapsed (caducité), by an officer's decision."""
    dossier._require("prononcer la caducité", S.AWARDED)
    if not motive.strip():
        raise refuse("motive", "motivez la caducité")
    dossier.trigger_event(dossier.Lapsed, actor=actor, motive=motive.strip(),
                          released_amount=dossier.remaining_to_pay, timestamp=at)


def close(dossier: Dossier, actor: Actor, at: datetime) -> None:
    """Close a fully paid grant (soldé)."""
    dossier._require("solder le dossier", S.AWARDED)
    balance_paid = any(p.kind == "solde" and p.status == "paye"
                       for p in dossier.payment_requests.values())
    if not balance_paid and dossier.remaining_to_pay > 0:
        raise TransitionNotAllowedError(
            f"Il reste {format_euros(dossier.remaining_to_pay)} à verser : "
            "le dossier n’est pas soldé.")
    if dossier.pending_payment:
        raise TransitionNotAllowedError("Une demande de versement est en attente.")
    dossier.trigger_event(dossier.Closed, actor=actor, released_amount=dossier.remaining_to_pay,
                          timestamp=at)
