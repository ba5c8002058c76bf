"""A rebuild split over processes, each projecting the aggregates of one partition.

Decoding events and turning them into rows is Python work, so one process uses one core. A
rebuild of a large log therefore forks one worker per partition (see `partitions`): each reads
only its own aggregates' notifications, up to the log's head when the rebuild began, and writes
their rows with its partition's progress and heartbeat in one transaction. Every row of a
projection depends on one aggregate's events, except what a projection declares `shared` (a
règlement's delays): those events are applied first, in the transaction that empties the
tables. The projection's own position stays at "being rebuilt" (`REBUILDING`) until every
partition is done: other processes leave it alone meanwhile, then it moves to the head in one
transaction, and the usual catch-up applies what was written since.

Exactly once: a worker's batch commits only if its run's token is still in place and its
partition's progress is where it started (a superseded run's workers stop at their next batch).
A killed run leaves its progress: once its heartbeat is older than the lease, the next rebuild
(or start) of the same projections takes it over with a new token and resumes each partition.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import time
import tracemalloc
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.base import Projection, qualname
from faps.infrastructure.readmodels.batch import index_lookups
from faps.infrastructure.readmodels.partitions import (
    count_notifications,
    select_partition,
    select_topics,
)

if TYPE_CHECKING:
    from faps.infrastructure.readmodels.runner import ProjectionRunner

log = logging.getLogger("faps.projections")

REBUILDING = -1  # a projection's stored version while a split rebuild fills it
SUPERSEDED_EXIT = 3
CHECKPOINT_EVERY = 1.0  # seconds between two of SQLite's checkpoints run by the parent


class RebuildError(RuntimeError):
    """A split rebuild did not finish (a worker failed, or another run took it over)."""


@dataclass(frozen=True)
class Plan:
    """What a run rebuilds: its token, the head it stops at, each partition's progress."""

    token: str
    head: int
    positions: tuple[int, ...]
    fresh: bool


def default_workers(setting: int = 0) -> int:
    """Return the worker processes of a split rebuild: the setting, or with 0 the machine's
    cores (at most 4: past that, the database's single writer or the server is the limit)."""
    return setting if setting > 0 else max(1, min(4, os.cpu_count() or 1))


def live_rebuilds(conn: sa.Connection, names: Sequence[str], lease: float) -> set[str]:
    """Return the projections among `names` that a split rebuild is filling right now."""
    recent = datetime.now(tz=UTC) - timedelta(seconds=lease)
    return set(conn.execute(sa.select(t.rebuilds.c.name).distinct().where(
        t.rebuilds.c.name.in_(names), t.rebuilds.c.heartbeat_at > recent)).scalars())


