"""The fast verification on SQLite finds what the reference walk finds, split over processes.

Each story seals a log of 300 events, forges it the way someone with write access to the file
could, and compares the walk of `AuditChain.walk` (ranges checked by forked processes, then the
tail) with the reference walk that recomputes every link one after the other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faps.application.app import FapsApplication
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierContent
from faps.domain.hash_chain import Walk
from faps.infrastructure import audit_scan
from faps.infrastructure.audit_chain import AuditChain, audit_chain
from faps.infrastructure.audit_walk import walk_chain
from faps.infrastructure.stores import make_engine, store_config
from faps.infrastructure.transcodings import faps_transcodings
from tests.support import content

WANTED = (1, 99, 100, 101, 217, 300)


def save_dossiers(app: FapsApplication, count: int) -> None:
    """Save dossiers of 10 events each (a draft and nine notes)."""
    at = datetime(2024, 1, 1, tzinfo=UTC)
    body = DossierContent.model_validate(content())
    for _ in range(count):
        dossier = Dossier.draft(SYSTEM_ACTOR, "77258", body, at)
        for n in range(9):
            dossier.trigger_event(Dossier.NoteAdded, actor=SYSTEM_ACTOR, text=f"note {n}",
                                  timestamp=at)
        app.save(dossier)


class Sealed:
    """A sealed SQLite log, its chain, and SQL run on its file as a forger would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        store = store_config(f"sqlite:///{path}")
        self.app = FapsApplication(env=store.event_env, transcodings=faps_transcodings())
        self.engine = make_engine(store)
        save_dossiers(self.app, 30)
        self.chain: AuditChain = audit_chain(self.engine, self.app)
        self.chain.catch_up()

    def sql(self, statement: str, *params: object) -> None:
        with sqlite3.connect(self.path) as conn:
            conn.execute(statement, params)

    def reference(self) -> Walk:
        return walk_chain(self.chain.select, self.chain.stored_links, WANTED)


@pytest.fixture
def sealed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sealed]:
    monkeypatch.setattr(audit_scan, "MIN_RANGE", 50)  # 300 events: three ranges, three processes
    log = Sealed(tmp_path / "faps.sqlite3")
    assert log.chain.scan is not None
    log.chain.scan.workers = 3
    yield log
    log.app.close()
    log.engine.dispose()


def test_an_intact_log_is_checked_by_ranges_with_the_same_result(sealed: Sealed) -> None:
    assert sealed.chain.scan is not None
    fast = sealed.chain.scan.walk(WANTED, sealed.chain.select, sealed.chain.stored_links)
    assert fast is not None and fast.mismatch is None
    assert fast == sealed.reference()
    assert fast.events == fast.sealed == 300 and fast.unsealed == 0
    assert sorted(fast.heads) == list(WANTED)


def test_events_not_yet_sealed_are_walked_after_the_chain_end(sealed: Sealed) -> None:
    save_dossiers(sealed.app, 2)
    walk = sealed.chain.walk(WANTED)
    assert walk == sealed.reference()
    assert (walk.events, walk.sealed, walk.unsealed) == (320, 300, 20)


def test_ranges_split_the_log_without_gap_or_overlap() -> None:
    assert audit_scan.ranges(1, 300, 3) == [(1, 100), (101, 200), (201, 300)]
    assert audit_scan.ranges(1, 7, 3) == [(1, 3), (4, 6), (7, 7)]


FORGERIES: dict[str, Callable[[Sealed], None]] = {
    "a state rewritten": lambda log: log.sql(
        "UPDATE stored_events SET state = CAST(replace(state, 'note 4', 'note 5') AS BLOB) "
        "WHERE rowid = 156"),
    "an event deleted": lambda log: log.sql("DELETE FROM stored_events WHERE rowid = 120"),
    "the last event deleted": lambda log: log.sql("DELETE FROM stored_events WHERE rowid = 300"),
    "a link deleted": lambda log: log.sql("DELETE FROM faps_audit_chain WHERE position = 42"),
    "a link rewritten": lambda log: log.sql(
        "UPDATE faps_audit_chain SET link = upper(link) WHERE position = 201"),
    "a link after the log": lambda log: log.sql(
        "INSERT INTO faps_audit_chain SELECT 301, originator_id, originator_version, topic, link "
        "FROM faps_audit_chain WHERE position = 300"),
    "an event moved to another aggregate": lambda log: log.sql(
        "UPDATE stored_events SET originator_id = 'ffffffffffffffffffffffffffffffff' "
        "WHERE rowid = 9"),
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_log_gets_the_reference_walk_and_its_first_break(
        sealed: Sealed, forge: Callable[[Sealed], None]) -> None:
    forge(sealed)
    assert sealed.chain.scan is not None
    assert sealed.chain.scan.walk(WANTED, sealed.chain.select, sealed.chain.stored_links) is None
    walk = sealed.chain.walk(WANTED)
    assert walk.mismatch is not None
    assert walk == sealed.reference()


def test_a_state_stored_again_as_the_same_text_is_left_to_the_reference_walk(
        sealed: Sealed) -> None:
    sealed.sql("UPDATE stored_events SET state = CAST(state AS TEXT) WHERE rowid = 260")
    assert sealed.chain.scan is not None
    assert sealed.chain.scan.walk(WANTED, sealed.chain.select, sealed.chain.stored_links) is None
    assert sealed.chain.walk(WANTED) == sealed.reference()  # same bytes: the same verdict


@pytest.mark.parametrize(("cores", "load", "processes"),
                         [(2, 0.2, 2), (2, 1.2, 1), (2, 11.0, 1), (8, 0.0, 4), (1, 0.0, 1)])
def test_the_ranges_use_the_idle_cores_only(monkeypatch: pytest.MonkeyPatch, cores: int,
                                            load: float, processes: int) -> None:
    monkeypatch.setattr(audit_scan.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(audit_scan.os, "getloadavg", lambda: (load, load, load))
    assert audit_scan.idle_cores() == processes
