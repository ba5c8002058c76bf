"""Guards of a grant's payments: amounts paid, advances; refusals name their field."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from faps.domain.errors import InvalidInputError, TransitionNotAllowedError
from faps.domain.grant import advance_limit, interim_limit
from faps.domain.money import ZERO, format_euros

if TYPE_CHECKING:
    from faps.domain.dossier import Dossier


def refuse(field: str, message: str) -> InvalidInputError:
    """Return the error refusing one field's input, in French."""
    return InvalidInputError({field: [message]})


def check_paid_amount(amount: Decimal, limit: Decimal, nothing_due: bool) -> None:
    """Refuse a paid amount above the limit, or any amount when nothing is due."""
    if nothing_due:
        if amount != 0:
            raise refuse("amount", "rien n’est à verser au solde : le montant versé est "
                         "0,00 € et le trop-perçu est à reverser")
    elif amount <= 0 or amount > limit:
        raise refuse("amount", f"le montant versé doit être positif et au plus "
                     f"{format_euros(limit)}")


def check_payment_basis(dossier: Dossier) -> None:
    """Refuse any payment before the decision is notified and the agreement signed."""
    if not dossier.notified_on:
        raise TransitionNotAllowedError(
            "La décision n’est pas encore notifiée à la commune : aucun versement n’est possible.")
    if not dossier.agreement:
        raise TransitionNotAllowedError(
            "La convention de financement n’est pas signée : aucun versement n’est possible.")


def planned_base(dossier: Dossier) -> Decimal:
    """Return the planned eligible base of the award (0 when never assessed)."""
    return dossier.assessment.figures.eligible_base if dossier.assessment else ZERO


def dossier_interim_limit(dossier: Dossier, justified: Decimal) -> Decimal:
    """Return the largest acompte the expenses justified allow on this dossier now."""
    return interim_limit(dossier.awarded_amount, justified, planned_base(dossier),
                         dossier.net_paid)


def check_interim(dossier: Dossier, amount: Decimal, justified: Decimal) -> None:
    """Refuse an acompte above award × justified ÷ planned base, less what was paid."""
    limit = dossier_interim_limit(dossier, justified)
    if amount > limit:
        raise refuse("amount", f"l’acompte est limité à {format_euros(limit)} : montant attribué "
                     f"× dépenses éligibles justifiées ({format_euros(justified)}) ÷ dépense "
                     f"éligible prévue ({format_euros(planned_base(dossier))}), moins les "
                     "sommes déjà versées")


def check_retained(declared: Decimal, retained: Decimal, motive: str) -> None:
    """Refuse retained expenses above those declared, or a retention below them unexplained."""
    if retained > declared:
        raise refuse("retained_expenses", f"la dépense éligible retenue ne peut dépasser la "
                     f"dépense déclarée par la commune ({format_euros(declared)})")
    if retained < declared and not motive.strip():
        raise refuse("retention_motive", "motivez l’exclusion des dépenses non retenues")


def check_advance(dossier: Dossier, amount: Decimal, advance_rate: Decimal) -> None:
    """Refuse an advance after a payment, or above the rate."""
    if dossier.paid > 0:
        raise TransitionNotAllowedError("Une avance ne peut précéder que le premier versement.")
    limit = advance_limit(dossier.awarded_amount, advance_rate)
    if amount > limit:
        raise refuse("amount", f"l’avance est limitée à {format_euros(limit)} "
                     f"({advance_rate * 100:.0f} % du montant attribué)")
