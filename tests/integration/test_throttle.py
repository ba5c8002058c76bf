"""Sign-in throttling counted in the database: concurrent tries cannot pass the limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from faps.infrastructure.throttle import Throttle, throttle_table

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path):  # type: ignore[no-untyped-def]
    """A database engine like the application's (a file or a server shared by workers)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'throttle.sqlite3'}"
        made = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    else:
        url = str(request.getfixturevalue("postgres_url")).replace(
            "postgresql://", "postgresql+psycopg://")
        made = sa.create_engine(url, pool_size=10, max_overflow=40)
    yield made
    made.dispose()


def test_forty_concurrent_tries_on_one_address_get_only_the_limit_of_checks(engine):  # type: ignore[no-untyped-def]
    throttle = Throttle(engine, max_failures=5, max_delay=timedelta(minutes=15))
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: throttle.reserve(["address:203.0.113.9"], NOW),
                                range(40)))
    allowed = [r for r in results if r is None]
    assert len(allowed) == 5
    assert {r for r in results if r is not None} == {NOW + timedelta(seconds=1)}


def test_delays_double_after_the_limit_up_to_the_longest_wait(engine):  # type: ignore[no-untyped-def]
    throttle = Throttle(engine, max_failures=3, max_delay=timedelta(seconds=10))
    now, waits = NOW, []
    for _ in range(8):
        until = throttle.reserve(["account:a@agglo.test"], now)
        if until is not None:
            now = until  # the attacker waits exactly as long as told
            until = throttle.reserve(["account:a@agglo.test"], now)
            assert until is None
        with engine.connect() as conn:
            row = conn.execute(sa.select(throttle_table.c.blocked_until)).one()
        blocked = row[0] if row[0] is None or row[0].tzinfo else row[0].replace(tzinfo=UTC)
        waits.append(None if blocked is None else (blocked - now).total_seconds())
    assert waits == [None, None, 1, 2, 4, 8, 10, 10]


def test_a_success_gives_the_address_its_try_back_and_clears_the_account(engine):  # type: ignore[no-untyped-def]
    throttle = Throttle(engine, max_failures=2, max_delay=timedelta(minutes=15))
    keys = ["address:198.51.100.4", "account:b@agglo.test"]
    assert throttle.reserve(keys, NOW) is None  # a failure
    assert throttle.reserve(keys, NOW) is None  # the right password
    throttle.succeeded(cleared=[keys[1]], given_back=[keys[0]])
    assert throttle.reserve(keys, NOW) is None  # one failure left on the address, none more


def test_counts_start_again_after_a_quiet_day_not_after_the_longest_wait(engine):  # type: ignore[no-untyped-def]
    throttle = Throttle(engine, max_failures=2, max_delay=timedelta(minutes=15))
    for _ in range(2):
        assert throttle.reserve(["account:c@agglo.test"], NOW) is None
    soon = NOW + timedelta(minutes=16)
    assert throttle.reserve(["account:c@agglo.test"], soon) is None  # one try per wait
    assert throttle.reserve(["account:c@agglo.test"], soon) is not None
    later = NOW + timedelta(hours=25)
    assert throttle.reserve(["account:c@agglo.test"], later) is None
    assert throttle.reserve(["account:c@agglo.test"], later) is None  # a fresh run of two
    assert throttle.reserve(["account:c@agglo.test"], later) is not None


def test_a_key_cleared_by_another_sign_in_meanwhile_is_counted_anew(engine, monkeypatch):  # type: ignore[no-untyped-def]
    # Under load, two people behind one address: one signs in (their keys are cleared) while
    # the other's try was about to count on the address (a 500 before).
    throttle = Throttle(engine, max_failures=5, max_delay=timedelta(minutes=15))
    ensure, cleared = throttle._ensure, []

    def ensure_then_cleared(key: str, now: datetime) -> None:
        ensure(key, now)
        if not cleared:
            cleared.append(key)
            throttle.succeeded([key], [])

    monkeypatch.setattr(throttle, "_ensure", ensure_then_cleared)
    assert throttle.reserve(["address:203.0.113.9"], NOW) is None
    with engine.connect() as conn:
        failures = conn.execute(sa.select(throttle_table.c.failures)).scalar_one()
    assert cleared and failures == 1
