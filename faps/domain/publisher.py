"""Who publishes the fund's files: the agglomeration, its identifiers and the communes' SIRETs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faps.domain.errors import ConfigurationError
from faps.domain.siret import siret_ok


@dataclass(frozen=True)
class Publisher:
    """Who publishes: the agglomeration, its identifiers and the communes' SIRETs."""

    fund_name: str
    name: str
    siren: str
    siret: str
    commune_sirets: dict[str, str] = field(default_factory=dict)

    def check(self, communes: dict[str, str]) -> None:
        """Refuse to publish without valid SIRETs (agglomeration, and each commune given)."""
        problems = []
        if not self.siret:
            problems.append("le SIRET de l'agglomération (FAPS_AGGLOMERATION_SIRET) n'est pas "
                            "renseigné")
        elif not siret_ok(self.siret):
            problems.append(f"le SIRET de l'agglomération {self.siret} n'est pas valide "
                            "(14 chiffres, clé de Luhn)")
        for insee, name in sorted(communes.items()):
            siret = self.commune_sirets.get(insee, "")
            if not siret:
                problems.append(f"le SIRET de {name} ({insee}) manque dans FAPS_COMMUNE_SIRETS")
            elif not siret_ok(siret):
                problems.append(f"le SIRET de {name} ({insee}), {siret}, n'est pas valide")
        if problems:
            raise ConfigurationError("Export impossible : " + " ; ".join(problems) + ".")

    def to_json(self) -> dict[str, Any]:
        """Return the publisher as an export records it among its parameters."""
        return {"fund_name": self.fund_name, "name": self.name, "siren": self.siren,
                "siret": self.siret, "commune_sirets": dict(sorted(self.commune_sirets.items()))}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Publisher:
        """Return the publisher recorded with an export."""
        return cls(data["fund_name"], data["name"], data["siren"], data["siret"],
                   dict(data["commune_sirets"]))
