"""What the public API keeps beside the log: idempotent responses (retries answered again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from faps.infrastructure.credentials import metadata

KEEP = timedelta(hours=24)

idempotency_table = sa.Table(
    "faps_api_idempotency",
    metadata,
    sa.Column("owner", sa.String(64), primary_key=True),  # the token, or the signed-in account
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("location", sa.String(500), nullable=True),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)


@dataclass(frozen=True)
class StoredResponse:
    """A response given once to a write with an Idempotency-Key."""

    fingerprint: str
    status: int
    content_type: str
    location: str | None
    body: bytes


class SqlAlchemyIdempotency:
    """Responses to idempotent writes, kept 24 hours."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine, tables=[idempotency_table])

    def get(self, owner: str, key: str) -> StoredResponse | None:
        """Return the response first given to this key, if still kept."""
        t = idempotency_table
        since = datetime.now(tz=UTC) - KEEP
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.owner == owner, t.c.key == key,
                                                  t.c.created_at > since)).first()
        if row is None:
            return None
        return StoredResponse(row.fingerprint, row.status, row.content_type, row.location,
                              bytes(row.body))

    def put(self, owner: str, key: str, response: StoredResponse) -> None:
        """Keep a response (a concurrent first write of the same key keeps its own)."""
        t = idempotency_table
        now = datetime.now(tz=UTC)
        try:
            with self.engine.begin() as conn:
                conn.execute(t.delete().where(t.c.created_at <= now - KEEP))
                conn.execute(t.delete().where(t.c.owner == owner, t.c.key == key))
                conn.execute(t.insert().values(
                    owner=owner, key=key, fingerprint=response.fingerprint,
                    status=response.status, content_type=response.content_type,
                    location=response.location, body=response.body, created_at=now))
        except IntegrityError:
            pass
