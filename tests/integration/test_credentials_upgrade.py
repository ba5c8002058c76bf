"""A credentials table from before forced password changes gains its column, keeping hashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa

from faps.infrastructure.credentials import SqlAlchemyCredentials


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path):  # type: ignore[no-untyped-def]
    """An empty database of each kind."""
    if request.param == "sqlite":
        made = sa.create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    else:
        made = sa.create_engine(str(request.getfixturevalue("postgres_url")).replace(
            "postgresql://", "postgresql+psycopg://"))
    yield made
    made.dispose()


def test_an_old_credentials_table_is_upgraded_in_place(engine):  # type: ignore[no-untyped-def]
    account = uuid4()
    old = sa.MetaData()
    table = sa.Table("faps_credentials", old,
                     sa.Column("account_id", sa.Uuid, primary_key=True),
                     sa.Column("password_hash", sa.String(255), nullable=False),
                     sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False))
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert().values(account_id=account, password_hash="$argon2id$old",
                                           updated_at=datetime.now(tz=UTC)))
    credentials = SqlAlchemyCredentials(engine)
    assert credentials.get_hash(account) == "$argon2id$old"
    assert credentials.must_change(account) is False
    now = datetime.now(tz=UTC)
    credentials.add_reset(account, "jeton", now + timedelta(hours=1))
    credentials.set_hash(account, "$argon2id$new", must_change=True)
    assert credentials.must_change(account) is True
    assert credentials.use_reset("jeton", now) is None  # a new password ends pending links
    SqlAlchemyCredentials(engine)  # a second start changes nothing
    assert credentials.get_hash(account) == "$argon2id$new"
