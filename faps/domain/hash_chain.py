"""The audit seal's hash chain, pure: each link seals one stored event after the previous link.

link_n = SHA-256(link_{n-1} || canonical bytes of stored event n), link_0 = 32 zero bytes.
The canonical bytes are length-prefixed, so no two different events share them. Where the links
are kept (faps.infrastructure.audit_chain) and how the log is read are the infrastructure's.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

GENESIS = "0" * 64
BATCH = 1000


def canonical_bytes(notification_id: int, originator_id: UUID | str, version: int, topic: str,
                    state: bytes) -> bytes:
    """Return the bytes of a stored event that its link seals."""
    oid = str(originator_id).encode()
    if not isinstance(state, bytes | bytearray | memoryview):
        state = str(state).encode()  # a value rewritten as text by hand still gets compared
    state = bytes(state)
    tpc = topic.encode()
    return b"".join((
        struct.pack(">Q", notification_id), struct.pack(">I", len(oid)), oid,
        struct.pack(">Q", version), struct.pack(">I", len(tpc)), tpc,
        struct.pack(">Q", len(state)), state,
    ))


def next_link(previous: str, notification: Any) -> str:
    """Return the link sealing a notification after the previous link."""
    data = canonical_bytes(notification.id, notification.originator_id,
                           notification.originator_version, notification.topic,
                           notification.state)
    return hashlib.sha256(bytes.fromhex(previous) + data).hexdigest()


@dataclass(frozen=True)
class Seal:
    """The chain's head: the last sealed notification id and its link."""

    position: int
    head: str

    def label(self) -> str:
        """Return the seal as printed on exports."""
        return f"Sceau d'audit : position {self.position}, empreinte SHA-256 {self.head}"


@dataclass(frozen=True)
class Mismatch:
    """The first stored event that does not match the chain."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    reason: str


@dataclass(frozen=True)
class Walk:
    """What a verification found: recomputed head, first break, sealed and unsealed events.

    `sealed` is the position of the last event found sealed by a matching stored link; `heads`
    the recomputed links at the positions asked for (the seals recorded by exports and the
    signed checkpoints), to be compared with them.
    """

    seal: Seal
    mismatch: Mismatch | None
    events: int
    sealed: int
    unsealed: int
    heads: dict[int, str] = field(default_factory=dict)


NotificationReader = Callable[[int, int], Any]


def read_log(select: NotificationReader, start: int = 1,
             stop: int | None = None) -> Iterator[Any]:
    """Yield every notification from `start` (up to `stop`), in batches."""
    while True:
        batch = select(start, BATCH)
        for notification in batch:
            if stop is not None and notification.id > stop:
                return
            yield notification
        if len(batch) < BATCH:
            return
        start = batch[-1].id + 1


def fold(notifications: Iterable[Any], previous: str = GENESIS) -> Seal:
    """Return the seal of a sequence of notifications."""
    position = 0
    for notification in notifications:
        previous = next_link(previous, notification)
        position = notification.id
    return Seal(position, previous)


class LogFileError(ValueError):
    """An exported log that does not hold together: what is wrong and where, in French."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message, self.line = message, line
