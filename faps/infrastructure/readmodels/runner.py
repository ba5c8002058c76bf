"""Runs projections from the notification log, each event applied exactly once.

Each projection writes its rows and its position in one transaction. The position row is
locked first (an UPDATE, which on SQLite takes the database's write lock and on PostgreSQL
the row lock), so runners in other threads or processes wait and then skip what was done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from faps.application.app import FapsApplication
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.base import Projection, qualname

BATCH = 1000
Progress = Callable[[int], None]


class ProjectionRunner:
    """Brings a set of projections up to the log, in batches, on any store."""

    def __init__(self, app: FapsApplication, engine: sa.Engine,
                 projections: Sequence[Projection], batch_size: int = BATCH) -> None:
        self.app = app
        self.engine = engine
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        self._lock = threading.RLock()
        t.positions.create(engine, checkfirst=True)
        for p in projections:
            t.metadata.create_all(engine, tables=list(p.tables))
        self._register()

    def _register(self) -> None:
        """Give every projection a position row (version 0: never built)."""
        stored = self.positions()
        for name in self.projections:
            if name not in stored:
                try:
                    with self.engine.begin() as conn:
                        conn.execute(t.positions.insert().values(name=name, position=0,
                                                                 version=0))
                except sa.exc.IntegrityError:
                    pass  # another process registered it first

    # -- positions ------------------------------------------------------------------------
    def positions(self) -> dict[str, tuple[int, int]]:
        """Return each projection's stored (position, version)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.positions.c.name, t.positions.c.position,
                                          t.positions.c.version)).all()
        return {name: (position, version) for name, position, version in rows}

    def _lock_position(self, conn: sa.Connection, name: str) -> int:
        return self._lock_positions(conn, [name])[name]

    @staticmethod
    def _lock_positions(conn: sa.Connection, names: Sequence[str]) -> dict[str, int]:
        """Lock the position rows (SQLite: the write lock; PostgreSQL: the rows) and read them."""
        where = t.positions.c.name.in_(names)
        conn.execute(t.positions.update().where(where).values(position=t.positions.c.position))
        rows = conn.execute(sa.select(t.positions.c.name, t.positions.c.position).where(where))
        return {name: int(position) for name, position in rows}

    def _names(self, names: Iterable[str] | None) -> list[str]:
        chosen = list(names) if names else list(self.projections)
        unknown = [n for n in chosen if n not in self.projections]
        if unknown:
            raise KeyError(", ".join(unknown))
        return chosen

    # -- start, reset, rebuild ------------------------------------------------------------
    def start(self) -> list[str]:
        """Rebuild the projections whose version changed (or never ran); then catch up."""
        stored = self.positions()
        stale = [n for n, p in self.projections.items() if stored[n][1] != p.version]
        self.reset(stale)
        self.catch_up()
        self.index(list(self.projections), analyze=stale)  # and any a killed rebuild left out
        return stale

    def reset(self, names: Iterable[str] | None = None) -> None:
        """Empty projections back to the log's start: tables dropped and recreated bare.

        Their secondary indexes are left to `index`, once the rows are in: building an index
        from sorted rows once is cheaper than keeping it up to date through a whole rebuild.
        """
        with self._lock:
            for name in self._names(names):
                projection = self.projections[name]
                with self.engine.begin() as conn:
                    self._lock_position(conn, name)
                    for table in reversed(projection.tables):
                        table.drop(conn, checkfirst=True)
                    for table in projection.tables:
                        conn.execute(sa.schema.CreateTable(table))
                    conn.execute(t.positions.update().where(t.positions.c.name == name)
                                 .values(position=0, version=projection.version,
                                         updated_at=datetime.now(tz=UTC)))

    def index(self, names: Sequence[str], analyze: Iterable[str] = ()) -> None:
        """Create the projections' missing secondary indexes; refresh the planner's statistics
        of the `analyze` ones (tables just filled: PostgreSQL's autovacuum may be off or late)."""
        with self._lock, self.engine.begin() as conn:
            self._lock_positions(conn, names)  # one process at a time creates them
            inspector = sa.inspect(conn)
            for name in names:
                for table in self.projections[name].tables:
                    present = {i["name"] for i in inspector.get_indexes(table.name)}
                    for index in sorted(table.indexes, key=lambda i: str(i.name)):
                        if index.name not in present:
                            index.create(conn)
            for name in analyze:
                for table in self.projections[name].tables:
                    conn.exec_driver_sql(f"ANALYZE {table.name}")

    def rebuild(self, names: Iterable[str] | None = None,
                progress: Progress | None = None) -> int:
        """Rebuild projections from the whole log; return the notifications read."""
        chosen = self._names(names)
        self.reset(chosen)
        read = self.catch_up(names=chosen, progress=progress)
        self.index(chosen, analyze=chosen)
        return read

    # -- catching up ----------------------------------------------------------------------
    def catch_up(self, until: int | None = None, names: Iterable[str] | None = None,
                 progress: Progress | None = None) -> int:
        """Apply every new event (at least up to `until`); return the notifications read.

        Each batch is applied to every chosen projection in one transaction, which also moves
        their positions: one commit per batch, whatever the number of projections.
        """
        chosen = [self.projections[n] for n in self._names(names)]
        read = 0
        with self._lock:
            while True:
                stored = self.positions()
                start = min(stored[p.name][0] for p in chosen)
                if until is not None and start >= until:
                    break
                notifications = self.app.recorder.select_notifications(
                    start, self.batch_size, inclusive_of_start=False)
                if not notifications:
                    break
                self._apply_batch(chosen, notifications)
                read += len(notifications)
                if progress is not None:
                    progress(len(notifications))
                if len(notifications) < self.batch_size:  # the end of the log as it was read
                    break
        return read

    def _apply_batch(self, chosen: Sequence[Projection], notifications: Sequence[Any]) -> None:
        handled = frozenset().union(*(p.handles for p in chosen))  # one test per event
        wanted = [n for n in notifications if n.topic.rpartition(":")[2] in handled]
        to_domain_event = self.app.mapper.to_domain_event
        batch = [(n.id, to_domain_event(n)) for n in wanted]
        last_id = notifications[-1].id
        with self.engine.begin() as conn:
            positions = self._lock_positions(conn, [p.name for p in chosen])
            moved = [p.name for p in chosen
                     if self.apply(conn, p, batch, positions[p.name], last_id)]
            if moved:
                conn.execute(t.positions.update().where(t.positions.c.name.in_(moved))
                             .values(position=last_id, updated_at=datetime.now(tz=UTC)))

    @staticmethod
    def apply(conn: sa.Connection, projection: Projection, batch: Sequence[tuple[int, Any]],
              position: int, last_id: int) -> bool:
        """Apply the events of a decoded batch after `position` to one projection, in `conn`'s
        transaction (whose caller moves the position); False if it was already further."""
        if position >= last_id:
            return False
        events = [e for i, e in batch if i > position and qualname(e) in projection.handles]
        if events:
            projection.apply(conn, events)
        return True

    def follow(self, interval: float = 1.0, stop: threading.Event | None = None,
               progress: Progress | None = None) -> None:
        """Keep catching up, polling the log, until `stop` is set."""
        stop = stop or threading.Event()
        while not stop.is_set():
            if not self.catch_up(progress=progress):
                stop.wait(interval)

    def status(self) -> list[dict[str, Any]]:
        """Return each projection's version, position and lag behind the log."""
        head = self.app.recorder.max_notification_id() or 0
        stored = self.positions()
        return [{"name": name, "version": p.version,
                 "stored_version": stored.get(name, (0, None))[1],
                 "position": stored.get(name, (0, 0))[0],
                 "head": head, "lag": head - stored.get(name, (0, 0))[0]}
                for name, p in self.projections.items()]


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll a condition until it holds or the timeout passes (tests, CLI)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()
