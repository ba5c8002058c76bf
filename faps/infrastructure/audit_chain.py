"""The audit seal: a SHA-256 hash chain over the whole notification log, kept like a projection.

link_n = SHA-256(link_{n-1} || canonical bytes of stored event n), link_0 = 32 zero bytes.
The canonical bytes are length-prefixed, so no two different events share them. The links live
in their own table (`faps_audit_chain`), one row per notification id, written in one
transaction per batch: a primary key makes each event sealed exactly once.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa

GENESIS = "0" * 64
BATCH = 1000

metadata = sa.MetaData()
chain_table = sa.Table(
    "faps_audit_chain", metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("originator_id", sa.String(36), nullable=False),
    sa.Column("originator_version", sa.Integer, nullable=False),
    sa.Column("topic", sa.String(300), nullable=False),
    sa.Column("link", sa.String(64), nullable=False),
)


def canonical_bytes(notification_id: int, originator_id: UUID | str, version: int, topic: str,
                    state: bytes) -> bytes:
    """Return the bytes of a stored event that its link seals."""
    oid = str(originator_id).encode()
    if not isinstance(state, bytes | bytearray | memoryview):
        state = str(state).encode()  # a value rewritten as text by hand still gets compared
    state = bytes(state)
    tpc = topic.encode()
    return b"".join((
        struct.pack(">Q", notification_id), struct.pack(">I", len(oid)), oid,
        struct.pack(">Q", version), struct.pack(">I", len(tpc)), tpc,
        struct.pack(">Q", len(state)), state,
    ))


def next_link(previous: str, notification: Any) -> str:
    """Return the link sealing a notification after the previous link."""
    data = canonical_bytes(notification.id, notification.originator_id,
                           notification.originator_version, notification.topic,
                           notification.state)
    return hashlib.sha256(bytes.fromhex(previous) + data).hexdigest()


@dataclass(frozen=True)
class Seal:
    """The chain's head: the last sealed notification id and its link."""

    position: int
    head: str

    def label(self) -> str:
        """Return the seal as printed on exports."""
        return f"Sceau d'audit : position {self.position}, empreinte SHA-256 {self.head}"


@dataclass(frozen=True)
class Mismatch:
    """The first stored event that does not match the chain."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    reason: str


NotificationReader = Callable[[int, int], Any]


def read_log(select: NotificationReader, start: int = 1,
             stop: int | None = None) -> Iterator[Any]:
    """Yield every notification from `start` (up to `stop`), in batches."""
    while True:
        batch = select(start, BATCH)
        for notification in batch:
            if stop is not None and notification.id > stop:
                return
            yield notification
        if len(batch) < BATCH:
            return
        start = batch[-1].id + 1


def fold(notifications: Iterable[Any], previous: str = GENESIS) -> Seal:
    """Return the seal of a sequence of notifications."""
    position = 0
    for notification in notifications:
        previous = next_link(previous, notification)
        position = notification.id
    return Seal(position, previous)


class AuditChain:
    """The chain's table, brought up to the end of the log after each save."""

    def __init__(self, engine: sa.Engine, select: NotificationReader) -> None:
        self.engine = engine
        self.select = select
        metadata.create_all(engine, checkfirst=True)

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


def start_audit_chain(engine: sa.Engine, app: Any) -> AuditChain:
    """Create the chain of an application and seal what is not yet sealed."""
    chain = AuditChain(engine, app.recorder.select_notifications)
    chain.catch_up()
    return chain
