"""Benchmark of the audit seal: chain sealing and verification, log export and replay (events/s).

    PYTHONPATH=. .venv/bin/python bench/audit.py --events 1000000 [--dir /tmp/faps-bench]

"verify" is `faps audit verify`'s walk (on SQLite: ranges checked by processes, see
faps.infrastructure.audit_scan); "verify (reference)" recomputes every link one after the other,
as a forged log is walked to name its first break.

The log is exported to a JSON Lines file in the folder and replayed from that file, as an
auditor would (a million events do not fit comfortably in one string).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from faps.application.app import FapsApplication
from faps.application.replay import replay_log
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.dossier import Dossier
from faps.infrastructure.audit_chain import audit_chain
from faps.infrastructure.audit_log import CheckedLog, write_log
from faps.infrastructure.audit_walk import walk_chain
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
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)", flush=True)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="faps-bench-"))
    store = store_config(f"sqlite:///{folder / 'bench.sqlite3'}")
    app = FapsApplication(env=store.event_env, transcodings=faps_transcodings())
    engine = make_engine(store)
    start = time.perf_counter()
    fill(app, args.events)
    count = app.recorder.max_notification_id() or 0
    report("append (setup)", count, start)
    chain = audit_chain(engine, app)
    start = time.perf_counter()
    chain.catch_up()
    report("seal (catch up)", count, start)
    start, cpu = time.perf_counter(), cpu_seconds()
    walk = chain.walk()
    assert walk.mismatch is None and walk.events == count
    report("verify", count, start, cpu)
    start, cpu = time.perf_counter(), cpu_seconds()
    assert walk_chain(chain.select, chain.stored_links) == walk
    report("verify (reference)", count, start, cpu)
    export_and_replay(app, folder / "journal.jsonl", count)


def export_and_replay(app: FapsApplication, path: Path, count: int) -> None:
    """Export the log to a file, replay it from that file, print each rate and both together."""
    start = time.perf_counter()
    with path.open("w", encoding="utf-8") as out:
        write_log(app, out, {t.type: t.name for t in faps_transcodings()})
    exported = report("export JSONL", count, start)
    mapper = FapsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                             transcodings=faps_transcodings()).mapper
    middle = time.perf_counter()
    with path.open(encoding="utf-8") as lines:
        result = replay_log(CheckedLog(lines), mapper)
    assert result.problem is None, result.problem
    replayed = report("replay", count, middle)
    seconds = exported + replayed
    print(f"{'export + replay':19} {count:>9} events  {seconds:7.2f} s  "
          f"{count / seconds:>10,.0f} events/s  ({path.stat().st_size / 2**20:,.0f} MiB file)",
          flush=True)


def cpu_seconds() -> float:
    """Return the CPU time used by this process and its finished children."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def report(what: str, count: int, start: float, cpu: float | None = None) -> float:
    """Print a rate (and, given the CPU time at the start, the rate per CPU second: on a shared
    machine the wall-clock rate measures the load as much as the code); return the seconds."""
    seconds = time.perf_counter() - start
    per_cpu = (f"  ({count / max(cpu_seconds() - cpu, 1e-9):,.0f} events per CPU second)"
               if cpu is not None else "")
    print(f"{what:19} {count:>9} events  {seconds:7.2f} s  {count / seconds:>10,.0f} events/s"
          f"{per_cpu}", flush=True)
    return seconds


if __name__ == "__main__":
    main()
