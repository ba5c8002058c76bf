"""Password hashes (argon2id) and reset links in their own tables, outside the event log."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa
from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError

from faps.infrastructure.schema import create_tables

metadata = sa.MetaData()

credentials_table = sa.Table(
    "faps_credentials",
    metadata,
    sa.Column("account_id", sa.Uuid, primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # True when an administrator typed the password: its owner must choose another.
    sa.Column("must_change", sa.Boolean, nullable=False, default=False),
)

resets_table = sa.Table(
    "faps_password_resets",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.Uuid, nullable=False, index=True),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _add_must_change(engine: sa.Engine) -> None:
    """Add the must_change column to a faps_credentials table created before it existed."""
    columns = {c["name"] for c in sa.inspect(engine).get_columns("faps_credentials")}
    if "must_change" not in columns:
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE faps_credentials "
                                 "ADD COLUMN must_change BOOLEAN NOT NULL DEFAULT FALSE"))


class SqlAlchemyCredentials:
    """Credentials kept in the faps_credentials table."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        create_tables(engine, metadata)
        _add_must_change(engine)

    def set_hash(self, account_id: UUID, password_hash: str, must_change: bool = False) -> None:
        """Store or replace an account's hash (must_change: its owner must choose another)."""
        now = datetime.now(tz=UTC)
        with self.engine.begin() as conn:
            conn.execute(credentials_table.delete().where(
                credentials_table.c.account_id == account_id))
            conn.execute(credentials_table.insert().values(
                account_id=account_id, password_hash=password_hash, updated_at=now,
                must_change=must_change))
            conn.execute(resets_table.delete().where(resets_table.c.account_id == account_id))

    def must_change(self, account_id: UUID) -> bool:
        """Tell whether the account's password was set by an administrator and not changed."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(credentials_table.c.must_change).where(
                credentials_table.c.account_id == account_id)).scalar_one_or_none()
        return bool(value)

    def add_reset(self, account_id: UUID, token: str, expires_at: datetime) -> None:
        """Record a reset link's token (its hash only); older links of the account stay valid."""
        with self.engine.begin() as conn:
            conn.execute(resets_table.insert().values(
                token_hash=_token_hash(token), account_id=account_id, expires_at=expires_at))

    def reset_account(self, token: str, now: datetime) -> UUID | None:
        """Return the account of a reset token that has not expired, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(resets_table).where(
                resets_table.c.token_hash == _token_hash(token))).first()
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        return row.account_id if expires > now else None

    def use_reset(self, token: str, now: datetime) -> UUID | None:
        """Consume a reset token (single use, atomically); return its account if it was valid."""
        account_id = self.reset_account(token, now)
        if account_id is None:
            return None
        with self.engine.begin() as conn:
            done = conn.execute(resets_table.delete().where(
                resets_table.c.token_hash == _token_hash(token)))
        return account_id if done.rowcount == 1 else None

    def upgrade_hash(self, account_id: UUID, old_hash: str, new_hash: str) -> None:
        """Replace a hash of the same password by one made with the current parameters.

        Only if the stored hash is still `old_hash` (a password changed meanwhile wins); the
        must-change mark and the reset links stay as they are: the password is the same.
        """
        with self.engine.begin() as conn:
            conn.execute(credentials_table.update().where(
                credentials_table.c.account_id == account_id,
                credentials_table.c.password_hash == old_hash,
            ).values(password_hash=new_hash, updated_at=datetime.now(tz=UTC)))

    def get_hash(self, account_id: UUID) -> str | None:
        """Return an account's hash, if any."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(credentials_table.c.password_hash).where(
                credentials_table.c.account_id == account_id)).scalar_one_or_none()
        return value


# OWASP's password storage cheat sheet (2025): argon2id, 19 MiB, 2 passes, 1 lane. About 20 ms
# of one core here, so 20 people signing in at once on 2 cores wait about 0.2 s; argon2-cffi's
# default (64 MiB, 3 passes, 4 lanes) took 100 ms and 4 threads each, 1.2 s under that load.
MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1


class Argon2Hasher:
    """argon2id at OWASP's recommended parameters; older hashes are upgraded at sign-in."""

    def __init__(self, fast: bool = False) -> None:
        # `fast` lowers the cost for tests and demo data only.
        self._argon = (Argon2(time_cost=1, memory_cost=8192, parallelism=1) if fast else
                       Argon2(time_cost=TIME_COST, memory_cost=MEMORY_KIB,
                              parallelism=PARALLELISM))

    def hash(self, password: str) -> str:
        """Return the argon2id hash of a password."""
        return self._argon.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Tell whether a password matches a hash."""
        try:
            return self._argon.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Tell whether a hash was made with other parameters than the current ones."""
        try:
            return self._argon.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True
