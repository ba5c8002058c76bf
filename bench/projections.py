"""Benchmark the projections: rebuild rate and memory beside the bare read-and-decode rate.

    .venv/bin/python bench/projections.py --events 1000000 --store both

Events are generated through the domain aggregates (30 per dossier) and saved in batches. The
rebuild is the application's: split over one worker process per core (`--workers`, as the
setting FAPS_PROJECTIONS_REBUILD_WORKERS), the bare pass reads and decodes in one process.
Memory: tracemalloc's peak in this process, and the largest resident size of a worker.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from faps.application.app import FapsApplication
from faps.application.queries import DossierFilter
from faps.domain.actors import Actor, Role
from faps.domain.assessment import assess
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DocumentRef, DossierContent
from faps.infrastructure.communes_file import load_communes
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.parallel import default_workers
from faps.infrastructure.readmodels.queries import SqlAlchemyQueries
from faps.infrastructure.readmodels.runner import ProjectionRunner
from faps.infrastructure.readmodels.wiring import all_projections
from faps.infrastructure.reglement_files import default_reglement
from faps.infrastructure.stores import make_engine, store_config
from faps.infrastructure.transcodings import faps_transcodings

PG_ADMIN = os.environ.get("FAPS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
COMMUNES = [c.insee for c in load_communes()]
AGENT = Actor(account_id=uuid.uuid4(), email="a@x.test", role=Role.COMMUNE_AGENT,
              commune="77258", name="Agent")
OFFICER = Actor(account_id=uuid.uuid4(), email="o@x.test", role=Role.FINANCE_OFFICER,
                name="Instructeur")
KINDS = ("deliberation_municipale", "note_presentation", "devis", "plan_financement",
         "titre_occupation", "attestation_demarrage", "etat_recapitulatif", "factures")
CONTENT = DossierContent.model_validate({
    "title": "Maison de santé", "premises_tenure": "locataire", "requested_amount": "40000.00",
    "expenses": [{"label": "Travaux", "category": "travaux_amenagement",
                  "amount_ht": "100000.00", "vat": "20000.00"}],
    "public_funding": [{"funder": "ARS", "amount": "20000.00"}]})
ASSESSMENT = assess(CONTENT.facts("77258"), default_reglement(), load_communes().get("77258"))


def dossier_history(n: int, at: datetime) -> Dossier:
    """Return a dossier with 30 events, from draft to two payments."""
    tick = iter(range(100))

    def now() -> datetime:
        return at + timedelta(seconds=next(tick))

    commune = COMMUNES[n % len(COMMUNES)]
    d = Dossier.draft(AGENT, commune, CONTENT, now())
    for i in range(3):
        d.edit(AGENT, CONTENT.model_copy(update={"title": f"Projet {n} v{i}"}), now())
    docs = {}
    for kind in KINDS:
        ref = DocumentRef(document_id=uuid.uuid4(), kind=kind, name=f"{kind}.pdf", size=1000,
                          media_type="application/pdf", sha256="0" * 64)
        d.attach_document(AGENT, ref, now())
        docs[kind] = ref.document_id
    d.submit(AGENT, f"FAPS-{at.year}-{n:06d}", ASSESSMENT.reglement_version, now())
    d.request_information(OFFICER, uuid.uuid4(), "Bail ?", (), at.date() + timedelta(30), now())
    d.provide_information(AGENT, "Voici.", now())
    d.declare_complete(OFFICER, {}, now())
    d.assign(OFFICER, OFFICER.account_id, OFFICER.name, now())
    d.assess(OFFICER, ASSESSMENT, now())
    d.propose(OFFICER, ASSESSMENT.grant, "Conforme.", now())
    session = uuid.uuid4()
    d.place_on_agenda(OFFICER, session, 1, now())
    d.record_vote(OFFICER, session, "adoptee", ASSESSMENT.grant, "DEL-1", (40, 2, 1),
                  at.date(), now())
    d.record_municipal_deliberation(AGENT, "DCM-1", at.date(), now())
    d.notify(OFFICER, now())
    d.sign_agreement(OFFICER, "CONV-1", at.date(), now())
    rules: dict[str, Any] = {"advance_rate": Decimal("0.30"), "required_kinds": {}}
    for kind, amount in (("avance", Decimal("9000.00")), ("acompte", Decimal("6000.00"))):
        request = uuid.uuid4()
        d.request_payment(AGENT, request, kind, amount,  # type: ignore[arg-type]
                          Decimal("60000.00"),  # justified: an acompte is limited by them
                          (docs["factures"],), rules, now())
        d.make_payment(OFFICER, request, amount, at.date(), "MANDAT-1", now())
    d.add_note(OFFICER, "Suivi.", now())
    d.add_note(OFFICER, "Relancer.", now())
    return d


def generate(app: FapsApplication, events: int, batch: int = 100) -> int:
    """Save dossiers of 30 events each until `events` are written; return the dossiers."""
    dossiers = max(1, events // 30)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for first in range(0, dossiers, batch):
        app.save(*(dossier_history(n, start + timedelta(minutes=n))
                   for n in range(first, min(first + batch, dossiers))))
    return dossiers


def bare_read(app: FapsApplication, trace: bool = False) -> tuple[int, float, int]:
    """Read and decode the whole log in batches of 1,000; return count, seconds, peak bytes."""
    if trace:
        tracemalloc.start()
    started, count, position = time.perf_counter(), 0, 0
    while notes := app.recorder.select_notifications(position, 1000, inclusive_of_start=False):
        for n in notes:
            app.mapper.to_domain_event(n)
        count += len(notes)
        position = notes[-1].id
    return count, time.perf_counter() - started, _stop(trace)


def _stop(trace: bool) -> int:
    if not trace:
        return 0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def timed_rebuild(runner: ProjectionRunner, trace: bool = False) -> tuple[int, float, int]:
    """Rebuild every projection; return notifications, seconds, peak traced bytes."""
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    runner.last_split = None
    count = runner.rebuild()
    elapsed, peak = time.perf_counter() - started, _stop(trace)
    return count, elapsed, max(peak, runner.last_split.traced_peak if runner.last_split else 0)


def pad_dossiers(engine: sa.Engine, target: int) -> None:
    """Copy projected dossier rows under new ids until the list holds `target` dossiers."""
    with engine.begin() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(t.dossiers).limit(1000)).mappings()]
        have = conn.execute(sa.select(sa.func.count()).select_from(t.dossiers)).scalar_one()
        extra = []
        for i in range(max(0, target - have)):
            row = dict(rows[i % len(rows)], dossier_id=uuid.uuid4(),
                       commune=COMMUNES[i % len(COMMUNES)],
                       updated_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
                       next_deadline=date(2025, 1, 1) + timedelta(days=i % 700))
            extra.append(row)
            if len(extra) == 5000:
                conn.execute(t.dossiers.insert(), extra)
                extra = []
        if extra:
            conn.execute(t.dossiers.insert(), extra)
    with engine.begin() as conn:  # the statistics autovacuum (or a rebuild) would have taken
        conn.exec_driver_sql("ANALYZE rm_dossiers")


def list_timings(engine: sa.Engine) -> dict[str, float]:
    """Return the median milliseconds of typical list-page queries."""
    queries = SqlAlchemyQueries(engine, load_communes())
    filters = {
        "default (-updated_at)": DossierFilter(),
        "commune agent": DossierFilter(),
        "state + next_deadline": DossierFilter(states=("attribue",), sort="next_deadline"),
        "text search": DossierFilter(text="projet 12"),
        "page 100 by reference": DossierFilter(sort="reference", page=100),
    }
    result = {}
    for label, flt in filters.items():
        actor = AGENT if label == "commune agent" else OFFICER
        times = []
        for _ in range(15):
            started = time.perf_counter()
            queries.dossiers(actor, flt)
            times.append((time.perf_counter() - started) * 1000)
        result[label] = statistics.median(times)
    return result


def run(store: str, events: int, list_size: int, rounds: int, workers: int) -> None:
    """Generate, read, rebuild and query on one store; print the figures."""
    if store == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS faps_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE faps_bench")
        url = PG_ADMIN.rsplit("/", 1)[0] + "/faps_bench"
    config = store_config(url)
    app = FapsApplication(env=config.event_env, transcodings=faps_transcodings())
    engine = make_engine(config)
    runner = ProjectionRunner(app, engine, all_projections(load_communes()), workers=workers)
    started = time.perf_counter()
    dossiers = generate(app, events)
    written = time.perf_counter() - started
    total = app.recorder.max_notification_id() or 0
    print(f"[{store}] generated {total} events ({dossiers} dossiers) in {written:.0f} s "
          f"({total / written:,.0f}/s); rebuild split over {workers} process(es): "
          f"{'yes' if runner.splits() else 'no'}")
    ratios = []
    for round_ in range(1, rounds + 1):  # alternated: a shared machine's load hits both alike
        count, secs, _ = bare_read(app)
        bare = count / secs
        count, secs, _ = timed_rebuild(runner)
        rate = count / secs
        ratios.append(rate / bare)
        print(f"[{store}] round {round_}: bare read+decode {bare:,.0f} events/s, rebuild "
              f"{rate:,.0f} events/s = {rate / bare:.0%} of the bare rate", flush=True)
    print(f"[{store}] rebuild / bare, median of {rounds}: {statistics.median(ratios):.0%} "
          "(target ≥ 50 %)")
    _, _, bare_peak = bare_read(app, trace=True)
    _, _, peak = timed_rebuild(runner, trace=True)
    print(f"[{store}] peak memory (tracemalloc, separate passes): bare read "
          f"{bare_peak / 2**20:.1f} MiB, rebuild {peak / 2**20:.1f} MiB (the largest of this "
          f"process and each worker); resident size of the largest worker "
          f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB, "
          f"of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
          "(a worker is forked from it: its size includes what the generation left here)")
    pad_dossiers(engine, list_size)
    for label, ms in list_timings(engine).items():
        print(f"[{store}] list query at {list_size} dossiers, {label}: {ms:.1f} ms")
    engine.dispose()
    app.close()


def main() -> None:
    """Parse the arguments and run the benchmark on the chosen stores."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--list-size", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="bare read and rebuild, alternated this many times")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="processes of the rebuild (default: one per core, at most 4)")
    args = parser.parse_args()
    for store in (("sqlite", "postgres") if args.store == "both" else (args.store,)):
        run(store, args.events, args.list_size, args.rounds, args.workers)


if __name__ == "__main__":
    main()
