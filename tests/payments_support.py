"""Helpers of the money tests: justificatifs, payment requests and payments of a grant."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from faps.domain.dossier_content import PaymentKind
from tests.support import World, pdf


def justificatifs(w: World, dossier_id: UUID, kind: PaymentKind) -> tuple[UUID, ...]:
    """Attach one file of each document kind the règlement requires for a payment kind."""
    dossier = w.faps.dossiers.load(w.agent, dossier_id)
    reglement = w.faps.reglements.get(dossier.reglement_version or "")
    kinds = {"avance": reglement.documents_at_advance, "acompte": reglement.documents_at_interim,
             "solde": reglement.documents_at_balance}[kind]
    return tuple(w.faps.dossiers.attach(w.agent, dossier_id, k.code, f"{k.code}.pdf",
                                        pdf(f"{k.code}-{len(dossier.documents)}"))
                 for k in kinds)


def ready_to_pay(w: World, dossier_id: UUID) -> None:
    """Notify the decision and sign the agreement, on which every payment rests."""
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    if not dossier.notified_on:
        w.faps.grants.notify(w.officer, dossier_id)
    if not dossier.agreement:
        w.faps.grants.sign_agreement(w.officer, dossier_id, "CONV-2024-01", w.clock.now().date())


def request(w: World, dossier_id: UUID, kind: PaymentKind, amount: Decimal,
            expenses_paid: Decimal | None = None) -> UUID:
    """Request a payment with its justificatifs, on a notified decision and signed agreement.

    An acompte justifies by default the whole planned eligible base (so only the rest to pay
    bounds it); other kinds declare nothing unless told.
    """
    ready_to_pay(w, dossier_id)
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    if expenses_paid is None:
        planned = dossier.assessment.figures.eligible_base if dossier.assessment else Decimal(0)
        expenses_paid = planned if kind == "acompte" else Decimal("0.00")
    docs = justificatifs(w, dossier_id, kind)
    return w.faps.grants.request_payment(w.agent, dossier_id, kind, amount, expenses_paid, docs)


def pay(w: World, dossier_id: UUID, kind: PaymentKind, amount: Decimal) -> UUID:
    """Request and pay a payment in full."""
    request_id = request(w, dossier_id, kind, amount)
    w.faps.grants.make_payment(w.officer, dossier_id, request_id, amount, w.clock.now().date(),
                               f"MANDAT-{request_id.hex[:6]}")
    return request_id
