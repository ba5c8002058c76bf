"""API token hashes in their own table, beside the password hashes (outside the event log)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from faps.application.tokens import StoredToken
from faps.infrastructure.credentials import metadata
from faps.infrastructure.schema import create_tables

tokens_table = sa.Table(
    "faps_api_tokens",
    metadata,
    sa.Column("token_id", sa.Uuid, primary_key=True),
    sa.Column("account_id", sa.Uuid, nullable=False, index=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back: they were stored in UTC
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _row(row: Any) -> StoredToken:
    return StoredToken(row.token_id, row.account_id, row.name, _aware(row.created_at),  # type: ignore[arg-type]
                       _aware(row.expires_at), _aware(row.revoked_at), _aware(row.last_used_at))


class SqlAlchemyApiTokens:
    """Tokens kept in the faps_api_tokens table."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        create_tables(engine, metadata, [tokens_table])

    def add(self, token: StoredToken, token_hash: str) -> None:
        """Store a new token's hash."""
        with self.engine.begin() as conn:
            conn.execute(tokens_table.insert().values(
                token_id=token.token_id, account_id=token.account_id, name=token.name,
                token_hash=token_hash, created_at=token.created_at, expires_at=token.expires_at))

    def revoke(self, token_id: UUID, at: datetime) -> None:
        """Mark a token revoked."""
        with self.engine.begin() as conn:
            conn.execute(tokens_table.update().where(tokens_table.c.token_id == token_id)
                         .values(revoked_at=at))

    def _one(self, where: Any) -> StoredToken | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(tokens_table).where(where)).first()
        return _row(row) if row else None

    def get(self, token_id: UUID) -> StoredToken | None:
        """Return a token by id."""
        return self._one(tokens_table.c.token_id == token_id)

    def find(self, token_hash: str) -> StoredToken | None:
        """Return the token of a hash."""
        return self._one(tokens_table.c.token_hash == token_hash)

    def of_account(self, account_id: UUID) -> list[StoredToken]:
        """Return an account's tokens, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(tokens_table).where(
                tokens_table.c.account_id == account_id).order_by(
                tokens_table.c.created_at.desc())).all()
        return [_row(row) for row in rows]

    def touch(self, token_id: UUID, at: datetime) -> None:
        """Record when a token was last used."""
        with self.engine.begin() as conn:
            conn.execute(tokens_table.update().where(tokens_table.c.token_id == token_id)
                         .values(last_used_at=at))

