"""A realistic history of several dossiers, and a dump of every read-model row (test support)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from faps.application.clock import SettableClock
from faps.bootstrap import Faps
from faps.infrastructure.readmodels import tables as t
from tests.conftest import build_faps
from tests.support import World, make_world, pdf

COUNTS = ("rm_dossier_counts", "rm_work_queue_totals")  # (key…, n): kept counts
READ_TABLES = [table for name, table in sorted(t.metadata.tables.items())
               if name not in ("rm_positions", "rm_rebuilds")]


def history_store(tmp_path: Path) -> tuple[str, SettableClock, Faps]:
    """Return a SQLite file's URL, its clock and faps open on it, holding a realistic history."""
    url = f"sqlite:///{tmp_path / 'faps.sqlite3'}"
    clock = SettableClock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))
    faps = build_faps(url, tmp_path, clock)
    realistic_history(make_world(faps, clock))
    return url, clock, faps


def use_store(monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path,
              **settings: str) -> None:
    """Point the command line and `create_app` at a store (FAPS_* variables; more given)."""
    for name, value in {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "instance"),
                        "SECRET_KEY": "test-secret", **settings}.items():
        monkeypatch.setenv(f"FAPS_{name}", value)


def dump(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of every read-model table, in primary-key order. The kept counts'
    rows at zero are left out: following the log leaves a key that fell to zero where a
    rebuild, counting each dossier once in its final state, never made one (both sum to
    the same figures, which the tests of those counts check)."""
    with engine.connect() as conn:
        return {table.name: [tuple(r) for r in conn.execute(
            sa.select(table).where(*([table.c.n != 0] if table.name in COUNTS else []))
            .order_by(*_key(table)))] for table in READ_TABLES}


def _key(table: sa.Table) -> list[sa.Column[Any]]:
    """Return the table's key: its primary key, or else its unique index (timeline, ledger)."""
    if table.primary_key.columns:
        return list(table.primary_key.columns)
    return next(list(i.columns) for i in table.indexes if i.unique)


def pay_advance(w: World, dossier_id: UUID, amount: Decimal) -> UUID:
    """Sign the agreement, request an advance with its justificatif and pay it."""
    grants = w.faps.grants
    grants.notify(w.officer, dossier_id)
    grants.sign_agreement(w.officer, dossier_id, "CONV-1", w.clock.now().date())
    doc = w.faps.dossiers.attach(w.agent, dossier_id, "attestation_demarrage", "os.pdf",
                                 pdf(f"os-{dossier_id}"))
    request = grants.request_payment(w.agent, dossier_id, "avance", amount, Decimal("0"), (doc,))
    grants.make_payment(w.officer, dossier_id, request, amount, w.clock.now().date(), "MANDAT-1")
    return request


def realistic_history(w: World) -> dict[str, UUID]:
    """Drive a handful of dossiers through most of what can happen to one; return them."""
    f, clock = w.faps, w.clock
    draft = w.drafted()
    f.dossiers.edit(w.agent, draft, {"title": "Cabinet infirmier", "requested_amount": "25000.00"})
    waiting = w.submitted(title="Pôle de santé de Lognes")
    f.dossiers.request_information(w.officer, waiting, "Joindre le bail signé.")
    f.dossiers.add_note(w.officer, waiting, "Appeler la mairie.")
    f.dossiers.assign(w.officer, waiting, w.officer.account_id, w.officer.name)
    clock.advance(days=3)
    answered = w.submitted()
    f.dossiers.request_information(w.officer, answered, "Précisez le calendrier.")
    f.dossiers.provide_information(w.agent, answered, "Travaux en septembre.")
    ineligible = w.submitted(premises_tenure="autre")
    f.dossiers.close_ineligible(w.officer, ineligible, "Locaux mis à disposition.")
    clock.advance(days=10)
    awarded = w.awarded()
    pay_advance(w, awarded, Decimal("9000.00"))
    reduced = w.awarded(title="Maison médicale")
    pay_advance(w, reduced, Decimal("9000.00"))
    f.grants.reduce(w.officer, reduced, Decimal("25000.00"), "Dépenses moindres.")
    clock.advance(days=30)
    f.grants.record_clawback(w.officer, reduced, Decimal("1000.00"), "TITRE-7")
    lapsed = w.awarded()
    f.grants.lapse(w.officer, lapsed, "Travaux non commencés.")
    withdrawn_item = w.proposed()
    session = w.session(clock.now().date() + timedelta(days=10))
    (item,) = f.council.add_to_agenda(w.secretariat, session, [withdrawn_item])
    f.council.withdraw_item(w.secretariat, session, item, "Dossier à compléter.")
    chelles = f.dossiers.draft(w.other_agent, "77108", {"title": "Centre de santé"})
    return {"draft": draft, "waiting": waiting, "answered": answered, "ineligible": ineligible,
            "awarded": awarded, "reduced": reduced, "lapsed": lapsed,
            "withdrawn_item": withdrawn_item, "chelles": chelles, "session": session}
