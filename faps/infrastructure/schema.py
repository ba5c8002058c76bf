"""Creating the tables of faps' stores, safely when several processes start at once."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

import sqlalchemy as sa

LOCK_KEY = 0x46415053  # "FAPS": the PostgreSQL advisory lock of table creation
ATTEMPTS = 30  # each lost race means another process made a table: progress every round


def create_tables(engine: sa.Engine, metadata: sa.MetaData,
                  tables: Sequence[sa.Table] | None = None, later_indexes: bool = True) -> None:
    """Create the missing tables (all of `metadata`'s, or `tables`) and their indexes, and
    (`later_indexes`) the indexes declared since an existing table was made: an index is built
    from the rows, no data moves. The read models' runner builds theirs itself, once a rebuild
    has filled their tables.

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
                if later_indexes:
                    for index in missing_indexes(conn, tables or metadata.sorted_tables):
                        index.create(conn)
            return
        except sa.exc.DatabaseError as exc:
            if attempt == ATTEMPTS or "already exists" not in str(exc).lower():
                raise
            time.sleep(random.uniform(0, 0.02))


def missing_indexes(conn: sa.Connection, tables: Sequence[sa.Table]) -> list[sa.Index]:
    """Return the declared indexes of these tables (those of the connection's dialect) that
    the database does not have, in name order."""
    inspector = sa.inspect(conn)
    found: list[sa.Index] = []
    for table in tables:
        if not table.indexes:
            continue
        present = {i["name"] for i in inspector.get_indexes(table.name)}
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            only = index._ddl_if.dialect if index._ddl_if is not None else None
            if index.name not in present and only in (None, conn.dialect.name):
                found.append(index)
    return found
