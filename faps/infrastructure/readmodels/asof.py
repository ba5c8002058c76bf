"""The slow path, kept as the tests' oracle: the fund as of a moment by replaying the log.

The same projections, fed every event stamped up to the moment, in an in-memory database:
linear in the log (seconds at 30,000 events). No request uses it: the pages read the history
projection's tables (`history_queries.HistoryQueries.fund_as_of`), which must give exactly
what this gives (tests/integration/test_history_equality.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from faps.application.app import FapsApplication
from faps.application.queries import FundSnapshot, Queries
from faps.application.timetravel import end_of
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.communes import CommuneDirectory
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.base import Projection, qualname
from faps.infrastructure.readmodels.dossiers import DossierProjection
from faps.infrastructure.readmodels.others import BudgetProjection, CouncilProjection
from faps.infrastructure.readmodels.runner import BATCH


class FundAsOf:
    """Computes a FundSnapshot by projecting the events stamped up to a moment (slow)."""

    def __init__(self, app: FapsApplication, communes: CommuneDirectory) -> None:
        self.app = app
        self.communes = communes

    def __call__(self, moment: datetime) -> FundSnapshot:
        """Return the fund as it stood at `moment` (a naive moment is taken as UTC)."""
        from faps.infrastructure.readmodels.queries import SqlAlchemyQueries

        limit = end_of(moment)
        engine = sa.create_engine("sqlite://", poolclass=StaticPool)
        try:
            projections: list[Projection] = [DossierProjection(self.communes),
                                             CouncilProjection(self.communes),
                                             BudgetProjection()]
            for p in projections:
                t.metadata.create_all(engine, tables=list(p.tables))
            self._project(engine, projections, limit)
            queries: Queries = SqlAlchemyQueries(engine, self.communes)
            return snapshot(queries, limit)
        finally:
            engine.dispose()

    def _project(self, engine: sa.Engine, projections: list[Projection],
                 limit: datetime) -> None:
        recorder = self.app.recorder
        decode: Callable[[Any], Any] = self.app.mapper.to_domain_event
        start = 0
        while notifications := recorder.select_notifications(start, BATCH,
                                                             inclusive_of_start=False):
            start = notifications[-1].id
            events = [e for n in notifications
                      if any(p.wants(n.topic) for p in projections)
                      and (e := decode(n)).timestamp <= limit]
            with engine.begin() as conn:
                for p in projections:
                    mine = [e for e in events if qualname(e) in p.handles]
                    if mine:
                        p.apply(conn, mine)


def snapshot(queries: Queries, moment: datetime) -> FundSnapshot:
    """Read every dossier, budget and session from a set of read models."""
    from faps.application.queries import DossierFilter

    dossiers, page = [], 1
    while True:
        found = queries.dossiers(SYSTEM_ACTOR, DossierFilter(sort="reference", page=page,
                                                             per_page=200))
        dossiers.extend(found.items)
        if page >= found.pages:
            break
        page += 1
    years = queries.budget_years(SYSTEM_ACTOR)
    budgets = [b for y in years if (b := queries.budget(SYSTEM_ACTOR, y)) is not None]
    return FundSnapshot(as_of=moment, dossiers=dossiers, budgets=budgets,
                        sessions=queries.sessions(SYSTEM_ACTOR))
