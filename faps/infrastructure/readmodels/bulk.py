"""Bulk inserts without SQLAlchemy's per-row statement work.

The insert is compiled once per dialect and table; values go through the columns' own bind
processors (the very conversions SQLAlchemy applies), column by column, and are sent in one
executemany, or on PostgreSQL in one COPY when there are many. Stored values are the same
(a COPY takes JSON as the text the driver would have sent, serialized here once). A few rows
that may replace stored ones (a request's catch-up) go in one upsert (`INSERT … ON CONFLICT
(key) DO UPDATE` every column): one round trip where a delete and an insert took two.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

COPY_FROM = 50  # rows from which PostgreSQL gets a COPY instead of an executemany


@dataclass(frozen=True)
class CompiledInsert:
    """A table's insert for one dialect: its SQL, COPY command and value conversions."""

    sql: str
    upsert: str  # the insert, replacing every column of a row of the same primary key
    copy: str
    names: tuple[str, ...]
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]
    copy_converters: tuple[tuple[int, Callable[[Any], Any]], ...]
    positional: bool

    def values(self, rows: Sequence[dict[str, Any]],
               copy: bool = False) -> list[tuple[Any, ...]]:
        """Return the rows as tuples of driver values, in the insert's column order."""
        columns = [map(itemgetter(name), rows) for name in self.names]
        for index, convert in self.copy_converters if copy else self.converters:
            columns[index] = map(convert, columns[index])
        return list(zip(*columns, strict=True))


_compiled: dict[tuple[str, str, str], CompiledInsert] = {}
_lock = threading.Lock()


def compiled_insert(dialect: sa.Dialect, table: sa.Table) -> CompiledInsert:
    """Return the table's compiled insert for this dialect (built once)."""
    key = (dialect.name, dialect.driver, table.name)
    found = _compiled.get(key)
    if found is None:
        with _lock:
            found = _compiled.setdefault(key, _compile(dialect, table))
    return found


def _compile(dialect: sa.Dialect, table: sa.Table) -> CompiledInsert:
    columns = list(table.columns)
    quote = dialect.identifier_preparer
    copy = (f"COPY {quote.format_table(table)} "
            f"({', '.join(quote.format_column(c) for c in columns)}) FROM STDIN")
    converters = tuple((i, p) for i, c in enumerate(columns)
                       if (p := c.type.dialect_impl(dialect).bind_processor(dialect)))
    copy_converters = tuple((i, _json_text if _is_json(columns[i]) else p)
                            for i, p in converters)
    return CompiledInsert(sql=table.insert().compile(dialect=dialect).string,
                          upsert=_upsert(dialect, table), copy=copy,
                          names=tuple(c.name for c in columns), converters=converters,
                          copy_converters=copy_converters,
                          positional=bool(dialect.positional))


def _upsert(dialect: sa.Dialect, table: sa.Table) -> str:
    """Return the table's insert that replaces the row of the same primary key (its columns
    and parameters are the plain insert's); the plain insert where the dialect has none."""
    make = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}.get(dialect.name)
    keys = list(table.primary_key.columns)
    if make is None or not keys:
        return table.insert().compile(dialect=dialect).string
    statement: Any = make(table)
    others = {c.name: statement.excluded[c.name] for c in table.columns if not c.primary_key}
    upsert = (statement.on_conflict_do_update(index_elements=keys, set_=others) if others
              else statement.on_conflict_do_nothing(index_elements=keys))
    return upsert.compile(dialect=dialect).string


def _is_json(column: sa.Column[Any]) -> bool:
    kind = column.type
    return isinstance(getattr(kind, "impl", kind), sa.JSON)


_EMPTY_LIST = json.dumps([])


def _json_text(value: Any) -> str:
    """Return JSON as the text the driver's JSON wrapper sends (json.dumps, the default)."""
    return _EMPTY_LIST if value == [] else json.dumps(value)


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]],
                replace: bool = False) -> None:
    """Insert rows (dicts holding every column) in the connection's transaction; `replace`:
    a row may have a stored one of the same primary key, which it replaces (an upsert)."""
    if not rows:
        return
    insert = compiled_insert(conn.dialect, table)
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM and not replace:
        _copy(conn, insert, insert.values(rows, copy=True))
        return
    values = insert.values(rows)
    sql = insert.upsert if replace else insert.sql
    if insert.positional:
        conn.exec_driver_sql(sql, values)
    else:
        conn.exec_driver_sql(sql, [dict(zip(insert.names, v, strict=True)) for v in values])


def _copy(conn: sa.Connection, insert: CompiledInsert, values: list[tuple[Any, ...]]) -> None:
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(insert.copy) as copy:
        for value in values:
            copy.write_row(value)
