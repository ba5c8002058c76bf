"""Sign-in throttling kept in the database, so every worker and host counts together.

Each attempt first *reserves* a try on each of its keys (the account, the client address, or a
device that signed in to the account before), by a compare-and-swap UPDATE: the row changes only
if its counter is still the one read and the key is not waiting. The password is checked only
after every reservation succeeded, so N concurrent attempts cannot get more than the limit of
checks. After `max_failures`, each further try waits a delay that doubles (1 s, 2 s, 4 s…) up to
`max_delay`. A success gives back the address's try and clears the account's count; a
key left alone for a day starts again from zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from faps.infrastructure.schema import create_tables

metadata = sa.MetaData()
MAX_SWAPS = 200  # concurrent writers each win once per round; beyond this, refuse
QUIET = timedelta(hours=24)  # a key without any try for this long starts counting again

throttle_table = sa.Table(
    "faps_login_throttle",
    metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


class Throttle:
    """Progressive delays per key (account, address, device), counted atomically."""

    def __init__(self, engine: sa.Engine, max_failures: int, max_delay: timedelta) -> None:
        self.engine, self.max_failures, self.max_delay = engine, max_failures, max_delay
        create_tables(engine, metadata, [throttle_table])

    def delay(self, failures: int) -> timedelta | None:
        """Return the wait after this many failures (None below the limit)."""
        if failures < self.max_failures:
            return None
        return min(timedelta(seconds=2 ** min(failures - self.max_failures, 30)), self.max_delay)

    def reserve(self, keys: Sequence[str], now: datetime) -> datetime | None:
        """Count one try on every key; return None if allowed, else when to retry.

        A refused key leaves the keys reserved before it counted (a failed try is a try).
        """
        for key in keys:
            until = self._reserve_one(key, now)
            if until is not None:
                return until
        return None

    def _reserve_one(self, key: str, now: datetime) -> datetime | None:
        # Read, then swap in a transaction of its own: SQLite (WAL) cannot upgrade a read
        # transaction to a write once another writer committed, while a lone UPDATE waits.
        self._ensure(key, now)
        t = throttle_table
        for _ in range(MAX_SWAPS):
            with self.engine.connect() as conn:
                row = conn.execute(sa.select(t).where(t.c.key == key)).first()
            if row is None:  # cleared meanwhile by a right password on a shared key (an
                self._ensure(key, now)  # address behind one proxy): counted from nothing
                continue
            blocked = _aware(row.blocked_until)
            if blocked is not None and blocked > now:
                return blocked
            quiet = now - (_aware(row.updated_at) or now) > max(QUIET, self.max_delay)
            failures = 1 if quiet else row.failures + 1
            wait = self.delay(failures)
            with self.engine.begin() as conn:
                done = conn.execute(t.update().where(
                    t.c.key == key, t.c.failures == row.failures,
                    sa.or_(t.c.blocked_until.is_(None), t.c.blocked_until <= now)).values(
                    failures=failures, blocked_until=now + wait if wait else None,
                    updated_at=now))
            if done.rowcount == 1:
                return None
        return now + timedelta(seconds=1)

    def _ensure(self, key: str, now: datetime) -> None:
        t = throttle_table
        with self.engine.connect() as conn:
            if conn.execute(sa.select(t.c.key).where(t.c.key == key)).first():
                return
        try:
            with self.engine.begin() as conn:
                conn.execute(t.insert().values(key=key, failures=0, blocked_until=None,
                                               updated_at=now))
        except sa.exc.IntegrityError:
            pass  # another attempt created it at the same moment

    def succeeded(self, cleared: Sequence[str], given_back: Sequence[str]) -> None:
        """After a right password: clear some keys, give one try back to the others."""
        t = throttle_table
        with self.engine.begin() as conn:
            if cleared:
                conn.execute(t.delete().where(t.c.key.in_(list(cleared))))
            for key in given_back:
                conn.execute(t.update().where(t.c.key == key, t.c.failures > 0)
                             .values(failures=t.c.failures - 1))
                conn.execute(t.update().where(t.c.key == key,
                                              t.c.failures < self.max_failures)
                             .values(blocked_until=None))