class SplitRebuild:
    """One run of a rebuild split over `parts` worker processes."""

    def __init__(self, runner: ProjectionRunner, names: Sequence[str], parts: int,
                 progress: Callable[[int], None] | None = None) -> None:
        self.runner = runner
        self.names = list(names)
        self.parts = parts
        self.progress = progress
        self.traced_peak = 0  # the largest worker's, when tracemalloc traces (benchmarks)

    def run(self) -> int:
        """Rebuild up to the head, then catch up; return the notifications read.

        If another process started a split rebuild of these projections in the meantime, it
        is waited for instead of superseded (two workers of a web server starting together).
        """
        while (plan := self._claim()) is None:
            wait_for_others(self.runner, self.names)
            if not set(self.names) & set(self.runner.stale()):
                return self.runner.catch_up(names=self.names, progress=self.progress)
        read = self._fork(plan)
        if plan.fresh and read != count_notifications(self.runner.app.recorder, plan.head):
            raise RebuildError("reconstruction : des événements n'ont été lus par aucune "
                               "partition")
        self._finish(plan)
        return read + self.runner.catch_up(names=self.names, progress=self.progress)

    # -- in the parent ----------------------------------------------------------------------
    def _claim(self) -> Plan | None:
        """Resume an abandoned run of these projections, or empty them and start one; None
        if another process's run of any of them is alive."""
        runner, token, now = self.runner, uuid.uuid4().hex, datetime.now(tz=UTC)
        with runner.engine.begin() as conn:
            runner.lock_positions(conn, self.names)
            if live_rebuilds(conn, self.names, runner.lease):
                return None
            found = conn.execute(sa.select(t.rebuilds).where(
                t.rebuilds.c.name.in_(self.names))).mappings().all()
            resumed = self._resumable(conn, found)
            if resumed is not None:
                conn.execute(t.rebuilds.update().where(t.rebuilds.c.name.in_(self.names))
                             .values(token=token, heartbeat_at=now))
                return Plan(token, int(found[0]["head"]), resumed, fresh=False)
            head = runner.app.recorder.max_notification_id() or 0
            for name in self.names:  # the tables first: a batch still open elsewhere ends
                runner.empty(conn, name, REBUILDING)  # before its run's rows are taken
            conn.execute(t.rebuilds.delete().where(t.rebuilds.c.name.in_(self.names)))
            conn.execute(t.rebuilds.insert(), [
                {"name": name, "part": part, "parts": self.parts, "token": token,
                 "version": runner.projections[name].version, "head": head, "position": 0,
                 "heartbeat_at": now}
                for name in self.names for part in range(self.parts)])
            self._apply_shared(conn, head)
        return Plan(token, head, (0,) * self.parts, fresh=True)

    def _resumable(self, conn: sa.Connection,
                   found: Sequence[Any]) -> tuple[int, ...] | None:
        """Return each partition's progress if `found` is one whole run of exactly these
        projections, at their versions, with this number of partitions; else None."""
        stored = dict(conn.execute(sa.select(t.positions.c.name, t.positions.c.version)
                                   .where(t.positions.c.name.in_(self.names))).all())
        if (not found or {r["token"] for r in found} != {found[0]["token"]}
                or {(r["name"], r["part"]) for r in found}
                != {(n, p) for n in self.names for p in range(self.parts)}
                or any(r["parts"] != self.parts for r in found)
                or any(r["version"] != self.runner.projections[r["name"]].version
                       for r in found)  # a run of another version: started over
                or any(stored.get(n) != REBUILDING for n in self.names)):
            return None
        by_part: dict[int, set[int]] = {}
        for r in found:
            by_part.setdefault(r["part"], set()).add(int(r["position"]))
        if any(len(p) != 1 for p in by_part.values()):
            return None
        return tuple(by_part[part].pop() for part in range(self.parts))

    def _apply_shared(self, conn: sa.Connection, head: int) -> None:
        """Apply the events every partition reads (in the transaction that emptied)."""
        chosen = [self.runner.projections[n] for n in self.names]
        shared = sorted(frozenset().union(*(p.shared for p in chosen)))
        after, decode = 0, self.runner.app.mapper.to_domain_event
        while shared and (notes := select_topics(self.runner.app.recorder, after, head,
                                                 self.runner.batch_size, shared)):
            events = [decode(n) for n in notes]
            for projection in chosen:
                mine = [e for e in events if qualname(e) in projection.shared]
                if mine:
                    projection.apply(conn, mine)
            after = notes[-1].id

    def _fork(self, plan: Plan) -> int:
        """Run one worker per partition to the end; return the notifications they read.

        Workers report through shared counters, not messages: a worker killed in the middle
        of a report cannot leave the parent waiting for the rest of it.
        """
        context = multiprocessing.get_context("fork")
        shared = Shared(context.Array("q", self.parts, lock=False),
                        context.Array("q", self.parts, lock=False))
        workers = [context.Process(target=_worker, daemon=True, name=f"faps-rebuild-{part}",
                                   args=(self.runner, self.names, part, self.parts,
                                         plan.positions[part], plan.head, plan.token, shared))
                   for part in range(self.parts)]
        reported, finished, checkpointed = 0, False, time.monotonic()
        try:
            for worker in workers:
                worker.start()
            while True:
                wait([w.sentinel for w in workers], timeout=0.1)
                read = sum(shared.read)
                if self.progress is not None and read > reported:
                    self.progress(read - reported)
                reported = read
                codes = [w.exitcode for w in workers]
                if None not in codes or any(codes):
                    break
                if time.monotonic() - checkpointed > CHECKPOINT_EVERY:
                    self._checkpoint("PASSIVE")
                    checkpointed = time.monotonic()
            finished = True
        finally:
            for worker in workers:
                if not finished or worker.exitcode is None:
                    worker.terminate()  # the parent stopped, or a sibling failed
                worker.join()
            if not finished or any(w.exitcode for w in workers):
                self._abandon(plan)  # once no worker can beat any more
        self.traced_peak = max(shared.peak)
        self._checkpoint("TRUNCATE")
        codes = [w.exitcode for w in workers]
        if SUPERSEDED_EXIT in codes:
            raise RebuildError("reconstruction reprise par un autre processus")
        if any(codes):
            raise RebuildError(f"reconstruction interrompue (codes de sortie des processus : "
                               f"{codes} ; voir leurs messages ci-dessus)")
        return sum(shared.read)

    def _checkpoint(self, mode: str) -> None:
        """On SQLite, copy the log's pages into the database file here, not in the workers.

        A worker's commit would otherwise run the checkpoint while holding the write lock the
        other waits for; at the end the file is emptied (TRUNCATE) once nobody writes.
        """
        if self.runner.engine.dialect.name == "sqlite":
            with self.runner.engine.connect() as conn:
                conn.exec_driver_sql(f"PRAGMA wal_checkpoint({mode})").all()

    def _abandon(self, plan: Plan) -> None:
        """Give up the lease of a run that stopped: the next rebuild resumes it at once."""
        with self.runner.engine.begin() as conn:
            conn.execute(t.rebuilds.update().where(t.rebuilds.c.token == plan.token)
                         .values(heartbeat_at=datetime(1970, 1, 1, tzinfo=UTC)))

    def _finish(self, plan: Plan) -> None:
        """Move the projections to the head and drop the run's rows, if it is still ours."""
        runner = self.runner
        with runner.engine.begin() as conn:
            runner.lock_positions(conn, self.names)
            tokens = set(conn.execute(sa.select(t.rebuilds.c.token).where(
                t.rebuilds.c.name.in_(self.names))).scalars())
            if tokens != {plan.token}:
                raise RebuildError("reconstruction reprise par un autre processus")
            conn.execute(t.rebuilds.delete().where(t.rebuilds.c.name.in_(self.names)))
            for name in self.names:
                conn.execute(t.positions.update().where(t.positions.c.name == name).values(
                    position=plan.head, version=runner.projections[name].version,
                    updated_at=datetime.now(tz=UTC)))


