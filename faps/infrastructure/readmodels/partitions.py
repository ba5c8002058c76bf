"""Reading the log by partition: the aggregates split over the processes of a rebuild.

A partition is a range of aggregate ids (the UUIDs of the fund's aggregates are random or
hashed, so ranges of equal width hold about as many), which the database filters with a plain
comparison: a process reads, and turns into Python objects, only its own aggregates'
notifications. The first range has no lower bound and the last no upper one, so every
notification falls in exactly one partition whatever its id. (The SQLite store keeps an id as
its 32 lowercase hex digits, which sort as the numbers do: the bounds are written the same way.)
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification


def store_kind(recorder: Any) -> str | None:
    """Return "sqlite" or "postgres" for a recorder whose log other processes can read."""
    module = type(recorder).__module__
    if module == "eventsourcing.sqlite":
        return None if recorder.datastore.pool.is_sqlite_memory_mode else "sqlite"
    return "postgres" if module == "eventsourcing.postgres" else None


def can_fork() -> bool:
    """Tell whether worker processes can be forked here (Linux: yes; macOS, where forking
    a process that has loaded system frameworks is unsafe, and Windows: no)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def select_partition(recorder: Any, after: int, stop: int, limit: int, part: int,
                     parts: int) -> list[Notification]:
    """Return the next notifications of one partition, after `after` and up to `stop`."""
    kind = store_kind(recorder)
    assert kind is not None, "a partitioned read needs a shared store"
    mark = "?" if kind == "sqlite" else "%s"
    where, params = ["TRUE"], []
    for index, condition in ((part, ">="), (part + 1, "<")):
        if 0 < index < parts:  # no lower bound for the first, no upper one for the last
            bound = UUID(int=index * 2**128 // parts)
            where.append(f"originator_id {condition} {mark}")
            params.append(bound.hex if kind == "sqlite" else bound)
    return _select(recorder, kind, after, stop, limit, " AND ".join(where), tuple(params))


def select_topics(recorder: Any, after: int, stop: int, limit: int,
                  qualnames: Sequence[str]) -> list[Notification]:
    """Return the next notifications whose event class is one of `qualnames`."""
    kind = store_kind(recorder)
    assert kind is not None, "a partitioned read needs a shared store"
    mark = "?" if kind == "sqlite" else "%s"
    where = "(" + " OR ".join([f"topic LIKE {mark}"] * len(qualnames)) + ")"
    return _select(recorder, kind, after, stop, limit, where,
                   tuple(f"%:{name}" for name in qualnames))


def count_notifications(recorder: Any, stop: int) -> int:
    """Return how many notifications the log holds up to `stop` (ids may have gaps)."""
    if store_kind(recorder) == "sqlite":
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT count(*) FROM {recorder.events_table_name} "
                           "WHERE rowid <= ?", (stop,))
            return int(cursor.fetchone()[0])
    from psycopg import sql as pgsql

    query = pgsql.SQL("SELECT count(*) AS n FROM {table} WHERE notification_id <= %s").format(
        table=pgsql.Identifier(recorder.datastore.schema, recorder.events_table_name))
    with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute(query, (stop,))
        return int(cursor.fetchone()["n"])


def _select(recorder: Any, kind: str, after: int, stop: int, limit: int, where: str,
            params: tuple[Any, ...]) -> list[Notification]:
    """Run the recorder's own notification query with one more condition.

    `stop` is applied here, not in SQL: with an upper bound PostgreSQL's planner (without
    fresh statistics) reads and sorts the whole range left at every call, where without it
    it walks the notification index in order and stops after `limit` rows.
    """
    if kind == "sqlite":
        sql = (f"SELECT rowid, * FROM {recorder.events_table_name} WHERE rowid > ? "
               f"AND {where} ORDER BY rowid LIMIT ?")
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, (after, *params, limit))
            convert = recorder.convert_originator_id
            return [Notification(id=row["rowid"], originator_id=convert(row["originator_id"]),
                                 originator_version=row["originator_version"],
                                 topic=row["topic"], state=row["state"])
                    for row in cursor.fetchall() if row["rowid"] <= stop]
    from psycopg import sql as pgsql

    query = pgsql.SQL("SELECT * FROM {table} WHERE notification_id > %s AND {where} "
                      "ORDER BY notification_id LIMIT %s").format(
        table=pgsql.Identifier(recorder.datastore.schema, recorder.events_table_name),
        where=pgsql.SQL(where))  # type: ignore[arg-type]  # made here, never of user input
    with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute(query, (after, *params, limit), prepare=True)
        return [Notification(id=row["notification_id"], originator_id=row["originator_id"],
                             originator_version=row["originator_version"], topic=row["topic"],
                             state=bytes(row["state"]))
                for row in cursor.fetchall() if row["notification_id"] <= stop]
