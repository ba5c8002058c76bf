"""What follows the log in this process: the read models, the audit seal and the mail outbox.

The process that saves brings the read models up to its own write before it answers (read your
own writes). The audit chain's seal and the mail outbox, which nobody waits for, follow in a
background thread when one runs (each web process starts one, see `Background`): the request
only wakes it. Without one (the CLI, the demo, the tests) they catch up inline.

Outside a unit of work that happens after every save. Inside one (a web request, the demo, a
batch command) the saves only note how far they wrote, and the followers catch up once
when the outermost unit of work ends: a request that saves three aggregates pays for one
catch-up, not three, and a command's latency holds only the event store's own transaction.
Every follower records its own position in the log, so a catch-up that fails (or a process that
dies before it) loses nothing: the next catch-up, here or in `faps projections follow`, resumes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from faps.infrastructure.audit_chain import AuditChain
from faps.infrastructure.mailing import Mailer
from faps.infrastructure.readmodels.runner import ProjectionRunner

log = logging.getLogger("faps.followers")


class Followers:
    """The read models, the audit chain and the outbox, brought up to this process's writes."""

    def __init__(self, projections: ProjectionRunner, chain: AuditChain, mailer: Mailer,
                 behind: Sequence[str] = ("history",)) -> None:
        self.projections = projections
        self.chain = chain
        self.mailer = mailer
        # The read models nobody reads right after their click (the dated versions of the
        # history: the fund as of a date brings them up before reading): followed with the seal
        # and the outbox. The others are brought up before the response.
        self.behind = [n for n in projections.projections if n in behind]
        self.awaited = [n for n in projections.projections if n not in behind]
        self._local = threading.local()
        self.background: Background | None = None

    def on_saved(self, recordings: Sequence[Any]) -> None:
        """Catch up after a save, or note the write until the unit of work ends."""
        if not recordings:
            return
        written = max(r.notification.id for r in recordings)
        if getattr(self._local, "depth", 0):
            self._local.written = max(getattr(self._local, "written", 0), written)
            self._keep(recordings)
            return
        self.catch_up(written, recordings)

    def begin(self) -> None:
        """Open a unit of work in this thread (they nest)."""
        self._local.depth = getattr(self._local, "depth", 0) + 1

    def end(self, failed: bool = False) -> None:
        """Close a unit of work; the outermost catches up with every save made inside.

        After a failed block the catch-up still runs (what was saved is saved), but its own
        error is logged instead of hiding the block's.
        """
        self._local.depth -= 1
        if self._local.depth:
            return
        written, self._local.written = getattr(self._local, "written", 0), 0
        recent, self._local.recent, self._local.overflow = self._recent(), [], False
        if not written:
            return
        if not failed:
            self.catch_up(written, recent)
            return
        try:
            self.catch_up(written, recent)
        except Exception:
            log.exception("followers: catch-up after a failed unit of work")

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """Defer the catch-up of every save made inside to the end of the outermost block."""
        self.begin()
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            self.end(failed)

    def _recent(self) -> list[Any]:
        """Return the recordings this thread's unit of work saved and has not followed yet."""
        if not hasattr(self._local, "recent"):
            self._local.recent, self._local.overflow = [], False
        return self._local.recent  # type: ignore[no-any-return]

    def _keep(self, recordings: Sequence[Any]) -> None:
        """Keep a unit of work's recordings, up to one batch of the runner: a larger unit of
        work (the demo, a batch) is followed from the log, and holds no events in memory."""
        recent = self._recent()
        if self._local.overflow:
            return
        if len(recent) + len(recordings) > self.projections.batch_size:
            recent.clear()
            self._local.overflow = True
            return
        recent.extend(recordings)

    def catch_up(self, written: int | None = None, recent: Sequence[Any] = ()) -> None:
        """Bring the read models up (at least to `written`); then the seal and the outbox, or
        wake the background thread that follows them. `recent`: the recordings saved (their
        events are applied as saved when nothing else was written in between)."""
        self.projections.catch_up(until=written, names=self.awaited, recent=recent)
        if self.background is not None and self.background.alive():
            self.background.wake()
        else:
            self.follow_unawaited()

    def follow_unawaited(self) -> None:
        """Bring the history up, seal the new events and queue (maybe send) their mails."""
        self.history_up_to_date()
        self.chain.catch_up()
        self.mailer.after_save(())

    def start_background(self, interval: float = 5.0) -> Background:
        """Follow the seal and the outbox in a thread of this process from now on (one thread:
        several applications may serve one faps, and closing it stops the one it knows)."""
        if self.background is None or not self.background.alive():
            self.background = Background(self.follow_unawaited, interval)
            self.background.start()
        return self.background

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until the background thread has followed every write made so far (tests)."""
        return self.background.settle(timeout) if self.background else True

    def pending(self) -> int:
        """Return the highest notification id this thread wrote but has not caught up yet."""
        return int(getattr(self._local, "written", 0))

    def read_your_writes(self) -> None:
        """Before reading read models inside a unit of work, apply this thread's writes."""
        written = self.pending()
        if written:
            self.projections.catch_up(until=written, names=self.awaited, recent=self._recent())

    def history_up_to_date(self) -> None:
        """Bring the read models that follow behind (the history) up to the log."""
        if self.behind:
            self.projections.catch_up(names=self.behind)


class Background:
    """A daemon thread running `work` when woken, and every `interval` seconds besides.

    Every follower it runs records its own position in the database, so a process that dies
    with work pending loses nothing: the next process (or `faps projections follow`) resumes.
    """

    def __init__(self, work: Callable[[], None], interval: float = 5.0,
                 gather: float = 0.1) -> None:
        # `gather`: once woken, wait that long for the next requests' writes, so that a busy
        # process seals and mails them in one transaction instead of one per request.
        self.work, self.interval, self.gather = work, interval, gather
        self._wake, self._stop = threading.Event(), threading.Event()
        self._done = threading.Condition()
        self._asked, self._ran = 1, 0  # the first catch-up, at start, is asked for
        self._thread = threading.Thread(target=self._loop, name="faps-followers", daemon=True)

    def start(self) -> None:
        """Start the thread; it first catches up with what earlier processes left."""
        self._thread.start()

    def alive(self) -> bool:
        """Tell whether the thread runs."""
        return self._thread.is_alive() and not self._stop.is_set()

    def wake(self) -> None:
        """Ask for a catch-up (returns at once)."""
        with self._done:
            self._asked += 1
        self._wake.set()

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until a catch-up started after the last `wake` has ended."""
        with self._done:
            asked = self._asked
            return self._done.wait_for(lambda: self._ran >= asked or not self.alive(), timeout)

    def stop(self) -> None:
        """Stop after the current catch-up; wait a moment for it."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before reading `asked`: a later wake runs the loop again
            with self._done:
                asked = self._asked
            try:
                self.work()
            except Exception:  # a database hiccup: the positions are kept, try again later
                log.exception("followers: background catch-up failed")
            with self._done:
                self._ran = asked
                self._done.notify_all()
            if self._wake.wait(self.interval):
                self._stop.wait(self.gather)
