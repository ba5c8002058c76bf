"""Runs projections from the notification log, each event applied exactly once.

Each projection writes its rows and its position in one transaction. The position row is
locked first (an UPDATE, which on SQLite takes the database's write lock and on PostgreSQL
the row lock), so runners in other threads or processes wait and then skip what was done.
A rebuild of a large log is split over worker processes (`parallel`); a projection being
rebuilt that way is left alone by every other runner until it is done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from functools import cache, partial
from typing import Any

import sqlalchemy as sa

from faps.application.app import FapsApplication
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.base import Projection, qualname
from faps.infrastructure.readmodels.batch import (
    FOLLOWER_SETTINGS,
    RowCache,
    cached_rows,
    follower_transaction,
)
from faps.infrastructure.readmodels.parallel import SplitRebuild, live_rebuilds, wait_for_others
from faps.infrastructure.readmodels.partitions import can_fork, store_kind
from faps.infrastructure.schema import create_tables, missing_indexes

BATCH = 1000
SPLIT_FROM = 50_000  # notifications from which a rebuild is split over processes
LEASE = 120.0  # seconds without a heartbeat after which a split rebuild counts as abandoned
Progress = Callable[[int], None]


class ProjectionRunner:
    """Brings a set of projections up to the log, in batches, on any store."""

    def __init__(self, app: FapsApplication, engine: sa.Engine,
                 projections: Sequence[Projection], batch_size: int = BATCH,
                 workers: int = 1, split_from: int = SPLIT_FROM, lease: float = LEASE) -> None:
        self.app = app
        self.engine = engine
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        self.workers = workers
        self.split_from = split_from
        self.lease = lease
        self.last_split: SplitRebuild | None = None  # the latest split rebuild (benchmarks)
        # One lock a projection: a request's catch-up of the awaited read models does not wait
        # for the background thread's catch-up of the history (their rows and positions are
        # apart), while two catch-ups of one projection in this process take turns.
        self._locks = {p.name: threading.RLock() for p in projections}
        # Where this process last moved each projection to: a hint that spares a request's
        # catch-up the read of the positions (the batch's transaction checks them anyway).
        self._hint: dict[str, tuple[int, int]] = {}
        # By projection: the rows its latest batches read and wrote here, and the position at
        # which they are the stored ones (`batch.cached_rows`).
        self._caches: dict[str, tuple[int, RowCache]] = {}
        self._local = threading.local()  # `known`: notification id → event, in a catch-up
        create_tables(engine, t.metadata, [t.positions, t.rebuilds,
                                           *(table for p in projections for table in p.tables)],
                      later_indexes=False)
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

    @staticmethod
    def lock_positions(conn: sa.Connection, names: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Lock the position rows (SQLite: the write lock; PostgreSQL: the rows) and read
        them: (position, version) by name."""
        rows = conn.execute(t.positions.update().where(t.positions.c.name.in_(names))
                            .values(position=t.positions.c.position)
                            .returning(t.positions.c.name, t.positions.c.position,
                                       t.positions.c.version))  # one round trip
        return {name: (int(position), int(version)) for name, position, version in rows}

    @contextmanager
    def _holding(self, names: Iterable[str]) -> Iterator[None]:
        """Hold the locks of these projections in this process (taken in one order: no
        deadlock between two threads)."""
        with ExitStack() as stack:
            for name in sorted(set(names)):
                stack.enter_context(self._locks[name])
            yield

    def _names(self, names: Iterable[str] | None) -> list[str]:
        chosen = list(names) if names else list(self.projections)
        unknown = [n for n in chosen if n not in self.projections]
        if unknown:
            raise KeyError(", ".join(unknown))
        return chosen

    # -- start, reset, rebuild ------------------------------------------------------------
    def start(self, rebuild: bool = True) -> list[str]:
        """Rebuild the projections whose version changed (or never ran); then catch up.
        Return them (with `rebuild` False, left as they are: see `stale`).

        A projection another process is rebuilding right now is waited for, not rebuilt again;
        one whose split rebuild was abandoned is resumed.
        """
        if rebuild:
            wait_for_others(self, list(self.projections))
        stale = self.stale()
        if stale and rebuild:
            self.rebuild(stale)
        self.catch_up()
        left = self.stale()
        self.index([n for n in self.projections if n not in left])  # a killed rebuild's
        return stale

    def stale(self) -> list[str]:
        """Return the projections whose stored version is not this code's (another version,
        never built, or being rebuilt): this runner neither reads nor writes their tables."""
        stored = self.positions()
        return [n for n, p in self.projections.items() if stored[n][1] != p.version]

    def reset(self, names: Iterable[str] | None = None) -> None:
        """Empty projections back to the log's start: tables dropped and recreated bare.

        Their secondary indexes are left to `index`, once the rows are in: building an index
        from sorted rows once is cheaper than keeping it up to date through a whole rebuild.
        """
        chosen = self._names(names)
        with self._holding(chosen):
            for name in chosen:
                with self.engine.begin() as conn:
                    self.lock_positions(conn, [name])
                    # The tables before a split run's rows: a worker's batch takes them in
                    # that order (on PostgreSQL the reverse would deadlock with it).
                    self.empty(conn, name, self.projections[name].version)
                    conn.execute(t.rebuilds.delete().where(t.rebuilds.c.name == name))

    def empty(self, conn: sa.Connection, name: str, version: int) -> None:
        """Drop and recreate a projection's tables bare, its position at the log's start (in
        `conn`'s transaction, its position row locked)."""
        projection = self.projections[name]
        self._hint.pop(name, None)
        self._caches.pop(name, None)
        for table in reversed(projection.tables):
            table.drop(conn, checkfirst=True)
        for table in projection.tables:
            conn.execute(sa.schema.CreateTable(table))
            table.dispatch.after_create(table, conn)  # what a Table cannot say (search index)
        conn.execute(t.positions.update().where(t.positions.c.name == name)
                     .values(position=0, version=version, updated_at=datetime.now(tz=UTC)))

    def index(self, names: Sequence[str], analyze: Iterable[str] = (),
              compact: bool = False) -> None:
        """Create the projections' missing secondary indexes; refresh the planner's statistics
        of the `analyze` ones (tables just filled: PostgreSQL's autovacuum may be off or late),
        on PostgreSQL rewritten compact first (`compact`: a large rebuild, see `_vacuum`).

        On PostgreSQL the statements run on `workers` connections at once (the server builds
        each index in a process of its own); SQLite has one writer: they run in turn.
        """
        tables = [table.name for name in analyze for table in self.projections[name].tables]
        postgres = self.engine.dialect.name == "postgresql"
        if postgres and compact:
            self._vacuum(tables, "FULL")  # before their indexes: only the keys are rewritten
        with self._holding(names), self.engine.begin() as conn:
            self.lock_positions(conn, names)  # one process at a time creates them
            steps: list[Callable[[sa.Connection], Any]] = [
                index.create for index in missing_indexes(
                    conn, [table for name in names for table in self.projections[name].tables])]
            if not (postgres and compact):
                steps.extend(partial(sa.Connection.exec_driver_sql, statement=f"ANALYZE {t}")
                             for t in tables)
            if not postgres or self.workers < 2:
                for step in steps:
                    step(conn)
            else:
                with ThreadPoolExecutor(self.workers) as pool:
                    list(pool.map(self._run_alone, steps))
        if postgres and compact:
            self._vacuum(tables, "ANALYZE")

    def _vacuum(self, tables: Sequence[str], how: str) -> None:
        """VACUUM tables just rebuilt (PostgreSQL; outside a transaction, as it must).

        A rebuild writes a row once per batch that touches it: on PostgreSQL each write leaves
        the former version dead in the table (the dossiers' 30,000 rows took 293 MB, 10 kB a
        row, at 1,000,000 events), which every scan then reads, and autovacuum may be off or
        late. FULL rewrites each table compact; ANALYZE then gives the planner its statistics
        and marks the pages all-visible (what an index-only scan needs).
        """
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.exec_driver_sql(f"VACUUM ({how}) {table}")

    def _run_alone(self, step: Callable[[sa.Connection], Any]) -> None:
        with self.engine.begin() as conn:
            step(conn)

    def rebuild(self, names: Iterable[str] | None = None,
                progress: Progress | None = None) -> int:
        """Rebuild projections from the whole log; return the notifications read.

        From `split_from` notifications on, the work is split over `workers` processes
        where the store is shared (a SQLite file, PostgreSQL) and processes can be forked.
        """
        chosen = self._names(names)
        wait_for_others(self, chosen)
        with self._holding(chosen):
            if self.splits():
                self.last_split = SplitRebuild(self, chosen, self.workers, progress)
                read = self.last_split.run()
            else:
                self.reset(chosen)
                read = self.catch_up(names=chosen, progress=progress)
            self.index(chosen, analyze=chosen, compact=read >= self.split_from)
        return read

    def splits(self) -> bool:
        """Tell whether a rebuild would be split over processes now."""
        return (self.workers > 1 and can_fork() and store_kind(self.app.recorder) is not None
                and (self.app.recorder.max_notification_id() or 0) >= self.split_from)

    # -- catching up ----------------------------------------------------------------------
    def catch_up(self, until: int | None = None, names: Iterable[str] | None = None,
                 progress: Progress | None = None, recent: Sequence[Any] = ()) -> int:
        """Apply every new event (at least up to `until`); return the notifications read.

        Each batch is applied to every chosen projection in one transaction, which also moves
        their positions: one commit per batch, whatever the number of projections.

        `recent`: this process's latest recordings (eventsourcing's `Recording`: the stored
        notification and the domain event saved). When they are all that follows the positions
        this process last wrote, they are applied as they are: neither read back from the store
        nor decoded again.
        """
        every = [self.projections[n] for n in self._names(names)]
        read = 0
        with self._holding([p.name for p in every]):
            hinted = until is not None and all(
                p.name in self._hint and self._hint[p.name][0] < until for p in every)
            self._local.known = {r.notification.id: r.domain_event for r in recent}
            try:
                while True:
                    stored = dict(self._hint) if hinted else self.positions()
                    chosen = [p for p in every if stored[p.name][1] == p.version]  # see `stale`
                    if not chosen:
                        break
                    start = min(stored[p.name][0] for p in chosen)
                    if until is not None and start >= until:
                        break
                    notifications = (hinted and _following(start, until, recent,
                                                           self.batch_size)) or \
                        self.app.recorder.select_notifications(start, self.batch_size,
                                                               inclusive_of_start=False)
                    if not notifications:
                        break
                    moved = self._apply_batch(chosen, notifications, start,
                                              stored if hinted else None)
                    if hinted and len(moved) < len(chosen):  # moved or reset elsewhere: read
                        hinted = False
                        continue
                    hinted = False
                    read += len(notifications)
                    if progress is not None:
                        progress(len(notifications))
                    if len(notifications) < self.batch_size:  # the end of the log as read
                        break
            finally:
                self._local.known = {}
        return read

    def _apply_batch(self, chosen: Sequence[Projection], notifications: Sequence[Any],
                     start: int, expected: dict[str, tuple[int, int]] | None = None,
                     ) -> list[str]:
        """Apply notifications read after `start` to the projections still at or past it;
        return those moved.

        `expected`: the positions this process last wrote (its hint). Then one statement both
        locks and moves the projections still there; those moved or reset elsewhere are left
        for the caller to read again. Otherwise the positions are locked and read, then moved.
        """
        handled = frozenset().union(*(p.handles for p in chosen))  # one test per event
        wanted = [n for n in notifications if n.topic.rpartition(":")[2] in handled]
        known = getattr(self._local, "known", {})
        to_domain_event = self.app.mapper.to_domain_event
        batch = [(n.id, known[n.id] if n.id in known else to_domain_event(n)) for n in wanted]
        last_id = notifications[-1].id
        try:
            with self.engine.begin() as conn:
                if expected is not None:  # its statement sets the transaction up as well
                    moved = self._move_from(conn, {p.name: expected[p.name] for p in chosen
                                                   if expected[p.name][0] < last_id}, last_id)
                    for p in chosen:
                        if p.name in moved:
                            self._apply_cached(conn, p, batch, expected[p.name][0], last_id)
                else:
                    follower_transaction(conn)
                    locked = self.lock_positions(conn, [p.name for p in chosen])
                    moved = [p.name for p in chosen
                             if locked[p.name][1] == p.version  # since read
                             and locked[p.name][0] >= start  # not reset since read: re-read
                             and self._apply_cached(conn, p, batch, locked[p.name][0], last_id)]
                    if moved:
                        conn.execute(t.positions.update().where(t.positions.c.name.in_(moved))
                                     .values(position=last_id, updated_at=datetime.now(tz=UTC)))
        except BaseException:
            for p in chosen:  # their caches may hold rows of the transaction rolled back
                self._caches.pop(p.name, None)
            raise
        for p in chosen:  # once committed
            if p.name in moved:
                self._hint[p.name] = (last_id, p.version)
                if p.name in self._caches:
                    self._caches[p.name] = (last_id, self._caches[p.name][1])
            else:
                self._hint.pop(p.name, None)
                self._caches.pop(p.name, None)
        return moved

    def _apply_cached(self, conn: sa.Connection, projection: Projection,
                      batch: Sequence[tuple[int, Any]], position: int, last_id: int) -> bool:
        """`apply`, lending the projection's batch the rows this process's previous batches
        left, if the position is still the one they left (else a new cache)."""
        if not projection.cache_rows:
            return self.apply(conn, projection, batch, position, last_id)
        kept = self._caches.get(projection.name)
        cache: RowCache = kept[1] if kept is not None and kept[0] == position else {}
        self._caches[projection.name] = (position, cache)  # moved to `last_id` once committed
        with cached_rows(cache):
            return self.apply(conn, projection, batch, position, last_id)

    @staticmethod
    def _move_from(conn: sa.Connection, expected: dict[str, tuple[int, int]],
                   last_id: int) -> list[str]:
        """Move to `last_id` the positions still at the (position, version) expected, locking
        them (one round trip); return their names."""
        if not expected:
            return []
        sql, order, moment = _move_statement(conn.dialect, len(expected))
        params: dict[str, Any] = {"last": last_id, "at": moment(datetime.now(tz=UTC))}
        for i, (name, (position, version)) in enumerate(expected.items()):
            params.update({f"n{i}": name, f"p{i}": position, f"v{i}": version})
        values = tuple(params[k] for k in order) if order else params
        return [name for (name,) in conn.exec_driver_sql(sql, values)]  # type: ignore[arg-type]

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
        """Return each projection's version, position and lag behind the log; for a split
        rebuild (stored version REBUILDING), whether it is alive and its share done."""
        head = self.app.recorder.max_notification_id() or 0
        stored = self.positions()
        with self.engine.connect() as conn:
            runs = conn.execute(sa.select(t.rebuilds)).mappings().all()
            live = live_rebuilds(conn, list(self.projections), self.lease)
        return [{"name": name, "version": p.version,
                 "stored_version": stored.get(name, (0, None))[1],
                 "position": stored.get(name, (0, 0))[0],
                 "head": head, "lag": head - stored.get(name, (0, 0))[0],
                 "rebuilding": _share_done([r for r in runs if r["name"] == name]),
                 "rebuild_alive": name in live}
                for name, p in self.projections.items()]

    def rebuilding_elsewhere(self, names: Sequence[str]) -> set[str]:
        """Return those of `names` that a split rebuild is filling right now."""
        with self.engine.connect() as conn:
            return live_rebuilds(conn, names, self.lease)


