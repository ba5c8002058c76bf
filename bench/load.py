"""Load benchmark: gunicorn (4 workers, `faps.web:create_app()`) under simulated people.

    make bench-load                     # installs Locust (the `bench` extra), then runs this
    PYTHONPATH=. .venv/bin/python bench/load.py --store both --events 1000000 \\
        --dossiers 30000 --users 20 100 --duration 120 --dir /var/tmp/faps-load

For each store (SQLite file, PostgreSQL database `faps_load_<events>`), the store is made by
bench/generate.py unless it exists already (in `--dir`, or the PostgreSQL database), then
gunicorn serves it and Locust (headless, bench/locustfile.py) runs each role's mix at each
number of users (people arrive at a tenth of their number a second, each signing in; the figures
count from when all have arrived, sign-ins included as people sign out and back in). Printed:
p50/p95/p99 (ms) per page, requests per second, errors, and the machine's load average (the run
shares the machine with whatever else runs).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_ADMIN = os.environ.get("FAPS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BIN = Path(sys.executable).parent
OPEN_STATES = ("depose", "complements_demandes", "complet", "instruit", "propose", "attribue")


def store_url(store: str, events: int, folder: Path) -> tuple[str, bool]:
    """Return the store's URL and whether it holds a generated log already."""
    if store == "sqlite":
        path = folder / f"sqlite-{events}" / "faps.sqlite3"
        return f"sqlite:///{path}", path.exists()
    import psycopg

    name = f"faps_load_{events}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f"CREATE DATABASE {name}")
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", bool(exists)


def environment(url: str, instance: Path) -> dict[str, str]:
    """Return the settings of the generator and the server."""
    return {**os.environ, "FAPS_DATABASE_URL": url, "FAPS_INSTANCE_PATH": str(instance),
            "FAPS_SECRET_KEY": "load-benchmark-secret", "FAPS_PROJECTIONS_AUTOREBUILD": "false",
            "FAPS_PROXY_HOPS": "1", "FAPS_COOKIE_SECURE": "false",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}


