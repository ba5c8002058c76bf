"""Benchmark time travel: the fund as of a moment, the écarts between two dates, the deadlines.

    PYTHONPATH=. .venv/bin/python bench/asof.py --events 1000000 --store sqlite

Fills a new store through the domain (bench/generate.py's histories, about 33 events a dossier,
after the shipped règlement's adoption), rebuilds the read models as `faps projections
rebuild` does, then times what the auditor's and the officers' pages ask, at random moments
and dates of the history: p50, p95 and the largest, in milliseconds, with the machine's load.
`--oracle N` also times the replay these replaced (the tests' oracle), N times.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.projections import PG_ADMIN, generate
from faps.application.clock import SettableClock
from faps.application.timetravel import end_of
from faps.bootstrap import Faps, build
from faps.domain.actors import Actor, Role
from faps.infrastructure.readmodels import history_tables as h
from faps.infrastructure.settings import Settings

AUDITOR = Actor(account_id=uuid.uuid4(), email="c@x.test", role=Role.AUDITOR, name="Auditrice")
OFFICER = Actor(account_id=uuid.uuid4(), email="o@x.test", role=Role.FINANCE_OFFICER,
                name="Instructeur")


def store_url(store: str, folder: Path) -> str:
    """Return a new, empty store's URL."""
    if store == "sqlite":
        return f"sqlite:///{folder / 'asof.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS faps_bench_asof WITH (FORCE)")
        conn.execute("CREATE DATABASE faps_bench_asof")
    return PG_ADMIN.rsplit("/", 1)[0] + "/faps_bench_asof"


def timed(label: str, samples: list[Any], call: Callable[[Any], int]) -> None:
    """Run `call` on each sample; print the milliseconds' p50, p95 and max, and the sizes."""
    times, sizes = [], []
    for sample in samples:
        started = time.perf_counter()
        sizes.append(call(sample))
        times.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"  {label}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
          f"max {max(times):.1f} ms ({len(times)} requests, {min(sizes)}–{max(sizes)} rows)",
          flush=True)


def load() -> str:
    """Return the machine's load (1, 5, 15 minutes) and its cores."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def run(store: str, events: int, samples: int, oracle: int, database: str | None) -> None:
    """Fill a store, rebuild, and time the three questions (`database`: a store filled by an
    earlier run, only brought up to date, to time again)."""
    folder = Path(tempfile.mkdtemp())
    clock = SettableClock(datetime(2023, 12, 31, 23, tzinfo=UTC))  # the règlement adopted
    url = database or store_url(store, folder)
    if not database:
        started = time.perf_counter()
        dossiers = generate(url, events)  # bench/generate.py's histories, read models left
        print(f"[{store}] {events:,} events ({dossiers:,} dossiers) written in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    settings = Settings(database_url=url, instance_path=folder, secret_key="bench",
                        agglomeration_siret="20005795800014")
    started = time.perf_counter()
    faps: Faps = build(settings, clock, fast_hashing=True)  # rebuilds what is stale
    try:
        print(f"[{store}] {faps.ctx.app.recorder.max_notification_id():,} events in {url}; "
              f"read models brought up to date in {time.perf_counter() - started:.0f} s "
              f"({load()})", flush=True)
        measure(faps, store, samples, oracle)
    finally:
        faps.close()


def measure(faps: Faps, store: str, samples: int, oracle: int) -> None:
    """Time the fund as of random moments, the écarts of random periods, the deadlines."""
    rng = random.Random(16)
    # The span of the dossiers' histories (the log's first and last events may be stamped
    # elsewhere: the règlement adopted on the day a store was generated, a load run's notes).
    with faps.engine.connect() as conn:
        first, last = conn.execute(sa.select(sa.func.min(h.dossier_versions.c.valid_from),
                                             sa.func.max(h.dossier_versions.c.valid_from))).one()
    first, last = first.replace(tzinfo=first.tzinfo or UTC), last.replace(tzinfo=last.tzinfo or UTC)
    span = (last - first).total_seconds()
    moments = [first + timedelta(seconds=rng.uniform(-0.05, 1.05) * span)
               for _ in range(samples)]
    days = [m.date() for m in moments]
    queries = faps.queries
    print(f"[{store}] at {load()}:")
    timed("fund page as of a date (totals, budgets, 100 dossiers)", days,
          lambda d: queries.fund_overview(AUDITOR, end_of(d)).dossiers.total)
    timed("écarts page between two dates (100 changed dossiers, budgets)",
          [(d, rng.choice(days)) for d in days],
          lambda pair: queries.fund_changes(AUDITOR, end_of(min(pair)), end_of(max(pair))
                                            ).changed.total)
    timed("fund page as of a moment within a day", moments,
          lambda m: queries.fund_overview(AUDITOR, m).dossiers.total)
    timed("fund page 100 (dossiers 9,901 to 10,000) as of a date", days[:max(5, samples // 4)],
          lambda d: len(queries.fund_overview(AUDITOR, end_of(d), page=100).dossiers.items))
    for width in (1, 30, 365):
        timed(f"écarts page over {width} day{'s' if width > 1 else ''}", days,
              lambda d, w=width: queries.fund_changes(  # type: ignore[misc]
                  AUDITOR, end_of(d - timedelta(days=w)), end_of(d)).changed.total)
    timed("whole fund as of a moment (API: every dossier)", moments[:max(5, samples // 4)],
          lambda m: len(queries.fund_as_of(AUDITOR, m).dossiers))
    todays = [last.date() + timedelta(days=rng.randint(0, 1500)) for _ in range(samples)]
    timed("deadlines page (officer's: 100 dossiers of up to 30,000)", todays,
          lambda today: len(faps.deadlines.deadlines_page(OFFICER, today).items))
    if oracle:
        from tests.oracles import replayed_fund

        timed("(oracle) fund as of a moment, by replaying the log", moments[:oracle],
              lambda m: len(replayed_fund(faps, m).dossiers))
    print(f"[{store}] done at {load()}", flush=True)
    print(f"[{store}] store: {faps.settings.resolved_database_url()}")


def main() -> None:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--samples", type=int, default=60, help="requests of each kind")
    parser.add_argument("--oracle", type=int, default=0, help="replays to time (slow)")
    parser.add_argument("--database", help="time again a store an earlier run filled (URL)")
    args = parser.parse_args()
    for store in (("sqlite", "postgres") if args.store == "both" else (args.store,)):
        run(store, args.events, args.samples, args.oracle, args.database)


if __name__ == "__main__":
    main()
