"""Bulk inserts without SQLAlchemy's per-row statement work.

The insert is compiled once per dialect and table; values go through the columns' own bind
processors (the very conversions SQLAlchemy applies), column by column, and are sent in one
executemany, or on PostgreSQL in one COPY when there are many. Stored values are the same
(a COPY takes JSON as the text the driver would have sent, serialized here once).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

COPY_FROM = 50  # rows from which PostgreSQL gets a COPY instead of an executemany


@dataclass(frozen=True)
class CompiledInsert:
    """A table's insert for one dialect: its SQL, COPY command and value conversions."""

    sql: str
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
    return CompiledInsert(sql=table.insert().compile(dialect=dialect).string, copy=copy,
                          names=tuple(c.name for c in columns), converters=converters,
                          copy_converters=copy_converters,
                          positional=bool(dialect.positional))


def _is_json(column: sa.Column[Any]) -> bool:
    kind = column.type
    return isinstance(getattr(kind, "impl", kind), sa.JSON)


_EMPTY_LIST = json.dumps([])


def _json_text(value: Any) -> str:
    """Return JSON as the text the driver's JSON wrapper sends (json.dumps, the default)."""
    return _EMPTY_LIST if value == [] else json.dumps(value)


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (dicts holding every column) in the connection's transaction."""
    if not rows:
        return
    insert = compiled_insert(conn.dialect, table)
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        _copy(conn, insert, insert.values(rows, copy=True))
        return
    values = insert.values(rows)
    if insert.positional:
        conn.exec_driver_sql(insert.sql, values)
    else:
        conn.exec_driver_sql(insert.sql, [dict(zip(insert.names, v, strict=True))
                                          for v in values])


def _copy(conn: sa.Connection, insert: CompiledInsert, values: list[tuple[Any, ...]]) -> None:
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(insert.copy) as copy:
        for value in values:
            copy.write_row(value)
