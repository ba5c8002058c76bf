"""Guards of a grant's payments: amounts paid, advances; refusals name their field."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from faps.domain.errors import InvalidInputError, TransitionNotAllowedError
from faps.domain.grant import advance_limit
from faps.domain.money import format_euros

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


def check_advance(dossier: Dossier, amount: Decimal, advance_rate: Decimal) -> None:
    """Refuse an advance without the agreement, after a payment, or above the rate."""
    if not dossier.agreement:
        raise TransitionNotAllowedError(
            "L’avance suppose la convention de financement signée.")
    if dossier.paid > 0:
        raise TransitionNotAllowedError("Une avance ne peut précéder que le premier versement.")
    limit = advance_limit(dossier.awarded_amount, advance_rate)
    if amount > limit:
        raise refuse("amount", f"l’avance est limitée à {format_euros(limit)} "
                     f"({advance_rate * 100:.0f} % du montant attribué)")
