"""The dossiers waiting for an answer or holding a grant, read from the dossiers' rows.

Each row keeps its next deadline (`next_deadline`: the earliest, by the rule of
faps.domain.deadlines), indexed: the deadlines are filtered, counted and paged in SQL, by
dossier, earliest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from faps.application.deadlines import WaitingDossier
from faps.domain.actors import Actor, Role
from faps.domain.dossier_content import DossierState
from faps.infrastructure.readmodels import tables as t

WAITING_STATES = (DossierState.INFORMATION_REQUESTED.value, DossierState.AWARDED.value)


def conditions(actor: Actor, among: Sequence[UUID] | None = None,
               due_by: date | None = None) -> list[Any]:
    """Return the WHERE clauses: waiting, the actor's commune, some dossiers, due by a day."""
    d = t.dossiers
    where: list[Any] = [d.c.state.in_(WAITING_STATES)]
    if due_by is not None:
        where.append(d.c.next_deadline <= due_by)
    if actor.role is Role.COMMUNE_AGENT:
        where.append(d.c.commune == actor.commune)
    if among is not None:
        where.append(d.c.dossier_id.in_(list(among)))
    return where


def rows(where: list[Any]) -> Any:
    """Return the SELECT of what the deadlines depend on, earliest next deadline first."""
    d, r = t.dossiers, t.reglements
    # (next_deadline, dossier_id) is an index: the first page reads its first rows only.
    return (sa.select(d.c.dossier_id, d.c.reference, d.c.commune, d.c.title, d.c.state,
                      d.c.information_due_on, d.c.decided_on, d.c.notified_on,
                      d.c.live_requests, d.c.balance_requests, r.c.works_start_delay_months,
                      r.c.balance_delay_months)
            .select_from(d.outerjoin(r, r.c.version == d.c.reglement_version))
            .where(*where).order_by(d.c.next_deadline, d.c.dossier_id))


def count(where: list[Any]) -> Any:
    """Return the SELECT counting the dossiers."""
    return sa.select(sa.func.count()).select_from(t.dossiers).where(*where)


def waiting_dossiers(result: Any) -> list[WaitingDossier]:
    """Return the rows read as WaitingDossier."""
    return [WaitingDossier(**row) for row in result.mappings()]
