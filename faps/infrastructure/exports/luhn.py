"""SIRET checks (kept here for the exporters; the rule itself is faps.domain.siret)."""

from faps.domain.siret import luhn_ok, siret_ok

__all__ = ["luhn_ok", "siret_ok"]
