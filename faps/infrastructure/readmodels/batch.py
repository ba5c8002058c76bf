"""A batch's unit of work: rows loaded once, changed in memory, written back in bulk.

A runner may lend the batch a cache of the rows its previous batches of the same projection
read and wrote (`cached_rows`): it does so only when the projection's position is the one those
batches left, so the stored rows are still these, and a request's catch-up does not read back
the dossier row it wrote a moment ago.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from faps.infrastructure.readmodels.bulk import insert_rows

Row = dict[str, Any]
CHUNK = 500
CACHED = 1024  # rows a table's cache keeps (the latest used)
UPSERT_BELOW = 50  # changed rows under which a flush upserts instead of deleting and inserting
_UNREAD: Any = object()
RowCache = dict[str, OrderedDict[Any, Row]]  # table name → its rows by key
_lent: ContextVar[RowCache | None] = ContextVar("faps_row_cache", default=None)


@contextmanager
def cached_rows(cache: RowCache | None) -> Iterator[None]:
    """Have the `Rows` made inside read from and write to this cache (None: none).

    The caller lends it only if the stored rows are those the cache holds (the projection's
    position is the one the cache was filled at), and forgets it if the transaction fails.
    """
    token = _lent.set(cache)
    try:
        yield
    finally:
        _lent.reset(token)


@cache
def _by_keys(table: sa.Table, dialect: str) -> tuple[sa.Select[Any], sa.Delete]:
    """Return the select and the delete of a table's rows by a list of primary keys.

    On PostgreSQL a single-column key is matched with `= ANY(array)`: one parameter, so one
    prepared statement whatever the number of keys, where IN would need one per length.
    """
    columns = list(table.primary_key.columns)
    if dialect == "postgresql" and len(columns) == 1:
        where = columns[0] == sa.any_(sa.bindparam("keys", type_=ARRAY(columns[0].type)))
    else:
        key = columns[0] if len(columns) == 1 else sa.tuple_(*columns)
        where = key.in_(sa.bindparam("keys", expanding=True))
    return sa.select(table).where(where), table.delete().where(where)


def index_lookups(conn: sa.Connection) -> None:
    """Have this transaction find rows by key through the tables' indexes (PostgreSQL).

    A batch reads and deletes rows by primary key only. Tables being rebuilt have no statistics
    yet (autovacuum may be off, or late), and without them PostgreSQL's planner reads the whole
    table for every batch's keys: at 1,000,000 events that was most of a rebuild's time.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")


# A follower's transaction settings as an expression (the positions' move sets them with it).
FOLLOWER_SETTINGS = ("set_config('enable_seqscan', 'off', true), "
                     "set_config('synchronous_commit', 'off', true)")


