"""Benchmark of the audit seal: chain sealing and verification, log export and replay (events/s).

    PYTHONPATH=. .venv/bin/python bench/audit.py --events 100000 [--dir /tmp/faps-bench]

Measured (2 cores, SQLite file, 100,000 events): seal 37.6k/s, verify 41.2k/s,
export 14.1k/s, replay 17.7k/s; 1,000,000 events not run (about 10x these times).
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from faps.application.app import FapsApplication
from faps.application.replay import replay_log
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.dossier import Dossier
from faps.infrastructure.audit_chain import AuditChain
from faps.infrastructure.audit_log import write_log
from faps.infrastructure.stores import make_engine, store_config
from faps.infrastructure.transcodings import faps_transcodings
from tests.support import content


def fill(app: FapsApplication, events: int) -> None:
    """Save dossiers of 10 events each (a draft and nine notes)."""
    at = datetime(2024, 1, 1, tzinfo=UTC)
    from faps.domain.dossier_content import DossierContent

    body = DossierContent.model_validate(content())
    batch = []
    for _ in range(events // 10):
        dossier = Dossier.draft(SYSTEM_ACTOR, "77258", body, at)
        for n in range(9):
            dossier.trigger_event(Dossier.NoteAdded, actor=SYSTEM_ACTOR, text=f"note {n}",
                                  timestamp=at)
        batch.append(dossier)
        if len(batch) == 100:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)


def main() -> None:
    """Run the benchmark and print events per second."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="faps-bench-"))
    store = store_config(f"sqlite:///{folder / 'bench.sqlite3'}")
    app = FapsApplication(env=store.event_env, transcodings=faps_transcodings())
    engine = make_engine(store)
    start = time.perf_counter()
    fill(app, args.events)
    count = app.recorder.max_notification_id() or 0
    report("append (setup)", count, start)
    chain = AuditChain(engine, app.recorder.select_notifications)
    start = time.perf_counter()
    chain.catch_up()
    report("seal (catch up)", count, start)
    start = time.perf_counter()
    _seal, mismatch = chain.verify()
    assert mismatch is None
    report("verify", count, start)
    out = io.StringIO()
    start = time.perf_counter()
    write_log(app, out, {t.type: t.name for t in faps_transcodings()})
    report("export JSONL", count, start)
    out.seek(0)
    mapper = FapsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                             transcodings=faps_transcodings()).mapper
    start = time.perf_counter()
    result = replay_log(out, mapper)
    assert result.problem is None, result.problem
    report("replay", count, start)


def report(what: str, count: int, start: float) -> None:
    """Print a rate."""
    seconds = time.perf_counter() - start
    print(f"{what:18} {count:>9} events  {seconds:7.2f} s  {count / seconds:>10,.0f} events/s")


if __name__ == "__main__":
    main()
