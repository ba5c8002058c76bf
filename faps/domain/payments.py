"""The statement of sums already paid (état des sommes déjà versées) of a grant.

CGCT D1617-19, annex I, rubric 7211/7212: every payment after the first rests on the required
justifications and a statement of the sums already paid. The statement is a pure function of the
dossier's state, so it can be shown before paying, recorded with the payment, and rebuilt at any
earlier version of the dossier.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from faps.domain.dossier_content import PAYMENT_KIND_LABELS
from faps.domain.money import ZERO

if TYPE_CHECKING:
    from faps.domain.dossier import Dossier


class StatementLine(BaseModel):
    """One payment already made on the grant."""

    model_config = ConfigDict(frozen=True)

    kind: str
    kind_label: str
    paid_on: date | None
    amount: Decimal
    mandate_reference: str


class PaymentStatement(BaseModel):
    """What was awarded, what was paid (line by line), what was paid back, what remains."""

    model_config = ConfigDict(frozen=True)

    awarded: Decimal
    lines: tuple[StatementLine, ...]
    total_paid: Decimal
    clawback_due: Decimal
    clawback_recovered: Decimal
    net_paid: Decimal
    remaining: Decimal

    @property
    def clawback_outstanding(self) -> Decimal:
        """Return what the commune still has to pay back."""
        return self.clawback_due - self.clawback_recovered


def payment_statement(dossier: Dossier) -> PaymentStatement:
    """Return the statement of sums already paid on a dossier's grant, oldest payment first."""
    paid = [p for p in dossier.payment_requests.values() if p.status == "paye"]
    paid.sort(key=lambda p: (p.paid_on or date.min))
    lines = tuple(
        StatementLine(kind=p.kind, kind_label=PAYMENT_KIND_LABELS.get(p.kind, p.kind),
                      paid_on=p.paid_on, amount=p.paid_amount,
                      mandate_reference=p.mandate_reference)
        for p in paid)
    total = sum((line.amount for line in lines), ZERO)
    net = total - dossier.clawback_due
    return PaymentStatement(
        awarded=dossier.awarded_amount, lines=lines, total_paid=total,
        clawback_due=dossier.clawback_due, clawback_recovered=dossier.clawback_recovered,
        net_paid=net, remaining=max(dossier.awarded_amount - net, ZERO))