class Superseded(Exception):
    """This run's token is gone: another run took the projections over."""


@dataclass(frozen=True)
class Shared:
    """What the workers tell the parent: notifications read and traced peak memory, each in
    its partition's slot (a 64-bit integer written by one process, read by the parent)."""

    read: Any
    peak: Any


def _worker(runner: ProjectionRunner, names: Sequence[str], part: int, parts: int, after: int,
            head: int, token: str, shared: Shared) -> None:
    """Project one partition from `after` to `head` (in a forked process)."""
    try:
        # The parent's connections stay the parent's: kept referenced, never closed here (a
        # driver closing one would end the parent's session or drop its SQLite locks).
        _INHERITED.append(runner.engine.pool)
        runner.engine.dispose(close=False)
        if runner.engine.dialect.name == "sqlite":
            sa.event.listen(runner.engine, "connect", _no_checkpoint)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's (a web server's)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        gc.freeze()  # what the parent built is not this process's garbage (nor to finalize)
        gc.set_threshold(20_000, 50, 1000)  # batches allocate much and free it all
        if tracemalloc.is_tracing():
            tracemalloc.reset_peak()
        app = runner.app.reopen()
        _project(runner, app, names, part, parts, after, head, token, shared)
        app.close()
        if tracemalloc.is_tracing():
            shared.peak[part] = tracemalloc.get_traced_memory()[1]
    except Superseded:
        raise SystemExit(SUPERSEDED_EXIT) from None
    except KeyboardInterrupt:  # Ctrl-C reached the whole group: the parent says it
        raise SystemExit(1) from None
    except BaseException:
        log.exception("rebuild worker %s/%s stopped", part + 1, parts)
        raise SystemExit(1) from None


_INHERITED: list[Any] = []  # in a worker: the parent's connection pool, never released


def _no_checkpoint(dbapi_connection: Any, _record: Any) -> None:
    """Leave SQLite's checkpoints to the parent (see `SplitRebuild._checkpoint`)."""
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def _project(runner: ProjectionRunner, app: Any, names: Sequence[str], part: int, parts: int,
             after: int, head: int, token: str, shared: Shared) -> None:
    chosen: list[Projection] = [runner.projections[n] for n in names]
    wanted = frozenset().union(*(p.handles - p.shared for p in chosen))
    mine = (t.rebuilds.c.name.in_(names), t.rebuilds.c.part == part,
            t.rebuilds.c.token == token)
    size, decode = runner.batch_size, app.mapper.to_domain_event
    parent = os.getppid()
    while after < head:
        if os.getppid() != parent:  # the parent was killed: stop, a later rebuild resumes
            raise SystemExit(1)
        notes = select_partition(app.recorder, after, head, size, part, parts)
        if not notes:
            break
        events = [decode(n) for n in notes if n.topic.rpartition(":")[2] in wanted]
        with runner.engine.begin() as conn:
            index_lookups(conn)
            for projection in chosen:
                own = projection.handles - projection.shared  # shared: applied at the claim
                batch = [e for e in events if qualname(e) in own]
                if batch:
                    projection.apply(conn, batch)
            moved = conn.execute(t.rebuilds.update().where(*mine, t.rebuilds.c.position == after)
                                 .values(position=notes[-1].id,
                                         heartbeat_at=datetime.now(tz=UTC)))
            if moved.rowcount != len(names):
                raise Superseded()
        shared.read[part] += len(notes)
        after = notes[-1].id
        if len(notes) < size:
            break
    _touch(runner.engine, mine)


def _touch(engine: sa.Engine, mine: tuple[Any, ...]) -> None:
    """Refresh the heartbeat at the end (a partition may have had nothing to read)."""
    with engine.begin() as conn:
        if not conn.execute(t.rebuilds.update().where(*mine).values(
                heartbeat_at=datetime.now(tz=UTC))).rowcount:
            raise Superseded()


def wait_for_others(runner: ProjectionRunner, names: Sequence[str]) -> None:
    """Wait while another process's split rebuild of these projections is alive."""
    while True:
        with runner.engine.connect() as conn:
            if not live_rebuilds(conn, names, runner.lease):
                return
        time.sleep(0.2)
