"""Shared fixtures: stores (memory, SQLite file, PostgreSQL database made and dropped per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from faps.application.clock import SettableClock
from faps.bootstrap import Faps, build
from faps.infrastructure.settings import Settings
from tests.support import World, make_world

PG_ADMIN_URL = os.environ.get("FAPS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_REQUIRED = bool(os.environ.get("CI")) or bool(os.environ.get("FAPS_REQUIRE_POSTGRES"))


def _pg_connect(dbname: str | None = None):  # type: ignore[no-untyped-def]
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(PG_ADMIN_URL)
    if dbname:
        info["dbname"] = dbname
    return psycopg.connect(make_conninfo(**info), autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    """Tell whether the PostgreSQL server answers; in CI its absence is a failure."""
    try:
        _pg_connect().close()
    except Exception as exc:
        if PG_REQUIRED:
            pytest.fail(f"PostgreSQL is required (CI) but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}")
    return True


@pytest.fixture
def postgres_url(postgres_available: bool) -> Iterator[str]:
    """Create a database of its own for one test; drop it afterwards."""
    from psycopg.conninfo import conninfo_to_dict

    name = f"faps_t_{uuid.uuid4().hex[:12]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    info = conninfo_to_dict(PG_ADMIN_URL)
    auth = info.get("user", "postgres")
    if info.get("password"):
        auth += f":{info['password']}"
    yield f"postgresql://{auth}@{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{name}"
    with _pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The same scenario on every store."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'faps.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def clock() -> SettableClock:
    """A clock set to a weekday morning of 2024."""
    return SettableClock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))


def build_faps(url: str, tmp_path, clock: SettableClock) -> Faps:  # type: ignore[no-untyped-def]
    """Build faps on a store, with test settings."""
    settings = Settings(database_url=url, instance_path=tmp_path / "instance",
                        secret_key="test-secret", agglomeration_siret="20005795800014")
    return build(settings, clock, fast_hashing=True)


@pytest.fixture
def faps(store_url: str, tmp_path, clock: SettableClock) -> Iterator[Faps]:  # type: ignore[no-untyped-def]
    """Faps on each store in turn."""
    instance = build_faps(store_url, tmp_path, clock)
    yield instance
    instance.close()


@pytest.fixture
def memory_faps(tmp_path, clock: SettableClock) -> Iterator[Faps]:  # type: ignore[no-untyped-def]
    """Faps on the in-memory store only (fast domain-level scenarios)."""
    instance = build_faps("memory://", tmp_path, clock)
    yield instance
    instance.close()


@pytest.fixture
def world(faps: Faps, clock: SettableClock) -> World:
    """Faps with one account per role (two communes), a budget for 2024, on each store."""
    return make_world(faps, clock)


@pytest.fixture
def memory_world(memory_faps: Faps, clock: SettableClock) -> World:
    """The same world on the in-memory store only."""
    return make_world(memory_faps, clock)
