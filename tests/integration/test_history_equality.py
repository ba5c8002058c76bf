"""The history tables answer exactly what replaying the log answered: the fund as of any
moment (before anything existed, at, just before and just after every event, between events of
the same second), the écarts, the deadlines; on the demo, on generated histories, after a
rebuild too."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faps.application.clock import SettableClock
from faps.application.demo import Demo, demo_clock
from faps.application.fund_history import budget_deltas, changes_between, summary
from faps.application.queries import Page
from faps.bootstrap import Faps
from faps.domain.actors import SYSTEM_ACTOR, Actor, Role
from faps.infrastructure.readmodels.history_tables import dossier_versions
from tests.conftest import build_faps
from tests.integration.readmodels_history import dump, realistic_history
from tests.integration.test_readmodels_asof import OPS, run_steps
from tests.oracles import replayed_deadlines, replayed_fund
from tests.support import World, make_world

US = timedelta(microseconds=1)


def stamps(faps: Faps) -> list[datetime]:
    """Return every event's timestamp, in the log's order."""
    app = faps.ctx.app
    return [app.mapper.to_domain_event(n).timestamp
            for n in app.recorder.select_notifications(1, 10**9)]


def moments(faps: Faps, every: int = 1) -> list[datetime]:
    """Return moments around every `every`-th event: just before, at, just after, halfway to
    the next one; and before the first."""
    times = sorted(set(stamps(faps)))
    found = {times[0] - timedelta(days=1), times[0] - US}
    for i, at in enumerate(times[::every]):
        found.update((at - US, at, at + US))
        following = times[min(i * every + 1, len(times) - 1)]
        found.add(at + (following - at) / 2)
    return sorted(found)


def assert_same_fund(faps: Faps, at: list[datetime]) -> None:
    """Assert the history tables give the replayed fund at each moment: whole, as the fund's
    page shows it (totals, budgets, every page of dossiers), and the écarts between moments."""
    queries = faps.queries
    replayed = {}
    for moment in at:
        expected = replayed[moment] = replayed_fund(faps, moment)
        assert queries.fund_as_of(SYSTEM_ACTOR, moment) == expected, moment
        overview = queries.fund_overview(SYSTEM_ACTOR, moment, per_page=7)
        assert (overview.by_state, overview.budgets) == (summary(expected), expected.budgets)
        assert all_pages(partial(queries.fund_overview, SYSTEM_ACTOR, moment, per_page=7),
                         "dossiers") == expected.dossiers
    pairs = [*pairwise(at), (at[0], at[-1]), (at[len(at) // 3], at[-1])]
    for start, end in pairs:
        found = queries.fund_changes(SYSTEM_ACTOR, start, end)
        assert found.deltas == budget_deltas(replayed[start].budgets, replayed[end].budgets)
        assert all_pages(partial(queries.fund_changes, SYSTEM_ACTOR, start, end, per_page=5),
                         "changed") == changes_between(replayed[start], replayed[end]), (
            start, end)


def all_pages(answer: Callable[..., Any], name: str) -> list[Any]:
    """Return the items of every page of a paginated answer's `name` (asserting its count
    is theirs)."""
    first: Page[Any] = getattr(answer(page=1), name)
    items = first.items + [i for n in range(2, first.pages + 1)
                           for i in getattr(answer(page=n), name).items]
    assert first.total == len(items), (name, first.total, len(items))
    return items


def assert_same_deadlines(w: World, days: list[date]) -> None:
    """Assert the deadlines from the read model are the replayed ones, for every reader."""
    for today in days:
        for actor in (w.officer, w.agent, w.other_agent):
            for near in (-1, 15, 5000):
                assert w.faps.deadlines.deadlines(actor, today, near) == replayed_deadlines(
                    w.faps, actor, today, near), (today, actor.role, near)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faps]:
    """Write the demo once for the module (in memory, fast hashing)."""
    clock = demo_clock(date.today())
    faps = build_faps("memory://", tmp_path_factory.mktemp("demo"), clock)
    with faps.unit_of_work():
        Demo(faps, clock, date.today()).run()
    yield faps
    faps.close()


def test_the_demo_fund_as_of_any_moment_is_the_replayed_one(demo: Faps) -> None:
    times = moments(demo, every=max(1, len(stamps(demo)) // 60))
    assert len(times) > 100
    assert_same_fund(demo, times)
    assert demo.queries.fund_as_of(SYSTEM_ACTOR, times[0]).dossiers == []


def test_the_demo_deadlines_are_the_replayed_ones(demo: Faps) -> None:
    def reader(role: Role, commune: str | None = None) -> Actor:
        return Actor(account_id=uuid4(), email="x@x.test", role=role, commune=commune,
                     name="Lecteur")
    w: Any = SimpleNamespace(faps=demo, officer=reader(Role.FINANCE_OFFICER),
                             agent=reader(Role.COMMUNE_AGENT, "77258"),
                             other_agent=reader(Role.COMMUNE_AGENT, "77108"))
    today = demo.ctx.clock.now().date()
    assert demo.deadlines.deadlines(w.officer, today, 5000), "the demo has deadlines"
    assert_same_deadlines(w, [today - timedelta(days=400), today, today + timedelta(days=30),
                              today + timedelta(days=800)])


@pytest.mark.parametrize("store_url", ["memory", "sqlite", "postgres"], indirect=True)
def test_a_realistic_history_as_of_every_moment_is_the_replayed_one(world: World) -> None:
    realistic_history(world)
    times = moments(world.faps)
    assert_same_fund(world.faps, times)
    start = world.clock.now().date()
    assert_same_deadlines(world, [start + timedelta(days=d) for d in (-30, 0, 20, 200, 800)])
    incremental = dump(world.faps.engine)
    world.faps.projections.rebuild(["history"])
    assert dump(world.faps.engine) == incremental


def test_the_benchmark_generator_as_of_every_moment_is_the_replayed_one(
        tmp_path: Path) -> None:
    from bench.generate import generate

    faps = build_faps("memory://", tmp_path, SettableClock(datetime(2024, 1, 1, tzinfo=UTC)))
    try:  # every state of the lifecycle, sessions and budgets, several dossiers a day
        generate(faps, 400, 12, years=2, today=date(2025, 6, 30), batch=200,
                 log=lambda *args, **kwargs: None)
        faps.projections.catch_up()
        times = moments(faps, every=6)
        times += [t + timedelta(milliseconds=500) for t in times[::7]]
        assert_same_fund(faps, sorted(times))
    finally:
        faps.close()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50)), min_size=1, max_size=14))
def test_any_history_as_of_every_moment_is_the_replayed_one(steps: list[tuple[str, int]]):
    clock = SettableClock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        faps = build_faps("memory://", Path(tmp), clock)
        try:
            w = make_world(faps, clock)
            run_steps(w, steps)
            assert_same_fund(faps, moments(faps))
            today = clock.now().date()
            assert_same_deadlines(w, [today, today + timedelta(days=400)])
        finally:
            faps.close()


def test_a_dossier_back_to_values_it_had_is_unchanged_between_every_pair_of_moments(
        tmp_path: Path) -> None:
    """The écarts' count skips the dossiers whose run of equal values began before the start
    and compares only the `recurring` runs: a dossier asked for information and answered is
    submitted again (the state it had), a draft edited to 1,500 €, 2,000 € and back to
    1,500 €; at every pair of moments the écarts are the replayed ones."""
    clock = SettableClock(datetime(2024, 3, 4, 9, 0, tzinfo=UTC))
    faps = build_faps("memory://", tmp_path, clock)
    try:
        w = make_world(faps, clock)
        asked, edited = w.submitted(), w.drafted()
        steps = [lambda: faps.dossiers.request_information(w.officer, asked, "Compléments."),
                 lambda: faps.dossiers.provide_information(w.agent, asked, "Voici."),
                 lambda: faps.dossiers.request_information(w.officer, asked, "Encore."),
                 lambda: faps.dossiers.provide_information(w.agent, asked, "Voilà."),
                 *(partial(faps.dossiers.edit, w.agent, edited, {"requested_amount": amount})
                   for amount in ("2000.00", "1500.00", "2000.00"))]
        done = []  # (when, which dossier)
        for i, step in enumerate(steps):
            done.append((clock.advance(hours=1), asked if i < 4 else edited))
            step()
        times = moments(faps)
        replayed = {at: replayed_fund(faps, at) for at in times}
        unchanged = 0
        for i, start in enumerate(times):
            for end in times[i + 1:]:
                found = all_pages(partial(faps.queries.fund_changes, SYSTEM_ACTOR, start, end),
                                  "changed")
                assert found == changes_between(replayed[start], replayed[end]), (start, end)
                ids = {c.row.dossier_id for c in found}
                unchanged += sum(1 for at, which in done
                                 if start >= done[0][0] - timedelta(minutes=30) and
                                 start < at <= end and which not in ids)
        assert unchanged  # pairs across a change and its undoing: compared, found the same
        v = dossier_versions.c
        with faps.engine.connect() as conn:  # the earlier values' hashes: the open version's
            kept = conn.execute(sa.select(v.valid_to.is_(None), v.runs_seen.isnot(None))
                                .where(v.dossier_id == asked)).all()
        assert sorted(kept) == [(False, False)] * (len(kept) - 1) + [(True, True)]
    finally:
        faps.close()
