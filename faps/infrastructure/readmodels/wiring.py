"""Assemble the read side: every projection, its runner, the queries on their tables."""

from __future__ import annotations

import sqlalchemy as sa

from faps.application.app import FapsApplication
from faps.domain.communes import CommuneDirectory
from faps.infrastructure.readmodels.base import Projection
from faps.infrastructure.readmodels.dossiers import DossierProjection
from faps.infrastructure.readmodels.history import HistoryProjection
from faps.infrastructure.readmodels.history_queries import HistoryQueries
from faps.infrastructure.readmodels.others import (
    AccountProjection,
    BudgetProjection,
    CouncilProjection,
)
from faps.infrastructure.readmodels.parallel import default_workers
from faps.infrastructure.readmodels.runner import ProjectionRunner
from faps.infrastructure.readmodels.workqueue import WorkQueueProjection


def all_projections(communes: CommuneDirectory) -> list[Projection]:
    """Return a fresh instance of every projection."""
    return [DossierProjection(communes), CouncilProjection(communes), BudgetProjection(),
            AccountProjection(), WorkQueueProjection(communes), HistoryProjection(communes)]


def read_side(app: FapsApplication, engine: sa.Engine, communes: CommuneDirectory,
              workers: int = 0, rebuild: bool = True, start: bool = True,
              ) -> tuple[ProjectionRunner, HistoryQueries]:
    """Return the runner (`start`ed: stale projections rebuilt unless `rebuild` is False,
    caught up) and the queries; `workers`: the processes of a large rebuild (0: one per core,
    at most 4)."""
    runner = ProjectionRunner(app, engine, all_projections(communes),
                              workers=default_workers(workers))
    if start:
        runner.start(rebuild=rebuild)
    return runner, HistoryQueries(engine, communes)
