"""Background jobs: long work (the audit log's download) taken out of the web request.

A job is a row of `faps_jobs`. Any process may run it: the web process's job thread, another
gunicorn worker's, or `faps jobs run`. A job is claimed by one conditional UPDATE (queued →
running, or running with a heartbeat older than STALE: its process died), so two processes never
run the same job. The file is written under `<instance>/jobs/`, kept until `expires_at`, then
deleted; a mail tells the requester it is ready.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from faps.infrastructure.schema import create_tables

log = logging.getLogger("faps.jobs")
STALE = timedelta(minutes=5)  # a running job not heard of since: its process died, run it again
HEARTBEAT_EVERY = 2000  # lines written between two progress updates

metadata = sa.MetaData()
jobs = sa.Table(
    "faps_jobs", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("requester_id", sa.String(36), nullable=False),
    sa.Column("requester_email", sa.String(254), nullable=False),
    sa.Column("parameters", sa.Text, nullable=False, default="{}"),
    sa.Column("state", sa.String(10), nullable=False, index=True),
    sa.Column("done", sa.BigInteger, nullable=False, default=0),
    sa.Column("total", sa.BigInteger, nullable=False, default=0),
    sa.Column("file_name", sa.String(200), nullable=False, default=""),
    sa.Column("error", sa.Text, nullable=False, default=""),
    sa.Column("claimed_by", sa.String(120), nullable=False, default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class Job:
    """A job as its page shows it."""

    id: str
    kind: str
    requester_id: str
    requester_email: str
    parameters: dict[str, Any]
    state: str
    done: int
    total: int
    file_name: str
    error: str
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None

    @property
    def percent(self) -> int:
        """Return how far it went, 0 to 100."""
        if self.state == DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


# A job's work: (job, file to write, progress(done, total)) → the file name offered.
Work = Callable[[Job, Path, Callable[[int, int], None]], str]
Notify = Callable[[sa.Connection, Job, datetime], None]


def _job(row: Any) -> Job:
    return Job(row.id, row.kind, row.requester_id, row.requester_email,
               json.loads(row.parameters or "{}"), row.state, int(row.done), int(row.total),
               row.file_name, row.error, as_utc(row.created_at),
               row.finished_at and as_utc(row.finished_at),
               row.expires_at and as_utc(row.expires_at))


class JobQueue:
    """The jobs table, the files and the runner of one process."""

    def __init__(self, engine: sa.Engine, folder: Path, clock: Any, keep: timedelta) -> None:
        self.engine, self.folder, self.clock, self.keep = engine, folder, clock, keep
        self.works: dict[str, Work] = {}
        self.notify: Notify | None = None
        self.after_run: Callable[[], None] | None = None  # e.g. send the mail just queued
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        create_tables(engine, metadata)

    # -- asking and reading ---------------------------------------------------------------
    def submit(self, kind: str, requester_id: str, requester_email: str,
               parameters: dict[str, Any]) -> str:
        """Queue a job; return its id."""
        job_id = str(uuid.uuid4())
        with self.engine.begin() as conn:
            conn.execute(jobs.insert().values(
                id=job_id, kind=kind, requester_id=requester_id, requester_email=requester_email,
                parameters=json.dumps(parameters), state=QUEUED, done=0, total=0, file_name="",
                error="", claimed_by="", created_at=self.clock.now()))
        return job_id

    def get(self, job_id: str) -> Job | None:
        """Return a job, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
        return _job(row) if row is not None else None

    def path(self, job: Job) -> Path:
        """Return where a job's file is written."""
        return self.folder / f"{job.id}.part"

    def available(self, job: Job) -> bool:
        """Tell whether a job's file may still be downloaded."""
        return (job.state == DONE and job.expires_at is not None
                and as_utc(job.expires_at) > self.clock.now() and self.path(job).exists())

    # -- running --------------------------------------------------------------------------
    def claim(self) -> Job | None:
        """Take the oldest job waiting (or abandoned), for this process alone."""
        for _attempt in range(20):  # another process took the one we picked: pick again
            now = self.clock.now()
            claimable = sa.or_(jobs.c.state == QUEUED, sa.and_(
                jobs.c.state == RUNNING, jobs.c.heartbeat_at < now - STALE))
            with self.engine.begin() as conn:
                found = conn.execute(sa.select(jobs.c.id).where(claimable)
                                     .order_by(jobs.c.created_at).limit(1)).first()
                if found is None:
                    return None
                # The condition again: of two processes that picked the job, one updates it.
                taken = conn.execute(jobs.update().where(jobs.c.id == found.id, claimable)
                                     .values(state=RUNNING, claimed_by=self.me,
                                             heartbeat_at=now)).rowcount
            if taken == 1:
                return self.get(found.id)
        return None

    def run_one(self) -> bool:
        """Run one job if any is waiting; return whether one ran."""
        self.purge()
        job = self.claim()
        if job is None:
            return False
        target = self.path(job)
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            name = self.works[job.kind](job, target, lambda d, t: self._progress(job, d, t))
        except Exception as exc:  # the job fails, the runner goes on with the next
            log.exception("job %s (%s) failed", job.id, job.kind)
            target.unlink(missing_ok=True)
            self._finish(job, FAILED, error=f"erreur inattendue ({type(exc).__name__}), "
                         "consignée dans le journal du serveur")
            self._after()
            return True
        self._finish(job, DONE, file_name=name)
        self._after()
        return True

    def _after(self) -> None:
        if self.after_run is not None:
            try:
                self.after_run()
            except Exception:  # the mail stays queued for `faps mail send`
                log.exception("job: sending the mail failed")

    def _progress(self, job: Job, done: int, total: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job.id, jobs.c.claimed_by == self.me)
                         .values(done=done, total=total, heartbeat_at=self.clock.now()))

    def _finish(self, job: Job, state: str, file_name: str = "", error: str = "") -> None:
        now = self.clock.now()
        with self.engine.begin() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job.id).values(
                state=state, file_name=file_name, error=error, finished_at=now,
                heartbeat_at=now, expires_at=now + self.keep if state == DONE else None))
            finished = self.get_in(conn, job.id)
            if self.notify is not None and finished is not None:
                self.notify(conn, finished, now)

    @staticmethod
    def get_in(conn: sa.Connection, job_id: str) -> Job | None:
        """Return a job read on a connection."""
        row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
        return _job(row) if row is not None else None

    def purge(self) -> int:
        """Delete the files of expired jobs; return how many."""
        now = self.clock.now()
        with self.engine.begin() as conn:
            expired = [r.id for r in conn.execute(sa.select(jobs.c.id).where(
                jobs.c.state == DONE, jobs.c.expires_at <= now))]
            if expired:
                conn.execute(jobs.update().where(jobs.c.id.in_(expired))
                             .values(state="expired"))
        for job_id in expired:
            (self.folder / f"{job_id}.part").unlink(missing_ok=True)
        return len(expired)


def as_utc(moment: datetime) -> datetime:
    """Return a moment read back from SQLite (naive, UTC) as an aware one."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class JobThread:
    """Runs the queue's jobs in a daemon thread of the serving process (`make run` alone)."""

    def __init__(self, queue: JobQueue, every: float = 2.0) -> None:
        self.queue, self.every = queue, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.loop, name="faps-jobs", daemon=True)

    def start(self) -> None:
        """Start polling the queue (once: several applications may serve one faps)."""
        if not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop after its current job, and wait a moment for it."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def loop(self) -> None:
        """Run jobs until stopped (the thread's body; `faps jobs run` calls it directly)."""
        while not self._stop.is_set():
            try:
                ran = self.queue.run_one()
            except Exception:  # a database hiccup: try again at the next tick
                log.exception("job thread: claiming failed")
                ran = False
            if not ran:
                self._stop.wait(self.every)
