"""The municipal deliberations the fund still waits for, once the council has awarded a grant."""

from __future__ import annotations

from faps.application.queries import DossierRow, Queries
from faps.domain.actors import Actor

MAX_LISTED = 200


class MunicipalDeliberations:
    """Which awarded dossiers lack the commune's deliberation accepting the grant."""

    def __init__(self, queries: Queries) -> None:
        self.queries = queries

    def lacking(self, actor: Actor) -> list[DossierRow]:
        """Return the awarded dossiers whose municipal deliberation is not recorded yet."""
        return self.queries.awaiting_municipal_deliberation(actor, MAX_LISTED)
