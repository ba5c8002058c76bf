"""Verification of the audit seal: walk every stored event, recompute its link, compare.

The walk goes through the whole log, not just the stored chain: a stored link must exist for
every event up to the chain's end and match the recomputed one; events past the chain's end
(a chain truncated, or behind the log) are still recomputed and counted, and the heads at the
positions asked for (the seals recorded by exports) are kept so that they can be compared.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import Any

from faps.domain.hash_chain import (
    GENESIS,
    Mismatch,
    NotificationReader,
    Seal,
    Walk,
    next_link,
    read_log,
)

START = Seal(0, GENESIS)  # the walk from the log's first event


def follow(read: Callable[[int], Iterator[Any]], key: Callable[[Any], int],
           last: int = 0) -> Iterator[Any]:
    """Yield `read(last + 1)`, then read again after the last item until nothing more comes.

    A second read catches what was appended while the first one ran, so that an event saved
    and sealed during a verification is not taken for a deleted or an unsealed one.
    """
    while True:
        found = False
        for item in read(last + 1):
            found, last = True, key(item)
            yield item
        if not found:
            return


class Walker:
    """Compare the log, event by event, with the stored links."""

    def __init__(self, log: Iterator[Any], links: Iterator[Any], positions: Collection[int],
                 after: Seal = START):
        self.log, self.links, self.wanted = log, links, set(positions)
        self.stored = next(links, None)
        self.previous, self.position = after.head, after.position
        self.events = self.unsealed = 0
        self.sealed = after.position
        self.heads: dict[int, str] = {}

    def walk(self) -> Walk:
        """Go through the whole log; stop at the first event that does not match."""
        for notification in self.log:
            mismatch = self.step(notification)
            if mismatch is not None:
                return self.result(mismatch)
        if self.stored is not None:  # links beyond the log's last event
            return self.result(deleted(self.stored))
        return self.result(None)

    def step(self, notification: Any) -> Mismatch | None:
        """Recompute one event's link; return why it breaks the chain, if it does."""
        stored = self.stored
        if stored is not None and stored.position < notification.id:
            return deleted(stored)
        link = next_link(self.previous, notification)
        if stored is not None and stored.position == notification.id:
            if link != stored.link:
                return mismatch(notification, "contenu modifié ou déplacé")
            self.sealed, self.stored = notification.id, next(self.links, None)
        elif stored is not None:
            return mismatch(notification, "événement inséré dans le journal")
        else:
            self.unsealed += 1
        self.previous, self.position, self.events = link, notification.id, self.events + 1
        if notification.id in self.wanted:
            self.heads[notification.id] = link
        return None

    def result(self, found: Mismatch | None) -> Walk:
        """Return what the walk found so far."""
        return Walk(Seal(self.position, self.previous), found, self.events, self.sealed,
                    self.unsealed, self.heads)


def deleted(stored: Any) -> Mismatch:
    """Return the break of a stored link whose event is no longer in the log."""
    return Mismatch(stored.position, stored.originator_id, stored.originator_version,
                    stored.topic, "événement supprimé du journal")


def mismatch(notification: Any, reason: str) -> Mismatch:
    """Return the break at an event of the log."""
    return Mismatch(notification.id, str(notification.originator_id),
                    notification.originator_version, notification.topic, reason)


def walk_chain(select: NotificationReader, stored_links: Callable[[int], Iterator[Any]],
               positions: Collection[int] = (), after: Seal = START) -> Walk:
    """Recompute the chain over the whole log, compare it with the stored links.

    `positions` are the positions whose recomputed heads the result keeps (recorded seals).
    `after`: a link already checked (by faps.infrastructure.audit_scan), the walk goes on
    from the next position; `events` then counts only the events after it.
    """
    log = follow(lambda start: read_log(select, start), lambda n: int(n.id), after.position)
    links = follow(stored_links, lambda row: int(row.position), after.position)
    return Walker(log, links, positions, after).walk()
