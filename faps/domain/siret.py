"""SIRET checks: 14 digits passing the Luhn check (La Poste's establishments excepted)."""

from __future__ import annotations

import re

LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    """Tell whether a string of digits passes the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def siret_ok(siret: str) -> bool:
    """Tell whether a SIRET is well formed (La Poste's sum their digits to a multiple of 5)."""
    if not re.fullmatch(r"\d{14}", siret or ""):
        return False
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_SIREN + "00012":
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_ok(siret)
