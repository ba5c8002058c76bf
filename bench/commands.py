"""Commands per second through faps' services, and dossiers replayed per second, beside the bare
`eventsourcing` library saving and replaying the very same events, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/commands.py [--dossiers 200] [--postgres-url URL | --no-postgres]

Each dossier goes through 12 commands (draft, 5 documents, submit, assign, declare complete,
assess, propose, note); every command loads the dossier, checks the caller's right and the
state, and saves. Two runs of faps:
- "services": the commands inside one unit of work, as the demo or a batch runs them; the
  followers (read models, audit chain, mail outbox) catch up once at the end, and that catch-up
  is timed on its own (events followed per second);
- "per request": each command is its own unit of work, as one web request is: the followers
  read models catch up before the command returns (read your own writes), the audit seal
  and the mail outbox in the background thread each web process runs.
The bare library then saves the same events one save per event into a plain `Application`
configured the same way (same persistence module, same transcodings), with and without reading
the aggregate first as a command must; then both replay every dossier.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from faps.application.clock import SettableClock
from faps.bootstrap import Faps, build
from faps.domain.actors import SYSTEM_ACTOR, Actor, Role
from faps.infrastructure.settings import Settings
from faps.infrastructure.stores import store_config
from faps.infrastructure.transcodings import faps_transcodings

KINDS = ("deliberation_municipale", "note_presentation", "devis", "plan_financement",
         "titre_occupation")
COMMANDS_PER_DOSSIER = 7 + len(KINDS)
CONTENT = {
    "title": "Maison de santé pluriprofessionnelle", "premises_tenure": "locataire",
    "expenses": [{"label": "Travaux", "category": "travaux_amenagement", "amount_ht": "90000.00",
                  "vat": "18000.00"}],
    "public_funding": [{"funder": "ARS Île-de-France", "amount": "15000.00"}],
    "requested_amount": "27000.00",
}


class BareApplication(Application[uuid.UUID]):
    """A plain eventsourcing Application with faps' transcodings, nothing else."""

    name = "bare"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Register the same transcodings as faps."""
        super().register_transcodings(transcoder)
        for transcoding in faps_transcodings():
            transcoder.register(transcoding)


@dataclass
class Figures:
    """Rates measured on one store."""

    store: str
    ours_commands: float
    core_commands: float
    follow_events: float
    bare_saves: float
    bare_get_saves: float
    ours_replays: float
    bare_replays: float


def rate(count: int, action: Callable[[], object]) -> float:
    """Return how many units per second an action processes."""
    start = time.perf_counter()
    action()
    return count / (time.perf_counter() - start)


def run_commands(faps: Faps, agent: Actor, officer: Actor, n: int) -> list[uuid.UUID]:
    """Drive n dossiers through the 12 commands; return their ids."""
    ids = []
    services = faps.dossiers
    for i in range(n):
        dossier_id = services.draft(agent, "77258", CONTENT)
        for kind in KINDS:
            services.attach(agent, dossier_id, kind, f"{kind}.pdf",
                            b"%PDF-1.4\n% " + f"{i} {kind}".encode() + b"\n%%EOF\n")
        services.submit(agent, dossier_id)
        services.assign(officer, dossier_id, officer.account_id, officer.name)
        services.declare_complete(officer, dossier_id)
        assessment = services.assess(officer, dossier_id)
        services.propose(officer, dossier_id, assessment.grant, "Conforme au règlement")
        services.add_note(officer, dossier_id, "Vu en réunion d'instruction")
        ids.append(dossier_id)
    return ids


def measure(label: str, urls: tuple[str, str, str, str], n: int) -> Figures:
    """Measure faps (full, then core) and the bare library on one kind of store."""
    url, core_url, bare_url, bare2_url = urls
    ours, ours_replay, events, _ = measure_faps(url, n, per_request=True)
    core, _, _, follow = measure_faps(core_url, n, per_request=False)
    bare_saves, bare_get_saves, bare_replays = measure_bare(bare_url, bare2_url, events)
    return Figures(label, ours, core, follow, bare_saves, bare_get_saves, ours_replay,
                   bare_replays)


def measure_faps(url: str, n: int,
                 per_request: bool) -> tuple[float, float, dict[Any, Any], float]:
    """Return faps' commands/s, replays/s, the events it wrote and the followers' events/s.

    `per_request`: every command is a unit of work and returns once the followers caught up;
    otherwise the run is one unit of work, and the followers' final catch-up is timed apart.
    """
    with tempfile.TemporaryDirectory() as folder:
        clock = SettableClock(datetime(2024, 2, 5, 9, tzinfo=UTC))
        settings = Settings(database_url=url, instance_path=Path(folder), mail_backend="smtp",
                            secret_key="bench")
        faps = build(settings, clock, fast_hashing=True)
        try:
            agent, officer = actors(faps)
            ids: list[uuid.UUID] = []
            head = faps.app.recorder.max_notification_id() or 0
            follow = 0.0
            if per_request:  # as a web process: the seal and the outbox follow in a thread
                faps.followers.start_background()
                ours = rate(n * COMMANDS_PER_DOSSIER, lambda: ids.extend(
                    run_commands(faps, agent, officer, n)))
            else:
                unit = faps.unit_of_work()
                unit.__enter__()
                ours = rate(n * COMMANDS_PER_DOSSIER, lambda: ids.extend(
                    run_commands(faps, agent, officer, n)))
                written = (faps.app.recorder.max_notification_id() or 0) - head
                follow = rate(written, lambda: unit.__exit__(None, None, None))
                assert all(s["lag"] == 0 for s in faps.projections.status())
            ours_replay = rate(n, lambda: [faps.dossiers.load(officer, i) for i in ids])
            events = {i: list(faps.app.events.get(i)) for i in ids}
        finally:
            faps.close()
    return ours, ours_replay, events, follow


def measure_bare(url: str, url2: str,
                 events: dict[uuid.UUID, list[Any]]) -> tuple[float, float, float]:
    """Save the same events one per save (twice: blind, then reading first); replay them."""
    count = sum(len(e) for e in events.values())
    bare = BareApplication(env=store_config(url).event_env)
    saves = rate(count, lambda: [bare.save(e) for es in events.values() for e in es])
    replays = rate(len(events), lambda: [bare.repository.get(i) for i in events])
    bare.close()
    second = BareApplication(env=store_config(url2).event_env)

    def get_then_save() -> None:
        for originator, stored in events.items():
            for event in stored:
                if event.originator_version > 1:
                    second.repository.get(originator)
                second.save(event)

    get_saves = rate(count, get_then_save)
    second.close()
    return saves, get_saves, replays


def actors(faps: Faps) -> tuple[Actor, Actor]:
    """Open the commune agent and the officer who act in the benchmark; vote a budget."""
    admin_id = faps.accounts.open(SYSTEM_ACTOR, "admin@bench.test", "Admin", Role.ADMINISTRATOR,
                                  None, "motdepasse-bench")
    admin = faps.accounts.get(admin_id).as_actor()
    agent = faps.accounts.get(faps.accounts.open(admin, "agent@bench.test", "Agent",
                                                 Role.COMMUNE_AGENT, "77258",
                                                 "motdepasse-bench")).as_actor()
    officer = faps.accounts.get(faps.accounts.open(admin, "instr@bench.test", "Instructeur",
                                                   Role.FINANCE_OFFICER, None,
                                                   "motdepasse-bench")).as_actor()
    return agent, officer


@contextmanager
def scratch_databases(admin_url: str) -> Iterator[tuple[str, str, str, str]]:
    """Create faps_bench_<random> and its twins on PostgreSQL; drop them afterwards."""
    import psycopg

    name = f"faps_bench_{uuid.uuid4().hex[:10]}"
    names = (name, f"{name}_core", f"{name}_bare", f"{name}_bare2")
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
        for db in names:
            conn.execute(f'CREATE DATABASE "{db}"')
    try:
        a, b, c, d = (f"{admin_url}/{db}" for db in names)
        yield a, b, c, d
    finally:
        with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
            for db in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def table(rows: list[Figures]) -> str:
    """Return the figures as a small table."""
    head = (f"{'store':<10} {'services cmd/s':>14} {'follow ev/s':>11} {'request cmd/s':>13} "
            f"{'bare get+save/s':>15} {'bare save/s':>11} {'svc×':>6} {'req×':>6} "
            f"{'faps replay/s':>13} {'bare replay/s':>13} {'cost×':>6}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.store:<10} {r.core_commands:>14.0f} {r.follow_events:>11.0f} "
                     f"{r.ours_commands:>13.0f} "
                     f"{r.bare_get_saves:>15.0f} {r.bare_saves:>11.0f} "
                     f"{r.bare_get_saves / r.core_commands:>6.2f} "
                     f"{r.bare_get_saves / r.ours_commands:>6.2f} "
                     f"{r.ours_replays:>13.0f} {r.bare_replays:>13.0f} "
                     f"{r.bare_replays / r.ours_replays:>6.2f}")
    return "\n".join(lines)


def main() -> None:
    """Measure on SQLite and PostgreSQL and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        files = tuple(f"sqlite:///{folder}/{name}.sqlite3"
                      for name in ("faps", "core", "bare", "bare2"))
        rows.append(measure("SQLite", files, args.dossiers))  # type: ignore[arg-type]
    if not args.no_postgres:
        with scratch_databases(args.postgres_url) as urls:
            rows.append(measure("PostgreSQL", urls, args.dossiers))
    print(f"{args.dossiers} dossiers × {COMMANDS_PER_DOSSIER} commands "
          f"({COMMANDS_PER_DOSSIER + 1} events each, numbering included)")
    print(table(rows))
    print("svc× / req× = bare get+save rate / faps rate on the same events (targets: svc× ≤ 2, "
          "req× ≤ 3): services with the followers deferred to the end of the unit of work / one "
          "unit of work per command (followers caught up before each command returns).")


if __name__ == "__main__":
    main()
