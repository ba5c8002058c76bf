"""The municipal deliberations the fund still waits for, once the council has awarded a grant."""

from __future__ import annotations

from faps.application.dossiers import DossierService
from faps.application.queries import DossierFilter, DossierRow, Queries
from faps.domain.actors import Actor
from faps.domain.dossier_content import DossierState

MAX_LISTED = 200


class MunicipalDeliberations:
    """Which awarded dossiers lack the commune's deliberation accepting the grant."""

    def __init__(self, dossiers: DossierService, queries: Queries) -> None:
        self.dossiers = dossiers
        self.queries = queries

    def lacking(self, actor: Actor) -> list[DossierRow]:
        """Return the awarded dossiers whose municipal deliberation is not recorded yet."""
        awarded = self.queries.dossiers(actor, DossierFilter(
            states=(DossierState.AWARDED.value,), sort="reference", per_page=MAX_LISTED))
        return [row for row in awarded.items
                if self.dossiers.load(actor, row.dossier_id).municipal_deliberation is None]
