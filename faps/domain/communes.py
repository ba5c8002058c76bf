"""The member communes of the agglomeration."""

from __future__ import annotations

import unicodedata

from pydantic import BaseModel, ConfigDict, Field


class Commune(BaseModel):
    """One member commune, the beneficiary and maître d'ouvrage of its dossiers."""

    model_config = ConfigDict(frozen=True)

    insee: str = Field(pattern=r"^\d[0-9AB]\d{3}$")
    name: str
    former_agglomeration: str = ""
    cpts: str = ""


def french_key(name: str) -> tuple[str, str]:
    """Sort key of a name the French way: « Émerainville » between « Courtry » and « Lognes »."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold(), name


class CommuneDirectory:
    """The set of member communes, looked up by INSEE code."""

    def __init__(self, communes: list[Commune]) -> None:
        self._by_insee = {c.insee: c for c in sorted(communes, key=lambda c: french_key(c.name))}

    def get(self, insee: str) -> Commune | None:
        """Return the commune with this INSEE code, if it is a member."""
        return self._by_insee.get(insee)

    def name(self, insee: str) -> str:
        """Return the commune's name, or the code itself when unknown."""
        commune = self._by_insee.get(insee)
        return commune.name if commune else insee

    def __contains__(self, insee: object) -> bool:
        return insee in self._by_insee

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_insee.values())

    def __len__(self) -> int:
        return len(self._by_insee)