def follower_transaction(conn: sa.Connection) -> None:
    """Set up a follower's transaction (a request's catch-up, `faps projections follow`).

    On PostgreSQL: lookups by key through the indexes (`index_lookups`), and an asynchronous
    commit. A follower's rows and its position in the log commit together, and they are derived
    from the log: a crash can lose only the latest such commits (never half of one), and the
    next catch-up recomputes them from the durable log. The event store's transactions and the
    credentials keep `synchronous_commit` on: only this transaction is asynchronous (`LOCAL`),
    so the request no longer waits for a second WAL flush. SQLite gets the same trade from
    `synchronous=NORMAL` (stores.make_engine). One statement for both settings.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT {FOLLOWER_SETTINGS}")


class Rows:
    """The rows of one table a batch of events touches, keyed by their primary key."""

    def __init__(self, conn: sa.Connection, table: sa.Table,
                 watch: Callable[[Row], Any] | None = None) -> None:
        self.conn = conn
        self.table = table
        self.keys = [c.name for c in table.primary_key.columns]
        # `watch(row)` of each stored row as first read in the batch (before any handler
        # changed it): what a projection compares with the row's after the batch.
        self.watch = watch
        self.before: dict[Any, Any] = {}
        self._rows: dict[Any, Row | None] = {}
        self._stored: set[Any] = set()
        self._dirty: set[Any] = set()
        self._unknown: set[Any] = set()
        self._inserts: list[Row] = []
        lent = _lent.get()
        self._cache = None if lent is None or not self.keys else lent.setdefault(
            table.name, OrderedDict())

    def _key_of(self, row: Row) -> Any:
        return row[self.keys[0]] if len(self.keys) == 1 else tuple(row[k] for k in self.keys)

    def preload(self, keys: Iterable[Any]) -> None:
        """Read the stored rows of these keys (one query per chunk of keys)."""
        wanted = [k for k in dict.fromkeys(keys) if k not in self._rows]
        if self._cache is not None:
            wanted = [k for k in wanted if not self._from_cache(k)]
        select = _by_keys(self.table, self.conn.dialect.name)[0]
        for i in range(0, len(wanted), CHUNK):
            chunk = wanted[i:i + CHUNK]
            for found in self.conn.execute(select, {"keys": chunk}).mappings():
                row = dict(found)
                key = self._key_of(row)
                self._rows[key] = row
                self._stored.add(key)
                self._watched(key, row)
                self._keep(key, row)
            for key in chunk:
                self._rows.setdefault(key, None)

    def _from_cache(self, key: Any) -> bool:
        assert self._cache is not None
        row = self._cache.get(key)
        if row is None:
            return False
        self._rows[key] = dict(row)  # changed in place by the handlers: the cache keeps its own
        self._stored.add(key)
        self._watched(key, row)
        return True

    def _watched(self, key: Any, row: Row) -> None:
        if self.watch is not None and key not in self.before:
            self.before[key] = self.watch(row)

    def watched_changes(self) -> list[tuple[Any, Any]]:
        """Return (before, after) of `watch` for each row changed or added in the batch
        (before: `()` for a row the batch added)."""
        assert self.watch is not None
        return [(self.before.get(self._key_of(r), ()), self.watch(r))
                for r in self.changed_rows()]

    def _keep(self, key: Any, row: Row) -> None:
        if self._cache is not None:
            self._cache[key] = dict(row)
            self._cache.move_to_end(key)
            if len(self._cache) > CACHED:
                self._cache.popitem(last=False)

    def get(self, key: Any) -> Row | None:
        """Return a row to change in place (call `changed` after), or None."""
        row = self._rows.get(key, _UNREAD)
        if row is _UNREAD:
            self.preload([key])
            return self._rows[key]
        return row

    def changed(self, key: Any) -> None:
        """Mark a row as changed."""
        self._dirty.add(key)

    def touch(self, key: Any) -> Row | None:
        """Return a row to change in place, marked as changed, or None."""
        row = self.get(key)
        if row is not None:
            self._dirty.add(key)
        return row

    def changed_rows(self) -> list[Row]:
        """Return the rows changed or added since the last flush."""
        return [r for k in self._dirty if (r := self._rows.get(k)) is not None]

    def add(self, row: Row) -> Row:
        """Add a new row (or replace a row of the same key, stored or not)."""
        key = self._key_of(row)
        if key not in self._rows:
            self._unknown.add(key)  # not read: flush deletes any stored row of this key
        self._rows[key] = row
        self._dirty.add(key)
        return row

    def append(self, row: Row) -> None:
        """Insert a row that is never read back in the batch (timeline, ledger)."""
        self._inserts.append(row)

    def all_rows(self) -> list[Row]:
        """Return every row loaded (small reference tables)."""
        return [r for r in self._rows.values() if r is not None]

    def load_all(self) -> None:
        """Read every row of the table (small reference tables)."""
        self.preload(self._key_of(dict(r)) for r in self.conn.execute(
            sa.select(*(self.table.c[k] for k in self.keys))).mappings())

    def flush(self) -> None:
        """Write changed rows back: stored ones are replaced, new ones inserted.

        A few rows (a request's catch-up) are upserted, the appended ones inserted: at most two
        statements. Many (a rebuild's batch) are deleted by key and inserted in bulk (COPY).
        """
        stale = [k for k in self._dirty if k in self._stored or k in self._unknown]
        rows = self.changed_rows()
        if stale and len(rows) < UPSERT_BELOW:
            insert_rows(self.conn, self.table, rows, replace=True)
            insert_rows(self.conn, self.table, self._inserts)
        else:
            delete = _by_keys(self.table, self.conn.dialect.name)[1]
            for i in range(0, len(stale), CHUNK):
                self.conn.execute(delete, {"keys": stale[i:i + CHUNK]})
            insert_rows(self.conn, self.table, [*rows, *self._inserts])
        for row in rows:  # (the appended ones are never read back)
            self._keep(self._key_of(row), row)
        self._stored.update(self._dirty)
        self._unknown.clear()
        self._dirty.clear()
        self._inserts.clear()


def count_changes(conn: sa.Connection, table: sa.Table,
                  changes: Iterable[tuple[Iterable[Any], Iterable[Any]]]) -> None:
    """Move counts kept by key: each row's (before, after) keys it is counted under (none: a
    new row, or a row counted nowhere; a key twice: counted twice) take one from each key
    before and add one to each key after. `table`: the key's columns as its primary key,
    then `n`. One upsert of the keys that moved (a round trip; a key that falls to zero keeps
    its row, which every reader sums as nothing). The additions commute: the processes of a
    split rebuild may add theirs in any order."""
    moved: Counter[Any] = Counter()
    for before, after in changes:
        moved.subtract(before)
        moved.update(after)
    # In the keys' order: the processes of a split rebuild lock the rows they add to in one
    # order, so none holds a row another waits for while waiting for one that other holds
    # (PostgreSQL found such a deadlock when each added in its own order).
    rows = [{**dict(zip(_key_names(table), key, strict=True)), "n": n}
            for key, n in sorted(moved.items()) if n]
    if rows:
        conn.execute(_upsert_adding(conn.dialect.name, table), rows)


def _key_names(table: sa.Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


@cache
def _upsert_adding(dialect: str, table: sa.Table) -> Any:
    """Return the INSERT of a count that adds it to the stored one of its key (built once)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    statement = insert(table)
    return statement.on_conflict_do_update(index_elements=_key_names(table),
                                           set_={"n": table.c.n + statement.excluded.n})
