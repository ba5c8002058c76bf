"""bench/generate.py writes valid, replayable histories through every state of the lifecycle,
the same for the same seed, and its rebuilt read models equal following the log."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.generate import PASSWORD, Generated, generate
from faps.application.clock import SettableClock
from faps.bootstrap import Faps
from faps.domain.dossier_content import DossierState
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.workqueue import work_count, work_items, work_totals
from tests.conftest import build_faps
from tests.integration.readmodels_history import dump

TODAY = date(2026, 12, 7)
EVENTS_SEEN = {"Drafted", "Submitted", "InformationRequested", "InformationProvided",
               "DeclaredComplete", "EligibilityAssessed", "Proposed", "PlacedOnAgenda", "Voted",
               "MunicipalDeliberationRecorded", "Notified", "AgreementSigned",
               "PaymentRequested", "PaymentMade", "GrantReduced", "ClawbackRecovered", "Lapsed",
               "Withdrawn", "Closed", "ClosedIneligible", "DraftDeleted", "NoteAdded",
               "MessagePosted", "Scheduled", "ItemAdded", "OutcomeRecorded", "OfficerAssigned",
               "Committed", "CommitmentReduced", "PaymentRecorded", "Issued", "Opened"}


def generated(tmp_path: Path, seed: int = 7) -> tuple[Faps, Generated]:
    """Generate a small store in a SQLite file of its own."""
    clock = SettableClock(datetime(2026, 12, 7, 9, tzinfo=UTC))
    faps = build_faps(f"sqlite:///{tmp_path / 'faps.sqlite3'}", tmp_path, clock)
    result = generate(faps, events=4000, dossiers=130, years=3, seed=seed, today=TODAY,
                      batch=700, log=lambda *a, **k: None)
    return faps, result


def event_names(faps: Faps) -> Counter[str]:
    """Count the stored events by class name."""
    with faps.engine.connect() as conn:
        topics = conn.execute(sa.text("SELECT topic FROM stored_events")).scalars()
        return Counter(topic.rsplit(".", 1)[-1] for topic in topics)


def test_every_state_of_the_lifecycle_is_generated_and_replays(tmp_path: Path):
    faps, result = generated(tmp_path)
    try:
        with faps.engine.connect() as conn:
            rows = conn.execute(sa.select(t.dossiers.c.dossier_id, t.dossiers.c.state)).all()
        assert {state for _, state in rows} == {s.value for s in DossierState}
        assert len(rows) == result.dossiers == 130
        names = event_names(faps)
        assert set(names) >= EVENTS_SEEN, EVENTS_SEEN - set(names)
        assert 3600 <= result.events <= 4400 and result.sessions >= 6
        with faps.engine.connect() as conn:  # the clock of the histories never ran ahead
            last = conn.execute(sa.select(sa.func.max(t.timeline.c.at))).scalar_one()
        assert datetime(2026, 11, 1, tzinfo=UTC) < last.replace(tzinfo=UTC) < datetime(
            2026, 12, 7, tzinfo=UTC)
        for dossier_id, state in rows:  # the log replays into the state the read model shows
            assert faps.app.load(dossier_id).state.value == state
        for year in (2024, 2025, 2026):
            assert faps.budgets.get(faps.accounts.by_email("controle@crc-idf.test")
                                    .as_actor(), year).committed > 0
        agent = faps.accounts.by_email("agent@champs-sur-marne.test")
        assert agent is not None
        assert faps.accounts.sign_in(agent.email, PASSWORD).actor is not None
        items = work_items(faps.engine)  # the menu and the badges count what the queue lists
        assert work_totals(faps.engine) == {k: len(v) for k, v in items.items()}
        assert work_count(faps.engine) == sum(len(v) for v in items.values()) > 0
        assert all(len(v) <= 2 for v in work_items(faps.engine, limit=2).values()
                   if v and v[0]["what"] not in ("versements", "avis"))
        rebuilt = dump(faps.engine)
        faps.projections.reset()
        faps.projections.catch_up()  # following the log, as the web requests do
        assert dump(faps.engine) == rebuilt
    finally:
        faps.close()


def test_the_same_seed_writes_the_same_log(tmp_path: Path):
    logs = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        faps, _ = generated(tmp_path / run)
        with faps.engine.connect() as conn:
            logs.append(conn.execute(sa.text(
                "SELECT originator_id, originator_version, topic, state FROM stored_events "
                "ORDER BY rowid")).all())
        faps.close()
    assert logs[0] == logs[1]