@cache
def _move_statement(dialect: sa.Dialect, count: int,
                    ) -> tuple[str, tuple[str, ...] | None, Callable[[datetime], Any]]:
    """Return the update moving `count` positions from where they are expected, compiled for
    the dialect once (every request's catch-up runs it): its SQL, the order of its positional
    parameters (None: named) and the conversion of its moment."""
    c = t.positions.c
    statement = (t.positions.update()
                 .where(sa.or_(*(sa.and_(c.name == sa.bindparam(f"n{i}"),
                                         c.position == sa.bindparam(f"p{i}"),
                                         c.version == sa.bindparam(f"v{i}"))
                                 for i in range(count))))
                 .values(position=sa.bindparam("last"), updated_at=sa.bindparam("at"))
                 .returning(c.name))
    compiled = statement.compile(dialect=dialect)
    sql = compiled.string
    if dialect.name == "postgresql":  # follower_transaction's settings, in the same round trip
        head, where, tail = sql.partition(" WHERE ")
        sql = f"{head} FROM (SELECT {FOLLOWER_SETTINGS}) AS settings{where}{tail}"
    order = tuple(compiled.positiontup or ()) if dialect.positional else None
    convert = c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
    return sql, order, convert or (lambda moment: moment)


def _following(start: int, until: int | None, recent: Sequence[Any], limit: int) -> list[Any]:
    """Return the notifications of recordings that are exactly those after `start` up to at
    least `until` (none missing: no other writer in between, no gap; at most `limit`), else
    none."""
    after = sorted((r.notification for r in recent if r.notification.id > start),
                   key=lambda n: n.id)
    if not after or after[-1].id < (until or 0) or len(after) > limit:
        return []
    if [n.id for n in after] != list(range(start + 1, start + 1 + len(after))):
        return []
    return after


def _share_done(parts: Sequence[Any]) -> float | None:
    """Return the share of the log a split rebuild's partitions went through, or None."""
    if not parts or not parts[0]["head"]:
        return None
    return sum(min(int(r["position"]), int(r["head"])) for r in parts) / (
        len(parts) * int(parts[0]["head"]))


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll a condition until it holds or the timeout passes (tests, CLI)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()
