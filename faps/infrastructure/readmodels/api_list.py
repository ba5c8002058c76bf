"""The API's list of dossiers: keyset pagination by dossier id (stable while rows change)."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from faps.application import policy
from faps.application.queries import DossierFilter, DossierRow
from faps.domain.actors import Actor
from faps.infrastructure.readmodels.queries import ROW_FIELDS, SqlAlchemyQueries
from faps.infrastructure.readmodels.tables import dossiers as D


def dossiers_after(queries: SqlAlchemyQueries, actor: Actor, flt: DossierFilter,
                   after: UUID | None, limit: int) -> tuple[list[DossierRow], UUID | None]:
    """Return up to `limit` rows after the id `after` (in id order), and the next cursor."""
    policy.require(actor, "dossier.read")
    where = queries._where(actor, flt)
    if after is not None:
        where.append(D.c.dossier_id > after)
    statement = (sa.select(*(D.c[f] for f in ROW_FIELDS)).where(*where)
                 .order_by(D.c.dossier_id).limit(limit + 1))
    with queries._connect() as conn:
        rows = [DossierRow(**r) for r in conn.execute(statement).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].dossier_id if more and rows else None)
