"""Giving dossiers to a finance officer, one or several at once."""

from __future__ import annotations

from uuid import UUID

from faps.application.dossiers import DossierService
from faps.application.queries import Queries
from faps.domain.actors import Actor
from faps.domain.errors import InvalidInputError


class AssignmentService:
    """Assign dossiers to an active finance officer, named as the accounts read model has it."""

    def __init__(self, dossiers: DossierService, queries: Queries) -> None:
        self.dossiers = dossiers
        self.queries = queries

    def officer_name(self, officer_id: UUID) -> str:
        """Return the name of an active finance officer (InvalidInputError if none)."""
        for row in self.queries.officers():
            if row.account_id == officer_id:
                return row.name
        raise InvalidInputError({"officer_id": ["instructeur inconnu"]})

    def assign_all(self, actor: Actor, dossier_ids: list[UUID], officer_id: UUID) -> int:
        """Give several dossiers to one officer; return how many."""
        if not dossier_ids:
            raise InvalidInputError({"dossier_ids": ["cochez au moins un dossier"]})
        name = self.officer_name(officer_id)
        for dossier_id in dict.fromkeys(dossier_ids):
            self.dossiers.assign(actor, dossier_id, officer_id, name)
        return len(set(dossier_ids))
