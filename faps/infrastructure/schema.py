"""Creating the tables of faps' stores, safely when several processes start at once."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

import sqlalchemy as sa

LOCK_KEY = 0x46415053  # "FAPS": the PostgreSQL advisory lock of table creation
ATTEMPTS = 30  # each lost race means another process made a table: progress every round


def create_tables(engine: sa.Engine, metadata: sa.MetaData,
                  tables: Sequence[sa.Table] | None = None) -> None:
    """Create the missing tables (all of `metadata`'s, or `tables`) and their indexes.

    Several processes booting at once (gunicorn's workers on a new database) would race to
    create the same table. On PostgreSQL a transaction-level advisory lock makes them take turns
    (DDL is transactional: the next one sees the tables made); on SQLite, whose write lock
    already serialises them, the loser's "already exists" means the table is there: it checks
    again.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
                metadata.create_all(conn, tables=tables, checkfirst=True)
            return
        except sa.exc.DatabaseError as exc:
            if attempt == ATTEMPTS or "already exists" not in str(exc).lower():
                raise
            time.sleep(random.uniform(0, 0.02))
