"""Password hashes (argon2id) in their own table, outside the event log."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa
from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError

metadata = sa.MetaData()

credentials_table = sa.Table(
    "faps_credentials",
    metadata,
    sa.Column("account_id", sa.Uuid, primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


class SqlAlchemyCredentials:
    """Credentials kept in the faps_credentials table."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def set_hash(self, account_id: UUID, password_hash: str) -> None:
        """Store or replace an account's hash."""
        now = datetime.now(tz=UTC)
        with self.engine.begin() as conn:
            conn.execute(credentials_table.delete().where(
                credentials_table.c.account_id == account_id))
            conn.execute(credentials_table.insert().values(
                account_id=account_id, password_hash=password_hash, updated_at=now))

    def get_hash(self, account_id: UUID) -> str | None:
        """Return an account's hash, if any."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(credentials_table.c.password_hash).where(
                credentials_table.c.account_id == account_id)).scalar_one_or_none()
        return value


class Argon2Hasher:
    """argon2id, the current recommendation for password storage."""

    def __init__(self, fast: bool = False) -> None:
        # `fast` lowers the cost for tests and demo data only.
        self._argon = Argon2(time_cost=1, memory_cost=8192, parallelism=1) if fast else Argon2()

    def hash(self, password: str) -> str:
        """Return the argon2id hash of a password."""
        return self._argon.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Tell whether a password matches a hash."""
        try:
            return self._argon.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
