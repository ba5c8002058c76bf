"""Benchmark of the public API: list and dossier reads at 30,000 dossiers, webhook deliveries.

    PYTHONPATH=. .venv/bin/python bench/api.py --dossiers 30000 [--dir /tmp/faps-bench-api]

The dossiers are saved through the domain aggregates in batches (a draft, then filed, across
the communes), the read models caught up, then each read is timed through the Flask app with
a token (no network): p50 and p95 of `GET /api/v1/dossiers` (a page of 50, an officer and a
commune agent, with a search) and `GET /api/v1/dossiers/{id}`. Nine dossiers in ten are filed (an
officer never sees a draft). Webhook deliveries are posted to a local HTTP server and counted
per second.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from faps.application.clock import SettableClock
from faps.bootstrap import build
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierContent
from faps.infrastructure.readmodels.tables import dossiers as dossiers_table
from faps.infrastructure.settings import Settings
from faps.web import create_app
from tests.support import World, content, make_world


def fill(faps: Any, count: int) -> list[Any]:
    """Save `count` dossiers spread over the communes, nine in ten filed; return their ids."""
    at = datetime(2024, 2, 5, 9, tzinfo=UTC)
    codes = [c.insee for c in faps.ctx.communes][:12]
    version = faps.reglements.in_force(at.date()).version
    ids, batch = [], []
    for n in range(count):
        body = DossierContent.model_validate(content(title=f"Projet {n} maison de santé"))
        dossier = Dossier.draft(SYSTEM_ACTOR, codes[n % len(codes)], body, at)
        if n % 10:  # a draft is its commune's alone: officers list and read the filed ones
            dossier.submit(SYSTEM_ACTOR, f"FAPS-2024-{n:05d}", version, at)
        ids.append(dossier.id)
        batch.append(dossier)
        if len(batch) == 500:
            faps.app.save(*batch)
            batch = []
    if batch:
        faps.app.save(*batch)
    faps.projections.catch_up()
    return ids


def existing_world(faps: Any, clock: Any) -> World:
    """Return the accounts of an earlier run's world."""
    def who(email: str) -> Any:
        return faps.accounts.by_email(email).as_actor()

    return World(faps=faps, clock=clock, admin=who("admin@agglo.test"),
                 agent=who("agent@lognes.test"), other_agent=who("agent@chelles.test"),
                 officer=who("instructeur@agglo.test"),
                 secretariat=who("secretariat@agglo.test"), auditor=who("auditeur@agglo.test"))


def timed(call: Any, times: int) -> tuple[float, float]:
    """Return p50 and p95 in milliseconds (after a few calls to warm up)."""
    for _ in range(10):
        call()
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def deliveries_per_second(faps: Any, world: Any, count: int) -> float:
    """Queue `count` deliveries and time their sending to a local server."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hooks = faps.webhooks
    hooks.subscribe(f"http://127.0.0.1:{server.server_address[1]}/", ["dossier.edited"])
    drafts = [world.drafted() for _ in range(count // 4)]
    for n in range(4):
        for dossier_id in drafts:
            faps.dossiers.edit(world.agent, dossier_id, {"description": f"v{n}"})
    hooks.enqueue()
    start, sent = time.perf_counter(), 0
    while True:
        done = hooks.send_due()[0]
        if not done:
            break
        sent += done
    elapsed = time.perf_counter() - start
    server.shutdown()
    return sent / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=30_000)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--deliveries", type=int, default=400)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="faps-bench-api-"))
    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings(database_url=f"sqlite:///{folder / 'faps.sqlite3'}",
                        instance_path=folder / "instance", secret_key="bench",
                        agglomeration_siret="20005795800014", webhooks_allow_http=True,
                        webhooks_allowed_hosts="127.0.0.1",
                        # Mails are queued, never sent here: the console backend would send
                        # each filed dossier's acknowledgement during the timed reads.
                        mail_backend="smtp", mail_send_on_save=False)
    clock = SettableClock(datetime(2024, 2, 5, 9, tzinfo=UTC))
    fresh = not (folder / "faps.sqlite3").exists()
    faps = build(settings, clock, fast_hashing=True)
    if fresh:
        world = make_world(faps, clock)
        start = time.perf_counter()
        fill(faps, args.dossiers)
        print(f"{args.dossiers} dossiers saved and projected in "
              f"{time.perf_counter() - start:.1f} s")
    else:  # --dir of an earlier run: its dossiers and accounts are reused
        world = existing_world(faps, clock)
        with faps.engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(dossiers_table))
            print(f"{count.scalar_one()} dossiers of {folder} reused")
    with faps.engine.connect() as conn:  # an officer reads filed dossiers (a draft: 404)
        ids = list(conn.execute(sa.select(dossiers_table.c.dossier_id).where(
            dossiers_table.c.state != "brouillon")).scalars())
    app = create_app({"TESTING": True}, faps=faps)
    client = app.test_client()
    officer = {"Authorization": "Bearer " + faps.tokens.create(
        world.officer, world.officer.account_id, "bench").secret}
    agent = {"Authorization": "Bearer " + faps.tokens.create(
        world.agent, world.agent.account_id, "bench").secret}
    app.config["FAPS_API_RATE_LIMIT"] = 10**9
    rng = random.Random(7)
    rows = [
        ("GET /dossiers (officer, 50)", lambda: client.get("/api/v1/dossiers?limit=50",
                                                           headers=officer)),
        ("GET /dossiers (agent, 50)", lambda: client.get("/api/v1/dossiers?limit=50",
                                                         headers=agent)),
        ("GET /dossiers?q=projet 12", lambda: client.get("/api/v1/dossiers?q=projet%2012",
                                                         headers=officer)),
        ("GET /dossiers/{id}", lambda: client.get(f"/api/v1/dossiers/{rng.choice(ids)}",
                                                  headers=officer)),
    ]
    print(f"{'read':<32} {'p50 ms':>8} {'p95 ms':>8}")
    for label, call in rows:
        p50, p95 = timed(call, args.reads)
        print(f"{label:<32} {p50:8.1f} {p95:8.1f}")
    rate = deliveries_per_second(faps, world, args.deliveries)
    print(f"webhook deliveries: {rate:.0f}/s (local HTTP server, one sender, "
          f"{settings.webhooks_workers} dossiers at once)")
    faps.close()


if __name__ == "__main__":
    main()
