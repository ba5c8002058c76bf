"""PostgreSQL's pooled connections are tried before use only after resting: a connection used a
moment ago goes straight to work (no round trip), one the server dropped while it rested is
replaced without the caller seeing an error."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from faps.infrastructure import stores
from faps.infrastructure.stores import make_engine, store_config


def _backend(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_a_busy_connection_is_not_pinged_and_a_dropped_idle_one_is_replaced(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(store_config(postgres_url))
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    try:
        first = _backend(engine)
        assert [_backend(engine) for _ in range(5)] == [first] * 5  # the same connection
        assert pings == []  # used a moment ago: not tried
        with psycopg.connect(postgres_url, autocommit=True) as other:  # the server drops it
            other.execute("SELECT pg_terminate_backend(%s)", (first,))
        monkeypatch.setattr(stores, "IDLE_BEFORE_PING", 0.0)  # it has rested long enough
        replaced = _backend(engine)
        assert replaced != first
        assert pings  # tried, found dead, replaced before the caller used it
    finally:
        engine.dispose()
