"""Read markers of the dossiers' message threads: when each account last read a thread.

Reading is not a business fact: it is kept in a web table, not in the event log.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from faps.infrastructure.schema import create_tables

METADATA = sa.MetaData()
THREAD_READS = sa.Table(
    "web_thread_reads", METADATA,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("dossier_id", sa.String(36), primary_key=True),
    sa.Column("side", sa.String(10), nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    # when a side last read a dossier's thread: a range of this index, not a scan of every
    # account's every thread (each dossier page asks it)
    sa.Index("ix_web_thread_reads_dossier_side", "dossier_id", "side", "seen_at"),
)


def _aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


class ReadMarkers:
    """Who read which thread, and when."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        create_tables(engine, METADATA)

    def seen(self, account_id: UUID, dossier_id: UUID) -> datetime | None:
        """Return when the account last read the thread (None: never)."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(THREAD_READS.c.seen_at).where(
                THREAD_READS.c.account_id == str(account_id),
                THREAD_READS.c.dossier_id == str(dossier_id))).scalar()
        return _aware(found)

    def seen_by_side(self, dossier_id: UUID, side: str) -> datetime | None:
        """Return when anyone of a side (commune, fonds) last read the thread."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(sa.func.max(THREAD_READS.c.seen_at)).where(
                THREAD_READS.c.dossier_id == str(dossier_id),
                THREAD_READS.c.side == side)).scalar()
        return _aware(found)

    def mark(self, account_id: UUID, dossier_id: UUID, side: str, at: datetime) -> None:
        """Record that the account read the thread at `at`."""
        key = (THREAD_READS.c.account_id == str(account_id),
               THREAD_READS.c.dossier_id == str(dossier_id))
        with self.engine.begin() as conn:
            conn.execute(sa.delete(THREAD_READS).where(*key))
            conn.execute(sa.insert(THREAD_READS).values(
                account_id=str(account_id), dossier_id=str(dossier_id), side=side, seen_at=at))
