"""Fill a store with generated histories for capacity planning.

    FAPS_DATABASE_URL=sqlite:////tmp/faps-load/faps.sqlite3 FAPS_INSTANCE_PATH=/tmp/faps-load \\
        PYTHONPATH=. .venv/bin/python bench/generate.py --events 1000000 --dossiers 30000

Through the domain (bench/histories.py: every event passes the aggregates' guards), saved in
large batches without the per-request followers; then the read models are rebuilt once with
the split rebuild (as `faps projections rebuild`), the audit chain seals the log, and the mail
outbox starts after it (generated history is not mailed). Accounts: the staff, two more
officers and one agent per commune, all with the password PASSWORD below (`--accounts` lists
them). The same `--seed`, `--today`, `--events` and `--dossiers` give the same log.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from eventsourcing import domain as es_domain

from bench.histories import Cast, Histories
from faps.application.demo import has_dossiers
from faps.application.demo_data import AGENT_NAMES, STAFF
from faps.bootstrap import Faps, build
from faps.domain.accounts import Account
from faps.domain.actors import SYSTEM_ACTOR, Role
from faps.infrastructure.outbox import position as outbox_position
from faps.infrastructure.reglement_files import default_reglement
from faps.infrastructure.settings import Settings

PASSWORD = "charge-faps-2026"  # every generated account's (a load test signs in with it)
MORE_OFFICERS = (("lea.rousseau@agglo-pvm.test", "Léa Rousseau"),
                 ("omar.benali@agglo-pvm.test", "Omar Benali"))


@dataclass(frozen=True)
class Generated:
    """What a generation wrote and how long each part took."""

    events: int
    dossiers: int
    sessions: int
    accounts: list[tuple[str, str, str | None]]
    seconds: dict[str, float]


@contextmanager
def seeded_ids(rng: random.Random) -> Iterator[None]:
    """Make the aggregates' new ids (uuid4 in eventsourcing) come from the seeded generator."""
    original = es_domain.uuid4  # type: ignore[attr-defined]
    es_domain.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        es_domain.uuid4 = original  # type: ignore[attr-defined]


def commune_slug(name: str) -> str:
    """Return the mail domain of a commune (as the demo names its agents)."""
    return name.lower().replace(" ", "-").replace("é", "e").replace("É", "e").replace("è", "e")


def open_accounts(faps: Faps, at: datetime) -> tuple[Cast, list[tuple[str, str, str | None]]]:
    """Open every account with PASSWORD (one argon2 hash, stored for each)."""
    wanted: list[tuple[str, str, Role, str | None]] = [(e, n, r, None) for e, n, r in STAFF]
    wanted += [(e, n, Role.FINANCE_OFFICER, None) for e, n in MORE_OFFICERS]
    names = {c.insee: c.name for c in faps.ctx.communes}
    for agent, insee in zip(AGENT_NAMES, sorted(names), strict=False):
        wanted.append((f"agent@{commune_slug(names[insee])}.test", agent, Role.COMMUNE_AGENT,
                       insee))
    hashed = faps.ctx.hasher.hash(PASSWORD)
    accounts: list[tuple[str, str, str | None]] = []
    actors = []
    for email, name, role, commune in wanted:
        account = Account.open(SYSTEM_ACTOR, email, name, role, commune, at)
        faps.app.save(account)
        faps.ctx.credentials.set_hash(account.id, hashed)
        actors.append(account.as_actor())
        accounts.append((email, role.value, commune))
    cast = Cast(officers=[a for a in actors if a.role is Role.FINANCE_OFFICER],
                secretariat=next(a for a in actors if a.role is Role.SECRETARIAT),
                agents={a.commune: a for a in actors if a.commune},  # type: ignore[misc]
                commune_names=names)
    return cast, accounts


def generate(faps: Faps, events: int, dossiers: int, years: int = 4, seed: int = 2026,
             today: date | None = None, batch: int = 20_000, log: Any = print,
             finish: bool = True) -> Generated:
    """Write the histories into an empty store; then (`finish`) rebuild the read models and
    seal the log, as a store served to people needs."""
    if has_dossiers(faps):
        raise SystemExit("Le magasin contient déjà des dossiers : choisissez une base vide.")
    today = today or date.today()
    rng = random.Random(seed)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    first_year = today.year - years + 1
    with seeded_ids(rng):
        cast, accounts = open_accounts(faps, datetime(first_year - 1, 12, 1, 9, tzinfo=UTC))
        faps.mailer.after_save(())  # the outbox's directory of recipients knows the accounts
        histories = Histories(rng, cast, default_reglement(), faps.ctx.communes, today)
        histories.plan(list(range(first_year, today.year + 1)), dossiers, events)
        written = [0]

        def flush(aggregates: list[Any]) -> None:
            recordings = faps.app.save(*aggregates)
            written[0] += len(recordings)
            elapsed = time.perf_counter() - started
            log(f"\r  {written[0]:>10,} events, {written[0] / elapsed:,.0f}/s", end="",
                flush=True)

        histories.run(batch, flush)
    log("")
    seconds["generate"] = time.perf_counter() - started
    head = faps.app.recorder.max_notification_id() or 0
    with faps.engine.begin() as conn:  # generated history is not mailed
        conn.execute(sa.update(outbox_position).where(outbox_position.c.name == "outbox")
                     .values(notification_id=head))
    if not finish:
        return Generated(head, dossiers, histories.sessions_held, accounts, seconds)
    started = time.perf_counter()
    faps.projections.rebuild()
    seconds["rebuild"] = time.perf_counter() - started
    started = time.perf_counter()
    faps.audit_chain.catch_up()
    seconds["seal"] = time.perf_counter() - started
    return Generated(head, dossiers, histories.sessions_held, accounts, seconds)


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, generate into FAPS_DATABASE_URL and print the rates."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, help="events to write (about)")
    parser.add_argument("--dossiers", type=int, default=None,
                        help="dossiers (default: one per 33 events)")
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(),
                        help="the last day of the histories (YYYY-MM-DD; default today)")
    parser.add_argument("--batch", type=int, default=None,
                        help="events per saved batch (default 20,000 on SQLite, 2,000 on "
                             "PostgreSQL: a far larger insert stalled its pipeline)")
    parser.add_argument("--accounts", action="store_true", help="list the accounts opened")
    args = parser.parse_args(argv)
    dossiers = args.dossiers or max(1, args.events // 33)
    settings = Settings()
    print(f"Store: {settings.resolved_database_url().split('@')[-1]}")
    faps = build(settings, start_projections=False)
    batch = args.batch or (2_000 if faps.store.kind == "postgres" else 20_000)
    try:
        result = generate(faps, args.events, dossiers, args.years, args.seed, args.today, batch)
    finally:
        faps.close()
    s = result.seconds
    print(f"{result.events:,} events, {result.dossiers:,} dossiers, {result.sessions} sessions, "
          f"{len(result.accounts)} accounts (password {PASSWORD!r})")
    print(f"generate {s['generate']:.0f} s ({result.events / s['generate']:,.0f} events/s); "
          f"rebuild {s['rebuild']:.0f} s ({result.events / s['rebuild']:,.0f}/s); "
          f"seal {s['seal']:.0f} s ({result.events / max(s['seal'], 1e-9):,.0f}/s)")
    if args.accounts:
        for email, role, commune in result.accounts:
            print(f"  {email:40} {role:15} {commune or ''}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
