"""The fund as of a date matches replaying the aggregates; Hypothesis histories rebuild exactly."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faps.application.clock import SettableClock
from faps.domain.budget import YearlyBudget
from faps.domain.errors import FapsError, PermissionDeniedError
from tests.conftest import build_faps
from tests.integration.readmodels_history import dump, pay_advance, realistic_history
from tests.support import World, make_world


def _replayed(w: World, aggregate_id: UUID, moment: datetime) -> Any:
    versions = [e.originator_version for e in w.faps.app.events.get(aggregate_id)
                if e.timestamp <= moment]
    return w.faps.app.repository.get(aggregate_id, version=versions[-1]) if versions else None


@pytest.mark.parametrize("store_url", ["memory", "sqlite"], indirect=True)
def test_the_fund_as_of_a_date_matches_replaying_the_aggregates(world: World):
    start = world.clock.now()
    ids = realistic_history(world)
    dossier_ids = [v for k, v in ids.items() if k != "session"]
    for days in (-1, 0, 4, 14, 60):
        moment = start + timedelta(days=days, hours=1)
        snapshot = world.faps.queries.fund_as_of(world.auditor, moment)
        rows = {r.dossier_id: r for r in snapshot.dossiers}
        expected = {i: d for i in dossier_ids if (d := _replayed(world, i, moment))}
        assert set(rows) == set(expected)
        for dossier_id, dossier in expected.items():
            row = rows[dossier_id]
            assert (row.state, row.reference, row.awarded, row.paid, row.version, row.title) == (
                dossier.state.value, dossier.reference, dossier.awarded_amount, dossier.paid,
                dossier.version, dossier.content.title)
        budget = _replayed(world, YearlyBudget.create_id(2024), moment)
        views = {b.year: b for b in snapshot.budgets}
        if budget is None:
            assert views == {}
        else:
            view = views[2024]
            assert (view.voted, view.committed, view.paid, view.remaining) == (
                budget.voted, budget.committed, budget.paid, budget.remaining)
        assert len(snapshot.sessions) == sum(
            1 for s in world.faps.queries.sessions(world.auditor)
            if _replayed(world, s.session_id, moment) is not None)
    with pytest.raises(PermissionDeniedError):
        world.faps.queries.fund_as_of(world.agent, start)


OPS = ("draft", "edit", "submit", "request", "answer", "assess", "propose", "award", "pay",
       "reduce", "lapse", "withdraw", "note", "assign", "later", "rename")

GRANT_OPS = ("pay", "reduce", "lapse")


def run_steps(w: World, steps: list[tuple[str, int]]) -> None:
    """Run generated steps; a command refused (and so recording nothing) is passed over."""
    mine: list[UUID] = []
    for op, pick in steps:
        with contextlib.suppress(FapsError):
            _step(w, op, pick, mine)


def _step(w: World, op: str, pick: int, mine: list[UUID]) -> None:
    f = w.faps
    target = mine[pick % len(mine)] if mine else None
    if op in GRANT_OPS and target and f.queries.dossier(w.officer, target).state != "attribue":
        return  # the grant services assume an awarded dossier
    if op == "draft" or target is None:
        mine.append(w.drafted(title=f"Projet {len(mine)}"))
    elif op == "edit":
        f.dossiers.edit(w.agent, target, {"title": f"Titre {pick}",
                                          "requested_amount": f"{1000 + pick}.00"})
    elif op == "submit":
        mine.append(w.submitted())
    elif op == "request":
        f.dossiers.request_information(w.officer, target, "Compléments.")
    elif op == "answer":
        f.dossiers.provide_information(w.agent, target, "Voici.")
    elif op == "assess":
        mine.append(w.assessed())
    elif op == "propose":
        mine.append(w.proposed())
    elif op == "award":
        mine.append(w.awarded())
    elif op == "pay":
        pay_advance(w, target, Decimal("1000.00"))
    elif op == "reduce":
        f.grants.reduce(w.officer, target, Decimal("2000.00"), "Moins cher.")
    elif op == "lapse":
        f.grants.lapse(w.officer, target, "Caduc.")
    elif op == "withdraw":
        f.dossiers.withdraw(w.agent, target, "Abandon.")
    elif op == "note":
        f.dossiers.add_note(w.officer, target, f"Note {pick}")
    elif op == "assign":
        f.dossiers.assign(w.officer, target, w.officer.account_id, w.officer.name)
    elif op == "rename":
        f.accounts.change_role(w.admin, w.auditor.account_id, w.auditor.role, None)
    else:
        w.clock.advance(days=pick % 40)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50)), min_size=1, max_size=14))
def test_any_history_rebuilds_to_the_rows_it_was_projected_to(steps: list[tuple[str, int]]):
    clock = SettableClock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        faps = build_faps("memory://", Path(tmp), clock)
        try:
            run_steps(make_world(faps, clock), steps)
            incremental = dump(faps.engine)
            faps.projections.rebuild()
            assert dump(faps.engine) == incremental
        finally:
            faps.close()
