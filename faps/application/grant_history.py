"""A dossier's past read from its own events: as it was filed, its grant's reductions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from faps.domain.dossier import Dossier


@dataclass(frozen=True)
class Reduction:
    """A grant lowered to the real cost: from what, to what, why and when."""

    previous_amount: Decimal
    new_amount: Decimal
    real_eligible_cost: Decimal
    motive: str
    at: datetime

    @property
    def difference(self) -> Decimal:
        """Return by how much the grant was lowered."""
        return self.previous_amount - self.new_amount


def reductions(app: Any, dossier_id: UUID) -> list[Reduction]:
    """Return a grant's reductions, oldest first (the caller has checked the right to read)."""
    return [Reduction(e.previous_amount, e.new_amount, e.real_eligible_cost, e.motive, e.timestamp)
            for e in app.repository.event_store.get(dossier_id)
            if isinstance(e, Dossier.GrantReduced)]


def as_filed(app: Any, dossier_id: UUID) -> Dossier | None:
    """Return the dossier as it stood when filed (its receipt's content), None if never filed."""
    for event in app.repository.event_store.get(dossier_id):
        if isinstance(event, Dossier.Submitted):
            found: Dossier = app.repository.get(dossier_id, version=event.originator_version)
            return found
    return None
