"""Each page's own cost: CPU and wall milliseconds of one request, in one process.

    PYTHONPATH=. FAPS_DATABASE_URL=sqlite:////var/tmp/pages/faps.sqlite3 \\
        .venv/bin/python bench/pages.py [--repeat 5] [--only officer]

Signs in as each role of bench/locustfile.py (the accounts of bench/generate.py, on a store it
filled and whose read models are up to date), asks each of their pages once to warm it, then
`--repeat` times through the Flask test client, and prints the median CPU milliseconds
(`time.process_time`), the median wall milliseconds and the table rows the page shows, with
the machine's load. A copy of the store is best: a page's read may catch projections up.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SLOW = 3.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
Ids = dict[str, Any]


def pages(ids: Ids, rng: random.Random) -> list[tuple[str, str, str]]:
    """Return the (page, role, path) the locustfile's people ask (GET only)."""
    def pick(key: str) -> str:
        return str(rng.choice(ids[key]))

    agent = max(ids["agents"], key=lambda e: len(ids["agents"][e]["dossiers"]))
    mine = ids["agents"][agent]
    day = (date.fromisoformat(ids["today"]) - timedelta(days=300)).isoformat()
    year = str(ids["years"][-1])
    return [
        ("home (officers' list)", "officer", "/instruction/"),
        ("list, a state, by next deadline", "officer",
         "/instruction/?state=attribue&sort=next_deadline"),
        ("list, a commune and a year, page 3", "officer",
         f"/instruction/?commune={ids['communes'][0]}&year={year}&page=3"),
        ("list, search", "officer", "/instruction/?q=maison+de+sant%C3%A9"),
        ("dossier", "officer", f"/instruction/dossiers/{pick('dossiers')}"),
        ("work queue", "officer", "/instruction/a-traiter"),
        ("payments ledger", "officer", "/finances/versements"),
        ("budget", "officer", "/finances/budget"),
        ("deadlines", "officer", "/finances/echeances"),
        ("list", "commune", "/commune/dossiers"),
        ("list, page 3", "commune", "/commune/dossiers?page=3"),
        ("dossier", "commune", f"/commune/dossiers/{rng.choice(mine['dossiers'])}"),
        *([("draft editor", "commune", f"/commune/dossiers/{mine['drafts'][0]}/modifier")]
          if mine["drafts"] else []),
        ("simulator", "commune", "/commune/simulateur"),
        ("sessions", "secretariat", "/assemblees/"),
        ("session", "secretariat", f"/assemblees/seances/{pick('sessions')}"),
        ("municipal deliberations", "secretariat", "/assemblees/deliberations-municipales"),
        ("exports", "secretariat", "/exports/"),
        ("session exports", "secretariat", f"/exports/seances/{pick('sessions')}"),
        ("fund as of a date", "auditor", f"/audit/fonds?as_of={day}"),
        ("écarts", "auditor", f"/audit/ecarts?from={day}&to={ids['today']}"),
        ("dossier history", "auditor", f"/audit/dossiers/{pick('dossiers')}"),
        ("dossier history as of a date", "auditor",
         f"/audit/dossiers/{pick('dossiers')}?as_of={day}"),
        ("deadlines", "auditor", "/finances/echeances"),
        ("search", "auditor", "/audit/?q=maison+de+sant%C3%A9"),
    ]


def signed_in(app: Any, email: str, password: str) -> Any:
    """Return a test client signed in with the account."""
    client = app.test_client()
    token = CSRF.search(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion", data={"email": email, "password": password,
                                                "csrf_token": token.group(1) if token else ""})
    if response.status_code != 302:
        raise SystemExit(f"sign-in refused for {email}: HTTP {response.status_code}")
    return client


def measure(get: Callable[[], Any], repeat: int) -> tuple[float, float, int, int]:
    """Return the median CPU and wall ms of `repeat` requests (after one), its rows, status;
    a page slower than SLOW seconds is timed once only (its first request)."""
    cpu, wall = [], []
    started_cpu, started = time.process_time(), time.perf_counter()
    response = get()
    if time.perf_counter() - started > SLOW:
        repeat = 0
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    for _ in range(repeat):
        started_cpu, started = time.process_time(), time.perf_counter()
        response = get()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    html = response.get_data(as_text=True)
    rows = html.count("<tr") - html.count("<thead")
    return statistics.median(cpu), statistics.median(wall), rows, response.status_code


def load() -> str:
    """Return the machine's load average."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    """Print each page's table line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="only the pages whose role or name has it")
    parser.add_argument("--skip", default="", help="not the pages whose role or name has it")
    args = parser.parse_args()
    os.environ.setdefault("FAPS_SECRET_KEY", "pages-benchmark-secret")
    os.environ.setdefault("FAPS_PROJECTIONS_AUTOREBUILD", "false")
    os.environ.setdefault("FAPS_COOKIE_SECURE", "false")
    url = os.environ["FAPS_DATABASE_URL"]
    os.environ.setdefault("FAPS_INSTANCE_PATH", tempfile.mkdtemp(prefix="faps-pages-"))
    from bench.load import ids_file
    from faps.web import create_app

    ids: Ids = __import__("json").loads(ids_file(url, Path(tempfile.mkstemp()[1]),
                                                 date.today().isoformat()).read_text())
    app = create_app()
    emails = {"officer": ids["officers"][0], "secretariat": ids["secretariat"][0],
              "auditor": ids["auditors"][0],
              "commune": max(ids["agents"], key=lambda e: len(ids["agents"][e]["dossiers"]))}
    clients = {role: signed_in(app, email, ids["password"]) for role, email in emails.items()}
    print(f"{url}: {len(ids['dossiers']):,} dossiers; {load()}")
    print("| page | role | CPU ms (median) | wall ms | rows |\n|---|---|---:|---:|---:|")
    for name, role, path in pages(ids, random.Random(16)):
        if (args.only and args.only not in f"{role} {name}") or (
                args.skip and args.skip in f"{role} {name}"):
            continue
        client = clients[role]
        cpu, wall, rows, status = measure(lambda c=client, p=path: c.get(p), args.repeat)
        note = "" if status == 200 else f" (HTTP {status})"
        note += " (timed once: slow)" if wall > SLOW * 1000 else ""
        print(f"| {name} `{path.split('?')[0][:40]}` | {role} | {cpu:.0f} | {wall:.0f} | "
              f"{rows}{note} |", flush=True)
    print(f"done; {load()}")
    app.extensions["faps"].close()


if __name__ == "__main__":
    main()
