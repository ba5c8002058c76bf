"""Verification at read speed on SQLite: the sealed part of the log checked range by range.

The reference walk (faps.infrastructure.audit_walk) decodes every notification through the
event store and recomputes the chain one link after the other. Every stored link up to the
chain's end can instead be checked against the link stored before it: if each event's link,
recomputed from the previous *stored* link and the event's stored bytes, is its stored link,
then by induction from the genesis link the recomputed chain is the stored chain. So the sealed
part of the log splits into ranges of positions that processes check at once, each starting
from the link stored just before its range, reading raw rows (no decoding, no event objects)
of the events and of the links side by side.

A range is clean when its events and its links have the same positions, one for one, and every
link is recomputed. When every range is clean, the events after the chain's end (not yet
sealed, or appended during the check) go through the reference walk from the chain's end. When
any range is not, this scan proves nothing and the caller runs the reference walk over the
whole log, which names the first break exactly as it always has.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import sqlite3
import struct
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from faps.domain.hash_chain import GENESIS, NotificationReader, Seal, Walk
from faps.infrastructure.audit_walk import walk_chain

FETCH = 5000
MIN_RANGE = 50_000  # events a process is worth forking for
CHAIN_TABLE = "faps_audit_chain"


@dataclass(frozen=True)
class RangeCheck:
    """What one range of positions gave: events read, whether all matched, the wanted heads."""

    events: int
    clean: bool
    heads: dict[int, str] = field(default_factory=dict)


def check_range(path: str, events_table: str, start: int, stop: int,
                wanted: Sequence[int]) -> RangeCheck:
    """Check the events at positions start..stop against their stored links."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    collecting = gc.isenabled()
    gc.disable()  # rows make no cycles: no collection of the caller's heap every 700 of them
    try:
        return _check(db, events_table, start, stop, frozenset(wanted))
    except (ValueError, TypeError, AttributeError, struct.error):  # a row rewritten by hand:
        return RangeCheck(0, False)  # the reference walk tells what it is
    finally:
        db.close()
        if collecting:
            gc.enable()


def _check(db: sqlite3.Connection, events_table: str, start: int, stop: int,
           wanted: frozenset[int]) -> RangeCheck:
    db.execute("BEGIN")  # one snapshot for the previous link, the events and their links
    row = db.execute(f"SELECT link FROM {CHAIN_TABLE} WHERE position < ? "
                     "ORDER BY position DESC LIMIT 1", (start,)).fetchone()
    previous = bytes.fromhex(row[0] if row else GENESIS)
    events = db.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                        f"FROM {events_table} WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                        (start, stop))
    links = db.execute(f"SELECT position, link FROM {CHAIN_TABLE} "
                       "WHERE position BETWEEN ? AND ? ORDER BY position", (start, stop))
    sha256, count, heads = hashlib.sha256, 0, {}
    ids: dict[Any, bytes] = {}  # stored id -> its bytes as the event store reads it
    headers: dict[Any, tuple[bytes, Any]] = {}  # topic -> its bytes and the header's layout
    while rows := events.fetchmany(FETCH):
        stored = links.fetchmany(len(rows))
        if len(stored) != len(rows):  # an event without its link
            return RangeCheck(count, False)
        for (position, oid, version, topic, state), (sealed, link) in zip(rows, stored,
                                                                          strict=True):
            o = ids.get(oid)
            if o is None:  # str(UUID(text)): always 36 characters
                o = ids[oid] = str(UUID(oid)).encode()
            known = headers.get(topic)
            if known is None:
                if type(topic) is not str:  # rewritten by hand
                    return RangeCheck(count, False)
                t = topic.encode()
                known = headers[topic] = (t, struct.Struct(f">QI36sQI{len(t)}sQ").pack)
            if sealed != position or type(state) is not bytes:  # a link without its event
                return RangeCheck(count, False)
            t, pack = known
            digest = sha256(b"".join((previous, pack(position, 36, o, version, len(t), t,
                                                     len(state)), state))).digest()
            if digest.hex() != link:
                return RangeCheck(count, False)
            previous = digest
            if position in wanted:
                heads[position] = link
        count += len(rows)
    clean = links.fetchone() is None  # no link left without its event
    db.rollback()
    return RangeCheck(count, clean, heads)


def ranges(first: int, last: int, parts: int) -> list[tuple[int, int]]:
    """Split positions first..last into `parts` ranges of about the same length."""
    size = -(-(last - first + 1) // parts)
    return [(a, min(a + size - 1, last)) for a in range(first, last + 1, size)]


class LogScan:
    """The fast verification of a SQLite store whose events and links share one file."""

    def __init__(self, path: str, events_table: str, workers: int = 0) -> None:
        self.path, self.events_table = path, events_table
        self.workers = workers  # 0: one per idle core (see idle_cores)

    def chain_end(self) -> Seal:
        """Return the last stored link (position 0 and the genesis link if none)."""
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            row = db.execute(f"SELECT position, link FROM {CHAIN_TABLE} "
                             "ORDER BY position DESC LIMIT 1").fetchone()
        finally:
            db.close()
        return Seal(int(row[0]), str(row[1])) if row else Seal(0, GENESIS)

    def walk(self, positions: Collection[int], select: NotificationReader,
             stored_links: Callable[[int], Iterator[Any]]) -> Walk | None:
        """Return the walk of the whole log, or None if a range is not clean."""
        end = self.chain_end()
        wanted = sorted(set(positions))
        checks = self._check_all(end.position, wanted) if end.position else []
        if not all(check.clean for check in checks):
            return None
        tail = walk_chain(select, stored_links, [p for p in wanted if p > end.position],
                          after=end)
        heads = {p: h for check in checks for p, h in check.heads.items()}
        return Walk(tail.seal, tail.mismatch, sum(c.events for c in checks) + tail.events,
                    tail.sealed, tail.unsealed, {**heads, **tail.heads})

    def _check_all(self, last: int, wanted: list[int]) -> list[RangeCheck]:
        parts = max(1, min(self.workers or idle_cores(), last // MIN_RANGE))
        spans = ranges(1, last, parts)
        jobs = [(self.path, self.events_table, a, b, [p for p in wanted if a <= p <= b])
                for a, b in spans]
        if parts == 1:
            return [check_range(*jobs[0])]
        with multiprocessing.get_context("fork").Pool(parts) as pool:
            return pool.starmap(check_range, jobs)


def idle_cores() -> int:
    """Return how many processes the ranges may use: the cores the load leaves idle (1 to 4).

    On a busy machine the kernel shares the CPU between sessions, not processes: more
    processes would only add their start to the same share.
    """
    cores = os.cpu_count() or 1
    return max(1, min(4, round(cores - os.getloadavg()[0])))


def log_scan(engine: Any, recorder: Any) -> LogScan | None:
    """Return the fast scan when the events and the links are in the same SQLite file."""
    pool = getattr(getattr(recorder, "datastore", None), "pool", None)
    events_file = getattr(pool, "db_name", None)
    links_file = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not events_file or not links_file or ":memory:" in (events_file, links_file):
        return None
    if Path(events_file).resolve() != Path(links_file).resolve():
        return None
    return LogScan(str(Path(events_file).resolve()), recorder.events_table_name)
