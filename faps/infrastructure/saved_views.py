"""Inbox views an officer saved (a name and a query string), kept per account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import sqlalchemy as sa

from faps.infrastructure.schema import create_tables

METADATA = sa.MetaData()
SAVED_VIEWS = sa.Table(
    "web_saved_views", METADATA,
    sa.Column("view_id", sa.String(36), primary_key=True),
    sa.Column("account_id", sa.String(36), nullable=False, index=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("query", sa.String(1000), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class SavedView:
    """A named set of inbox filters."""

    view_id: str
    name: str
    query: str


class SavedViews:
    """Saved inbox views of each account, in a table created when the store is built."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        create_tables(engine, METADATA)

    def list(self, account_id: UUID) -> list[SavedView]:
        """Return the account's views by name."""
        query = sa.select(SAVED_VIEWS).where(SAVED_VIEWS.c.account_id == str(account_id)) \
            .order_by(SAVED_VIEWS.c.name)
        with self.engine.connect() as conn:
            return [SavedView(r.view_id, r.name, r.query) for r in conn.execute(query)]

    def save(self, account_id: UUID, name: str, query: str) -> None:
        """Save a view (replacing the account's view of the same name)."""
        with self.engine.begin() as conn:
            conn.execute(sa.delete(SAVED_VIEWS).where(SAVED_VIEWS.c.account_id == str(account_id),
                                                      SAVED_VIEWS.c.name == name))
            conn.execute(sa.insert(SAVED_VIEWS).values(
                view_id=str(uuid4()), account_id=str(account_id), name=name,
                query=query.lstrip("?"), created_at=datetime.now(UTC)))

    def delete(self, account_id: UUID, view_id: str) -> None:
        """Delete one of the account's views."""
        with self.engine.begin() as conn:
            conn.execute(sa.delete(SAVED_VIEWS).where(SAVED_VIEWS.c.account_id == str(account_id),
                                                      SAVED_VIEWS.c.view_id == view_id))
