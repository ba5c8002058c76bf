"""The web's own tables, which hold no business fact, built once by the composition root.

Login throttle, one-time form tokens, API idempotency keys, saved inbox views, thread read
markers, and the reader of the officers' work queue (a read model).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from faps.application.queries import Page
from faps.infrastructure.api_store import SqlAlchemyIdempotency, SqlAlchemyRateLimit
from faps.infrastructure.read_markers import ReadMarkers
from faps.infrastructure.readmodels.workqueue import (
    Items,
    work_count,
    work_dossiers,
    work_items,
    work_totals,
)
from faps.infrastructure.saved_views import SavedViews
from faps.infrastructure.settings import Settings
from faps.infrastructure.submissions import SqlAlchemySubmissions
from faps.infrastructure.throttle import Throttle


@dataclass(frozen=True)
class WorkQueueReader:
    """The *À traiter* queue, brought up to the request's own writes before each read."""

    engine: sa.Engine
    before_read: Callable[[], object]

    def items(self, officer_id: UUID | None = None, limit: int | None = None) -> Items:
        """Return the queue's items by kind, oldest first (`officer_id`: theirs or unassigned;
        `limit`: at most so many dossiers a kind)."""
        self.before_read()
        return work_items(self.engine, officer_id, limit)

    def page(self, kind: str, officer_id: UUID | None = None, page: int = 1,
             per_page: int = 50) -> Page[dict[str, Any]]:
        """Return one page of a kind's items (`per_page` dossiers, oldest first), its total
        the dossiers waiting in that kind."""
        self.before_read()
        total = work_dossiers(self.engine, kind, officer_id)
        items = work_items(self.engine, officer_id, per_page, (kind,), (page - 1) * per_page)
        return Page(items=items[kind], total=total, page=page, per_page=per_page)

    def totals(self, officer_id: UUID | None = None) -> dict[str, int]:
        """Return how many items wait in each kind (`work_totals`)."""
        self.before_read()
        return work_totals(self.engine, officer_id)

    def count(self) -> int:
        """Return how many things wait for the officers (for the menu, on every page): the
        kinds' totals the projection keeps, a read of five rows."""
        self.before_read()
        return work_count(self.engine)


@dataclass(frozen=True)
class WebStores:
    """What the pages and the API keep for themselves (shared by every request's thread)."""

    throttle: Throttle
    submissions: SqlAlchemySubmissions
    idempotency: SqlAlchemyIdempotency
    rate_limit: SqlAlchemyRateLimit
    saved_views: SavedViews
    read_markers: ReadMarkers
    work_queue: WorkQueueReader


def web_stores(settings: Settings, engine: sa.Engine, durable: sa.Engine,
               before_read: Callable[[], object]) -> WebStores:
    """Build the web's stores (`durable`: the engine of accounts and credentials)."""
    return WebStores(
        throttle=Throttle(engine, settings.login_max_failures,
                          timedelta(minutes=settings.login_lockout_minutes)),
        submissions=SqlAlchemySubmissions(engine), idempotency=SqlAlchemyIdempotency(durable),
        # The read models' engine for the rate limit: a lost count after a power cut costs
        # nothing, and on SQLite its commits skip the fsync the durable engine pays.
        rate_limit=SqlAlchemyRateLimit(engine),
        saved_views=SavedViews(engine), read_markers=ReadMarkers(engine),
        work_queue=WorkQueueReader(engine, before_read))
