"""The audit seal: a SHA-256 hash chain over the whole notification log, kept like a projection.

link_n = SHA-256(link_{n-1} || canonical bytes of stored event n), link_0 = 32 zero bytes.
The chain itself (links, seals) is pure and lives in faps.domain.hash_chain; this module keeps
the links in their own table (`faps_audit_chain`), one row per notification id, written in one
transaction per batch: a primary key makes each event sealed exactly once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

import sqlalchemy as sa

from faps.domain.hash_chain import (
    BATCH,
    GENESIS,
    Mismatch,
    NotificationReader,
    Seal,
    Walk,
    canonical_bytes,
    fold,
    next_link,
    read_log,
)
from faps.infrastructure.audit_scan import LogScan, log_scan
from faps.infrastructure.audit_walk import walk_chain
from faps.infrastructure.schema import create_tables

metadata = sa.MetaData()
chain_table = sa.Table(
    "faps_audit_chain", metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("originator_id", sa.String(36), nullable=False),
    sa.Column("originator_version", sa.Integer, nullable=False),
    sa.Column("topic", sa.String(300), nullable=False),
    sa.Column("link", sa.String(64), nullable=False),
)


class AuditChain:
    """The chain's table, brought up to the end of the log after each save."""

    def __init__(self, engine: sa.Engine, select: NotificationReader,
                 scan: LogScan | None = None) -> None:
        self.engine = engine
        self.select = select
        self.scan = scan
        create_tables(engine, metadata)

    def seal(self) -> Seal:
        """Return the current head (position 0 and the genesis link on an empty log)."""
        with self.engine.connect() as conn:
            return self._head(conn)

    def catch_up(self, *_: object) -> Seal:
        """Seal every event recorded since the head; return the new head."""
        for _attempt in range(5):
            try:
                return self._catch_up_once()
            except sa.exc.IntegrityError:
                continue  # another process sealed the same events first: start again
        return self.seal()

    def _catch_up_once(self) -> Seal:
        with self.engine.begin() as conn:
            seal = self._head(conn)
            rows = []
            for notification in read_log(self.select, seal.position + 1):
                link = next_link(seal.head, notification)
                seal = Seal(notification.id, link)
                rows.append({"position": notification.id,
                             "originator_id": str(notification.originator_id),
                             "originator_version": notification.originator_version,
                             "topic": notification.topic, "link": link})
                if len(rows) >= BATCH:
                    conn.execute(chain_table.insert(), rows)
                    rows = []
            if rows:
                conn.execute(chain_table.insert(), rows)
            return seal

    @staticmethod
    def _head(conn: sa.Connection) -> Seal:
        row = conn.execute(sa.select(chain_table.c.position, chain_table.c.link)
                           .order_by(chain_table.c.position.desc()).limit(1)).first()
        return Seal(row[0], row[1]) if row else Seal(0, GENESIS)

    def stored_links(self, start: int = 1) -> Iterator[Any]:
        """Yield the stored links in order, from position `start`."""
        last = start - 1
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(chain_table).where(chain_table.c.position > last)
                                    .order_by(chain_table.c.position).limit(BATCH * 10)).all()
            yield from rows
            if len(rows) < BATCH * 10:
                return
            last = rows[-1].position

    def prove(self, position: int) -> Seal:
        """Recompute, from the log alone, the seal of the events up to `position`."""
        return fold(read_log(self.select, 1, position))

    def walk(self, positions: Collection[int] = ()) -> Walk:
        """Recompute the chain over the whole log, compare it with the stored links.

        On SQLite the sealed part is checked range by range at read speed (audit_scan); when
        anything there does not match, the reference walk goes over the whole log and names
        the first break.
        """
        if self.scan is not None:
            found = self.scan.walk(positions, self.select, self.stored_links)
            if found is not None:
                return found
        return walk_chain(self.select, self.stored_links, positions)


__all__ = ["BATCH", "GENESIS", "AuditChain", "Mismatch", "Seal", "audit_chain",
           "canonical_bytes", "next_link", "read_log", "start_audit_chain"]


def audit_chain(engine: sa.Engine, app: Any) -> AuditChain:
    """Return the chain of an application's log (with the fast scan where the store allows)."""
    return AuditChain(engine, app.recorder.select_notifications, log_scan(engine, app.recorder))


def start_audit_chain(engine: sa.Engine, app: Any) -> AuditChain:
    """Create the chain of an application and seal what is not yet sealed."""
    chain = audit_chain(engine, app)
    chain.catch_up()
    return chain
