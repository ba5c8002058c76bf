"""Text search on the dossier list at 30,000 dossiers: p50 and p95 per query, on PostgreSQL.

Run: .venv/bin/python bench/search.py [--dossiers 30000] [--postgres-url URL] [--sqlite]

The dossiers are drafted through the domain (varied titles, descriptions and communes, saved in
batches), the read models caught up and analysed, then each search is timed as the list runs it
(`queries.dossiers`: the count and the first page of 25, best matches first).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faps.application.clock import SettableClock
from faps.application.queries import RELEVANCE, DossierFilter
from faps.bootstrap import build
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierContent
from faps.infrastructure.settings import Settings
from tests.support import content

KINDS = ("Maison de santé pluriprofessionnelle", "Cabinet de kinésithérapie",
         "Centre dentaire", "Cabinet infirmier", "Pôle de santé", "Cabinet d'orthophonie",
         "Centre de radiologie", "Cabinet de sage-femme", "Local de téléconsultation",
         "Centre médical de garde")
WORKS = ("aménagement d'un local en rez-de-chaussée", "extension du bâtiment existant",
         "acquisition d'un fauteuil dentaire", "mise en accessibilité des cabinets",
         "création d'une salle de rééducation", "rénovation énergétique des locaux",
         "équipement d'un poste d'échographie", "installation de deux médecins généralistes")
QUERIES = ("emerainville", "Émerainville", "kinésithérapie", "maison sante", "dentaire",
           "reeducation", "orthophonie torcy", "accessibilite", "echographie lognes",
           "medecins generalistes")


def fill(faps: Any, count: int) -> None:
    """Draft `count` dossiers over the communes, with varied words."""
    rng = random.Random(2026)
    at = datetime(2024, 2, 5, 9, tzinfo=UTC)
    communes = list(faps.ctx.communes)
    batch = []
    for n in range(count):
        commune = communes[n % len(communes)]
        body = DossierContent.model_validate(content(
            title=f"{rng.choice(KINDS)} de {commune.name}",
            description=f"Projet {n} : {rng.choice(WORKS)}, puis {rng.choice(WORKS)}."))
        batch.append(Dossier.draft(SYSTEM_ACTOR, commune.insee, body, at))
        if len(batch) == 500:
            faps.app.save(*batch)
            batch = []
    if batch:
        faps.app.save(*batch)
    faps.projections.catch_up()
    if faps.engine.dialect.name == "postgresql":
        with faps.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE rm_dossiers")


def timed(faps: Any, text: str, times: int) -> tuple[list[float], int]:
    """Return the durations (ms) of a search run `times` times, and its matches."""
    flt = DossierFilter(text=text, sort=RELEVANCE, per_page=25)
    faps.queries.dossiers(SYSTEM_ACTOR, flt)  # warm
    durations = []
    for _ in range(times):
        start = time.perf_counter()
        page = faps.queries.dossiers(SYSTEM_ACTOR, flt)
        durations.append((time.perf_counter() - start) * 1000)
    return durations, page.total


def p95(values: list[float]) -> float:
    """Return the 95th percentile."""
    return statistics.quantiles(values, n=20)[-1]


def run(url: str, count: int, times: int) -> None:
    """Fill a store and print each query's figures."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=url, instance_path=Path(folder), secret_key="bench")
        faps = build(settings, SettableClock(datetime(2024, 2, 5, 9, tzinfo=UTC)),
                     fast_hashing=True)
        try:
            start = time.perf_counter()
            fill(faps, count)
            print(f"{faps.engine.dialect.name}: {count} dossiers drafted and projected in "
                  f"{time.perf_counter() - start:.0f} s")
            print(f"{'search':<24} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}")
            every: list[float] = []
            for text in QUERIES:
                durations, total = timed(faps, text, times)
                every.extend(durations)
                print(f"{text:<24} {total:>8} {statistics.median(durations):>8.1f} "
                      f"{p95(durations):>8.1f}")
            print(f"{'all searches':<24} {'':>8} {statistics.median(every):>8.1f} "
                  f"{p95(every):>8.1f}")
        finally:
            faps.close()


def main() -> None:
    """Measure on PostgreSQL (a scratch database), and on SQLite if asked."""
    import psycopg

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=30_000)
    parser.add_argument("--times", type=int, default=40)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--sqlite", action="store_true", help="SQLite too")
    args = parser.parse_args()
    name = f"faps_search_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{args.postgres_url}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        run(f"{args.postgres_url}/{name}", args.dossiers, args.times)
    finally:
        with psycopg.connect(f"{args.postgres_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/faps.sqlite3", args.dossiers, args.times)


if __name__ == "__main__":
    main()
