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


def test_a_hash_with_older_parameters_is_replaced_after_a_right_password_only(
        memory_faps, clock):  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    from faps.application.accounts import SignIn
    from tests.support import PASSWORD, make_world

    world = make_world(memory_faps, clock)
    account = world.officer.account_id
    credentials = memory_faps.ctx.credentials
    old = PasswordHasher(time_cost=1, memory_cost=4096, parallelism=2).hash(PASSWORD)
    credentials.set_hash(account, old, must_change=True)
    assert memory_faps.ctx.hasher.needs_rehash(old)

    wrong = memory_faps.accounts.sign_in(world.officer.email, "pas-le-bon")
    assert wrong.outcome is SignIn.WRONG and credentials.get_hash(account) == old

    right = memory_faps.accounts.sign_in(world.officer.email, PASSWORD)
    assert right.outcome is SignIn.OK
    upgraded = credentials.get_hash(account)
    assert upgraded != old and not memory_faps.ctx.hasher.needs_rehash(upgraded)
    assert memory_faps.ctx.hasher.verify(upgraded, PASSWORD)
    assert credentials.must_change(account) is True  # the same password: the mark stays
    assert memory_faps.accounts.sign_in(world.officer.email, PASSWORD).outcome is SignIn.OK
    assert credentials.get_hash(account) == upgraded  # current parameters: not hashed again


def test_the_production_hasher_uses_owasp_parameters() -> None:
    from argon2 import Type, extract_parameters

    from faps.infrastructure.credentials import Argon2Hasher

    hasher = Argon2Hasher()
    made = extract_parameters(hasher.hash("motdepasse"))
    assert (made.type, made.memory_cost, made.time_cost, made.parallelism) == (
        Type.ID, 19 * 1024, 2, 1)
    assert hasher.needs_rehash(Argon2Hasher(fast=True).hash("motdepasse"))
    assert hasher.needs_rehash("pas un hachage")
