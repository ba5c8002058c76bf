"""Filings and votes at the same instant: no false conflict, references unique and gapless."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from faps.bootstrap import Faps
from faps.domain.accounts import Role
from faps.domain.errors import ConflictError
from faps.domain.money import format_euros
from tests.conftest import build_faps
from tests.support import FILING_KINDS, World, content, make_world, pdf

COMMUNES = ["77258", "77108", "77055", "77083", "77139", "77146"]


@pytest.fixture(params=["sqlite", "postgres"])
def shared_world(request: pytest.FixtureRequest, tmp_path, clock) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """A world on a store that several threads write to at once (SQLite file, PostgreSQL)."""
    url = (f"sqlite:///{tmp_path / 'faps.sqlite3'}" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    faps = build_faps(url, tmp_path, clock)
    yield make_world(faps, clock)
    faps.close()


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # the test reports every failure, not only the first
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def ready_draft(world: World, commune: str) -> tuple[Any, Any]:
    """Return an agent of the commune and a draft of theirs with every filing document."""
    faps: Faps = world.faps
    agent = world.actor(f"agent@{commune}.test", Role.COMMUNE_AGENT, commune)
    dossier_id = faps.dossiers.draft(agent, commune, content(title=f"Cabinet médical {commune}"))
    for kind in FILING_KINDS:
        faps.dossiers.attach(agent, dossier_id, kind, f"{kind}.pdf", pdf(kind))
    return agent, dossier_id


def test_communes_filing_at_the_same_instant_all_get_distinct_gapless_references(
        shared_world: World) -> None:
    faps = shared_world.faps
    drafts = [ready_draft(shared_world, commune) for commune in COMMUNES]
    version = {d: faps.dossiers.load(a, d).version for a, d in drafts}

    results = at_once([lambda a=a, d=d: faps.dossiers.submit(a, d, expected_version=version[d])
                       for a, d in drafts])

    assert [r for r in results if isinstance(r, Exception)] == []
    year = shared_world.clock.now().year
    assert sorted(results) == [f"FAPS-{year}-{n:03d}" for n in range(1, len(COMMUNES) + 1)]
    for (agent, dossier_id), reference in zip(drafts, results, strict=True):
        assert faps.dossiers.find(agent, reference).id == dossier_id


def test_a_real_conflict_on_the_same_dossier_says_what_changed(shared_world: World) -> None:
    faps = shared_world.faps
    agent, dossier_id = ready_draft(shared_world, "77258")
    seen = faps.dossiers.load(agent, dossier_id).version
    faps.dossiers.edit(agent, dossier_id, {"title": "Centre de santé des Quatre-Vents"})

    with pytest.raises(ConflictError) as caught:
        faps.dossiers.submit(agent, dossier_id, expected_version=seen)

    message = caught.value.message
    assert "quelqu'un d'autre" not in message
    assert "Dossier modifié" in message and "agent" in message
    assert faps.dossiers.load(agent, dossier_id).reference is None


def test_simultaneous_awards_of_one_session_all_commit_the_budget(shared_world: World) -> None:
    world, faps = shared_world, shared_world.faps
    proposals = [world.proposed() for _ in range(4)]
    session_id = world.session()
    items = faps.council.add_to_agenda(world.secretariat, session_id, proposals)
    amounts = {i: faps.dossiers.load(world.officer, d).proposed_amount
               for i, d in zip(items, proposals, strict=True)}

    results = at_once([
        lambda i=i: faps.council.record_outcome(world.secretariat, session_id, i, "adoptee",
                                                amounts[i], f"DEL-2024-{i:03d}", (50, 3, 2),
                                                (52, 55))
        for i in items])

    assert [r for r in results if isinstance(r, Exception)] == []
    budget = faps.budgets.get(world.secretariat, 2024)
    assert budget.committed == sum(amounts.values(), Decimal(0))


def test_two_simultaneous_budget_votes_leave_one_winner_and_tell_the_other_what_changed(
        shared_world: World) -> None:
    world, faps = shared_world, shared_world.faps
    secretariat = world.secretariat
    results = at_once([
        lambda: faps.budgets.vote(secretariat, 2025, Decimal("800000"), "DEL-2024-100",
                                  seen=None),
        lambda: faps.budgets.vote(secretariat, 2025, Decimal("900000"), "DEL-2024-101",
                                  seen=None),
    ])

    budget = faps.budgets.get(secretariat, 2025)
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], ConflictError)
    message = failures[0].message
    assert "quelqu'un d'autre" not in message
    assert budget.deliberation_reference in message
    assert format_euros(budget.voted) in message
