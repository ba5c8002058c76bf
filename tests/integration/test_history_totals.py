"""The history's totals by period: what the versions sum to, whatever the batches; the fund's
page and écarts read from them equal the replayed fund at any moment (mid-day, at an event,
around a version closed at its own start, across months and years), on every store."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faps.application.clock import SettableClock
from faps.application.fund_history import changes_between, summary
from faps.bootstrap import Faps
from faps.domain.actors import SYSTEM_ACTOR
from faps.infrastructure.readmodels import history_tables as h
from faps.infrastructure.readmodels.history_totals import GRAINS, Totals
from tests.conftest import build_faps
from tests.integration.readmodels_history import dump, realistic_history
from tests.integration.test_history_equality import all_pages, assert_same_fund, moments, stamps
from tests.integration.test_readmodels_asof import OPS, run_steps
from tests.oracles import replayed_fund
from tests.support import World, make_world

US = timedelta(microseconds=1)


def summed(engine: sa.Engine, totals: Totals) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Return what the totals table must hold: every stored version's figures, added at its
    start and taken off at its end, summed by period (groups summing to nothing left out)."""
    found: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0] * len(totals.values))
    with engine.connect() as conn:
        for row in conn.execute(sa.select(totals.versions)).mappings():
            group, figures = totals.figures(dict(row))
            for at, sign in ((row["valid_from"], 1), (row["valid_to"], -1)):
                if at is None:
                    continue
                day = at.astimezone(UTC).date()
                for grain, period in zip(GRAINS, (day.replace(month=1, day=1),
                                                  day.replace(day=1), day), strict=True):
                    line = found[(grain, period, *group)]
                    for i, value in enumerate(figures):
                        line[i] += sign * value
    return {k: tuple(v) for k, v in found.items() if any(v)}


def stored(engine: sa.Engine, totals: Totals) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Return the totals table's rows, by key."""
    width = 2 + len(totals.group_names)
    with engine.connect() as conn:
        return {tuple(r[:width]): tuple(r[width:]) for r in conn.execute(sa.select(totals.table))}


def later_history(w: World, ids: dict[str, Any]) -> None:
    """Carry a realistic history on across a year's end: events at mid-day, at the same
    moment as others (a version closed at its own start), a month and a year apart."""
    f, clock = w.faps, w.clock
    clock.advance(days=200, hours=5, minutes=7)
    f.grants.reduce(w.officer, ids["awarded"], Decimal("20000.00"), "Devis revu.")
    f.dossiers.request_information(w.officer, ids["answered"], "Le devis, encore.")
    f.dossiers.provide_information(w.agent, ids["answered"], "Le voici.")  # the same moment
    clock.advance(days=150, seconds=1)  # the next year
    f.dossiers.edit(w.other_agent, ids["chelles"], {"title": "Centre de santé de Chelles",
                                              "requested_amount": "41000.00"})
    clock.advance(hours=13)
    f.dossiers.add_note(w.officer, ids["waiting"], "Relancer.")
    w.submitted(title="Cabinet de kinésithérapie")


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_the_totals_are_the_versions_summed_by_period_and_a_rebuild_writes_them_again(
        world: World) -> None:
    later_history(world, realistic_history(world))
    engine = world.faps.engine
    for totals in (h.dossier_totals, h.line_totals):
        expected = summed(engine, totals)
        assert {k[0] for k in expected} == set(GRAINS)
        assert stored(engine, totals) == expected, totals.table.name
    incremental = dump(engine)
    world.faps.projections.workers, world.faps.projections.split_from = 2, 0
    world.faps.projections.batch_size = 4
    world.faps.projections.rebuild(["history"])
    assert dump(engine) == incremental


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_the_fund_across_months_and_years_is_the_replayed_one_at_any_moment(
        world: World) -> None:
    later_history(world, realistic_history(world))
    times = moments(world.faps)
    days = sorted({t.date() for t in stamps(world.faps)})
    ends = [datetime.combine(d + timedelta(days=1), datetime.min.time(), tzinfo=UTC) - US
            for d in days]  # the ends of days (read from the day totals alone)
    assert_same_fund(world.faps, sorted({*times, *ends}))


def test_a_page_past_the_last_dossier_is_empty_and_pages_split_drafts_from_the_rest(
        memory_world: World) -> None:
    w = memory_world
    ids = realistic_history(w)
    now = w.clock.now()
    expected = replayed_fund(w.faps, now)
    overview = partial(w.faps.queries.fund_overview, SYSTEM_ACTOR, now, per_page=3)
    drafts = [r for r in expected.dossiers if r.reference is None]
    assert drafts and len(drafts) < len(expected.dossiers)  # a page holds both kinds
    assert all_pages(overview, "dossiers") == expected.dossiers
    assert overview(page=99).dossiers.items == []
    assert overview(page=99).dossiers.total == len(expected.dossiers)
    changes = w.faps.queries.fund_changes(SYSTEM_ACTOR, now - timedelta(days=60), now,
                                          page=99, per_page=3)
    assert changes.changed.items == [] and changes.changed.total > 0
    assert ids["draft"] in {r.dossier_id for r in drafts}


# Steps of the lifecycle with the clock moved by hours, days or most of a year between them.
LEAPS = st.sampled_from([timedelta(0), timedelta(hours=7), timedelta(days=1, hours=3),
                         timedelta(days=33), timedelta(days=290)])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50), LEAPS), min_size=1,
                max_size=12), st.lists(st.floats(0, 1), min_size=2, max_size=4))
def test_any_history_over_years_gives_the_replayed_totals_pages_and_ecarts(
        steps: list[tuple[str, int, timedelta]], picks: list[float]) -> None:
    clock = SettableClock(datetime(2024, 11, 28, 9, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        faps: Faps = build_faps("memory://", Path(tmp), clock)
        try:
            w = make_world(faps, clock)
            for op, pick, leap in steps:
                clock.advance(seconds=leap.total_seconds())
                run_steps(w, [(op, pick)])
            times = stamps(faps)
            first, last = times[0] - timedelta(hours=1), times[-1] + timedelta(hours=1)
            chosen = sorted(first + (last - first) * p for p in picks)
            queries = faps.queries
            fund = {m: replayed_fund(faps, m) for m in chosen}
            for m in chosen:
                found = queries.fund_overview(SYSTEM_ACTOR, m, per_page=2)
                assert found.by_state == summary(fund[m])
                assert found.budgets == fund[m].budgets
                assert all_pages(partial(queries.fund_overview, SYSTEM_ACTOR, m, per_page=2),
                                 "dossiers") == fund[m].dossiers
            start, end = chosen[0], chosen[-1]
            assert all_pages(partial(queries.fund_changes, SYSTEM_ACTOR, start, end,
                                     per_page=2), "changed") == changes_between(
                fund[start], fund[end])
        finally:
            faps.close()
