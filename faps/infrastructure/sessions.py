"""Server-side sessions: the signed cookie holds a random id, this table says whether it lives.

Only the SHA-256 of a session id is stored, so whoever reads the table cannot sign in with it.
Ending a session is deleting its row: sign-out ends one, a password change or reset, a role
change or a deactivation end all of an account's sessions at once (revoke_all).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import sqlalchemy as sa

from faps.infrastructure.schema import create_tables

metadata = sa.MetaData()
TOUCH_EVERY = timedelta(minutes=1)  # last-seen times are rewritten at most once a minute

sessions_table = sa.Table(
    "faps_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.Uuid, nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("address", sa.String(64), nullable=False, default=""),
    sa.Column("agent", sa.String(200), nullable=False, default=""),
)


@dataclass(frozen=True)
class SessionRow:
    """One living session of an account, as its owner sees it."""

    id_hash: str
    created_at: datetime
    seen_at: datetime
    address: str
    agent: str


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SqlAlchemySessions:
    """Sessions kept in the faps_sessions table (shared by every worker)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        create_tables(engine, metadata)

    def open(self, account_id: UUID, now: datetime, address: str = "", agent: str = "",
             idle: timedelta | None = None) -> str:
        """Start a session; return its id (for the signed cookie only).

        `idle`: sessions of anyone not seen for that long are deleted on the way.
        """
        session_id = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            if idle is not None:
                conn.execute(sessions_table.delete().where(sessions_table.c.seen_at < now - idle))
            conn.execute(sessions_table.insert().values(
                id_hash=_hash(session_id), account_id=account_id, created_at=now, seen_at=now,
                address=address[:64], agent=agent[:200]))
        return session_id

    def check(self, session_id: str, account_id: UUID, now: datetime, idle: timedelta) -> bool:
        """Tell whether the session lives for this account (and note that it was seen)."""
        key = _hash(session_id)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(sessions_table.c.account_id, sessions_table.c.seen_at)
                               .where(sessions_table.c.id_hash == key)).first()
        if row is None or row.account_id != account_id:
            return False
        seen = _aware(row.seen_at)
        if now - seen > idle:
            self.revoke(session_id)
            return False
        if now - seen > TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(sessions_table.update().where(sessions_table.c.id_hash == key)
                             .values(seen_at=now))
        return True

    def of(self, account_id: UUID) -> list[SessionRow]:
        """Return the account's sessions, the most recently seen first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(sessions_table).where(
                sessions_table.c.account_id == account_id)
                .order_by(sessions_table.c.seen_at.desc())).all()
        return [SessionRow(r.id_hash, _aware(r.created_at), _aware(r.seen_at), r.address,
                           r.agent) for r in rows]

    @staticmethod
    def key(session_id: str) -> str:
        """Return the stored key of a session id (to mark the current one in a list)."""
        return _hash(session_id)

    def revoke(self, session_id: str) -> None:
        """End one session."""
        with self.engine.begin() as conn:
            conn.execute(sessions_table.delete().where(
                sessions_table.c.id_hash == _hash(session_id)))

    def revoke_all(self, account_id: UUID) -> int:
        """End every session of an account; return how many ended."""
        with self.engine.begin() as conn:
            done = conn.execute(sessions_table.delete().where(
                sessions_table.c.account_id == account_id))
        return int(done.rowcount or 0)
