"""Money: euros as Decimal with cents, never float."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("1000000000.00")
NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


def cents(value: Decimal) -> Decimal:
    """Return the value with exactly two decimals, rounded half up (for sums of cents)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_down(value: Decimal) -> Decimal:
    """Return the value rounded down to the cent (grants are never rounded up)."""
    return value.quantize(CENT, rounding=ROUND_DOWN)


def parse_amount(raw: object) -> Decimal:
    """Parse euros from a string or number; refuse floats, negatives and sub-cent digits."""
    if isinstance(raw, bool | float):
        raise ValueError("montant attendu sous forme de texte, par exemple « 1234.56 »")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int | str):
        text = str(raw).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        text = text.replace(",", ".")
        if any(c in text for c in "eE_"):  # 1e3, 1_000: valid for Decimal, not for a person
            raise ValueError(f"« {raw} » n’est pas un montant valide (chiffres seulement)")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"« {raw} » n’est pas un montant valide") from None
    else:
        raise ValueError("montant invalide")
    if not value.is_finite():
        raise ValueError("montant invalide")
    if value < 0:
        raise ValueError("le montant ne peut pas être négatif")
    # Checked before quantize, which raises InvalidOperation past 28 digits.
    if value > MAX_AMOUNT:
        raise ValueError("le montant dépasse 1 000 000 000,00 €")
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise ValueError("le montant a plus de deux décimales")
    return cents(abs(value))  # abs: "-0" is zero, not "-0.00"


def _serialize(value: Decimal) -> str:
    return f"{cents(value):.2f}"


Euros = Annotated[
    Decimal,
    BeforeValidator(parse_amount),
    AfterValidator(cents),
    PlainSerializer(_serialize, return_type=str, when_used="json"),
]
"""A non-negative amount of euros with cents; JSON form is a string like "1234.50"."""


def format_integer(value: int) -> str:
    """Format a count the French way: « 30 000 » (narrow no-break space between thousands)."""
    return f"{value:,}".replace(",", NARROW_NBSP)


def format_euros(value: Decimal) -> str:
    """Format euros the French way: « 12 345,67 € » (narrow no-break space as thousands sep)."""
    sign = "-" if value < 0 else ""
    whole, _, frac = f"{abs(cents(value)):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + NARROW_NBSP.join(groups) + "," + frac + NBSP + "€"


def format_percent(rate: Decimal) -> str:
    """Format a rate as a French percentage: 0.30 → « 30 % », 0.125 → « 12,5 % »."""
    return f"{(rate * 100).normalize():f}".replace(".", ",") + NBSP + "%"
