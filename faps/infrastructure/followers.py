"""What follows the log in this process: the read models, the audit seal and the mail outbox.

The process that saves brings them up to its own write before it answers (read your own
writes). Outside a unit of work that happens after every save. Inside one (a web request, the
demo, a batch command) the saves only note how far they wrote, and the followers catch up once
when the outermost unit of work ends: a request that saves three aggregates pays for one
catch-up, not three, and a command's latency holds only the event store's own transaction.
Every follower records its own position in the log, so a catch-up that fails (or a process that
dies before it) loses nothing: the next catch-up, here or in `faps projections follow`, resumes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from faps.infrastructure.audit_chain import AuditChain
from faps.infrastructure.mailing import Mailer
from faps.infrastructure.readmodels.runner import ProjectionRunner

log = logging.getLogger("faps.followers")


class Followers:
    """The read models, the audit chain and the outbox, brought up to this process's writes."""

    def __init__(self, projections: ProjectionRunner, chain: AuditChain, mailer: Mailer) -> None:
        self.projections = projections
        self.chain = chain
        self.mailer = mailer
        self._local = threading.local()

    def on_saved(self, recordings: Sequence[Any]) -> None:
        """Catch up after a save, or note the write until the unit of work ends."""
        if not recordings:
            return
        written = max(r.notification.id for r in recordings)
        if getattr(self._local, "depth", 0):
            self._local.written = max(getattr(self._local, "written", 0), written)
            return
        self.catch_up(written)

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
        if not written:
            return
        if not failed:
            self.catch_up(written)
            return
        try:
            self.catch_up(written)
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

    def catch_up(self, written: int | None = None) -> None:
        """Bring the read models (at least up to `written`), the seal and the outbox up."""
        self.projections.catch_up(until=written)
        self.chain.catch_up()
        self.mailer.after_save(())

    def pending(self) -> int:
        """Return the highest notification id this thread wrote but has not caught up yet."""
        return int(getattr(self._local, "written", 0))

    def read_your_writes(self) -> None:
        """Before reading read models inside a unit of work, apply this thread's writes."""
        written = self.pending()
        if written:
            self.projections.catch_up(until=written)