def ids_file(url: str, path: Path, today: str) -> Path:
    """Write what the simulated people pick from: accounts, dossiers, drafts, sessions."""
    from bench.generate import PASSWORD
    from faps.infrastructure.readmodels import tables as t
    from faps.infrastructure.stores import make_engine, store_config

    engine = make_engine(store_config(url))
    d = t.dossiers.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(d.dossier_id, d.commune, d.state, d.submitted_on)).all()
        accounts = conn.execute(sa.select(t.accounts)).mappings().all()
        sessions = conn.execute(sa.select(t.sessions.c.session_id)).scalars().all()
    engine.dispose()
    by_role: dict[str, list[Any]] = {}
    for a in accounts:
        by_role.setdefault(a["role"], []).append(a)
    agents = {}
    for a in by_role.get("agent_commune", []):
        mine = [r for r in rows if r.commune == a["commune"]]
        agents[a["email"]] = {
            "dossiers": [str(r.dossier_id) for r in mine if r.state != "brouillon_supprime"],
            "drafts": [str(r.dossier_id) for r in mine if r.state == "brouillon"],
            "open": [str(r.dossier_id) for r in mine if r.state in OPEN_STATES]}
    ids = {"password": PASSWORD, "today": today,
           "officers": [a["email"] for a in by_role["instructeur"]],
           "officer_ids": {a["email"]: str(a["account_id"]) for a in by_role["instructeur"]},
           "secretariat": [a["email"] for a in by_role["secretariat"]],
           "auditors": [a["email"] for a in by_role["auditeur"]],
           "agents": agents, "communes": sorted({r.commune for r in rows}),
           "years": sorted({r.submitted_on.year for r in rows if r.submitted_on}),
           # what staff open: a draft is its commune's alone (the staff get 404, rightly)
           "dossiers": [str(r.dossier_id) for r in rows
                        if r.state not in ("brouillon", "brouillon_supprime")],
           "open": [str(r.dossier_id) for r in rows if r.state in OPEN_STATES],
           "sessions": [str(s) for s in sessions]}
    path.write_text(json.dumps(ids), encoding="utf-8")
    return path


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """Start gunicorn with 4 workers, as the README's Production section does; wait for it.

    The application is built once first: four workers booting at once on a store without the
    web's tables race to create them (and fail), which a deployment's first start avoids too.
    """
    subprocess.run([sys.executable, "-c", "from faps.web import create_app; create_app()"],
                   env=env, cwd=ROOT, check=True)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "faps.web:create_app()"],
        env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante", timeout=5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {log}") from None
            time.sleep(1)
    stop(server)
    raise SystemExit(f"gunicorn did not answer within 5 minutes: see {log}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn we started (its own process group) and wait for it."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def swarm(env: dict[str, str], port: int, users: int, seconds: int, prefix: Path) -> Path:
    """Run Locust headless against the server; return its statistics file."""
    subprocess.run(
        [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
         "-u", str(users), "-r", str(max(1, users // 10)), "-t", f"{seconds}s",
         "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
         "--loglevel", "WARNING", "--stop-timeout", "5", "--reset-stats"],
        env=env, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    return Path(f"{prefix}_stats.csv")


def table(stats: Path, title: str) -> str:
    """Return the figures of a run as a Markdown table (the slowest pages first)."""
    with stats.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    pages = sorted((r for r in rows if r["Name"] != "Aggregated"),
                   key=lambda r: -float(r["95%"] if r["95%"] not in ("", "N/A") else 0))
    lines = [f"**{title}**: {float(total['Requests/s']):.1f} requests/s, "
             f"{total['Request Count']} requests, {total['Failure Count']} errors, "
             f"p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms", "",
             "| page | requests | errors | p50 ms | p95 ms | p99 ms |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in pages:
        lines.append(f"| {r['Type']} {r['Name']} | {r['Request Count']} | {r['Failure Count']} | "
                     f"{r['50%']} | {r['95%']} | {r['99%']} |")
    return "\n".join(lines)


def run(store: str, args: argparse.Namespace, port: int) -> None:
    """Make or reuse the store, serve it, run each number of users; print the tables."""
    folder = args.dir / f"{store}-{args.events}"
    folder.mkdir(parents=True, exist_ok=True)
    url, exists = store_url(store, args.events, args.dir)
    if store == "sqlite":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    env = environment(url, folder / "instance")
    if not exists:
        print(f"[{store}] generating {args.events:,} events, {args.dossiers:,} dossiers…",
              flush=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--events", str(args.events),
                        "--dossiers", str(args.dossiers), "--today", args.today],
                       env=env, cwd=ROOT, check=True)
    env["FAPS_LOAD_IDS"] = str(ids_file(url, folder / "ids.json", args.today))
    server = serve(env, port, folder / "gunicorn.log")
    try:
        for users in args.users:
            before = os.getloadavg()[0]
            stats = swarm(env, port, users, args.duration, folder / f"locust-{users}")
            title = (f"{store}, {args.events:,} events, {users} users, {args.duration} s "
                     f"(load average {before:.1f} before, {os.getloadavg()[0]:.1f} after)")
            print(table(stats, title), "\n", flush=True)
    finally:
        stop(server)


def main() -> None:
    """Parse the arguments and run the benchmark on each store."""
    from datetime import date

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--dossiers", type=int, default=30_000)
    parser.add_argument("--users", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--duration", type=int, default=120, help="seconds per run")
    parser.add_argument("--dir", type=Path, default=Path("/var/tmp/faps-load"),
                        help="where the SQLite stores, logs and statistics are kept (reused)")
    parser.add_argument("--port", type=int, default=5180)
    parser.add_argument("--today", default=date.today().isoformat(),
                        help="the last day of generated histories (YYYY-MM-DD)")
    args = parser.parse_args()
    stores = ("sqlite", "postgres") if args.store == "both" else (args.store,)
    for n, store in enumerate(stores):
        run(store, args, args.port + n)


if __name__ == "__main__":
    main()
