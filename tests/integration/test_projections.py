"""Projections are exact: rebuild equals incremental, a crash resumes, followers never double."""

from __future__ import annotations

import random
import threading
from uuid import UUID

import pytest
import sqlalchemy as sa

from faps.application.app import FapsApplication
from faps.application.queries import SORTS, DossierFilter, DossierRow
from faps.bootstrap import Faps
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.dossiers import DossierProjection
from faps.infrastructure.readmodels.runner import ProjectionRunner
from faps.infrastructure.readmodels.wiring import all_projections
from faps.infrastructure.stores import make_engine
from faps.infrastructure.transcodings import faps_transcodings
from tests.conftest import build_faps
from tests.integration.readmodels_history import (
    dump,
    history_store,
    realistic_history,
    use_store,
)
from tests.support import World


def test_rebuilding_gives_exactly_the_rows_incremental_updating_gave(world: World):
    realistic_history(world)
    incremental = dump(world.faps.engine)
    assert len(incremental["rm_dossiers"]) == 9 and len(incremental["rm_payments"]) == 3
    world.faps.projections.rebuild()
    assert dump(world.faps.engine) == incremental
    assert all(s["lag"] == 0 for s in world.faps.projections.status())


class Crash(Exception):
    """A projection process dying in the middle of a batch."""


def test_a_projection_killed_mid_run_resumes_to_the_same_rows(
        world: World, monkeypatch: pytest.MonkeyPatch):
    realistic_history(world)
    runner = world.faps.projections
    expected = dump(world.faps.engine)
    runner.reset()
    runner.batch_size = 7
    original = DossierProjection._dossier_event
    calls, kill_at = [0], random.Random(7).randrange(20, 80)

    def dying(self, event):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == kill_at:
            raise Crash()
        original(self, event)

    monkeypatch.setattr(DossierProjection, "_dossier_event", dying)
    with pytest.raises(Crash):
        runner.catch_up()
    assert 0 < runner.positions()["dossiers"][0] < runner.app.recorder.max_notification_id()
    runner.catch_up()
    assert dump(world.faps.engine) == expected


def _second_runner(faps: Faps) -> tuple[ProjectionRunner, FapsApplication]:
    app = FapsApplication(env=faps.store.event_env, transcodings=faps_transcodings())
    runner = ProjectionRunner(app, make_engine(faps.store),
                              all_projections(faps.ctx.communes), batch_size=5)
    return runner, app


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_two_followers_running_together_produce_the_rows_of_one(world: World):
    realistic_history(world)
    expected = dump(world.faps.engine)
    world.faps.projections.reset()
    followers = [_second_runner(world.faps) for _ in range(2)]
    stop, errors = threading.Event(), []

    def follow(runner: ProjectionRunner) -> None:
        try:
            runner.follow(interval=0.01, stop=stop)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=follow, args=(r,)) for r, _ in followers]
    for thread in threads:
        thread.start()
    head = world.faps.app.recorder.max_notification_id()
    first = followers[0][0]
    ok = _wait(lambda: stop.is_set() or all(s["position"] == head for s in first.status()))
    stop.set()
    for thread in threads:
        thread.join()
    for runner, app in followers:
        runner.engine.dispose()
        app.close()
    assert ok and not errors
    assert dump(world.faps.engine) == expected


def _wait(condition, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    from faps.infrastructure.readmodels.runner import wait_for

    return wait_for(condition, timeout)


def test_a_changed_projection_version_is_rebuilt_at_start(
        tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url, clock, faps = history_store(tmp_path)
    expected = dump(faps.engine)
    faps.close()
    monkeypatch.setattr(DossierProjection, "version", DossierProjection.version + 1)
    again = build_faps(url, tmp_path, clock)
    try:
        assert again.projections.positions()["dossiers"][1] == DossierProjection.version
        assert dump(again.engine) == expected
    finally:
        again.close()


def _index_names(engine: sa.Engine, table: sa.Table) -> set[str]:
    with engine.connect() as conn:
        return {str(i["name"]) for i in sa.inspect(conn).get_indexes(table.name)}


def _declared(engine: sa.Engine, table: sa.Table) -> set[str]:
    """Return the table's indexes that this engine's dialect creates."""
    dialect = engine.dialect.name
    return {str(i.name) for i in table.indexes
            if i._ddl_if is None or i._ddl_if.dialect in (None, dialect)}


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_a_rebuild_indexes_its_tables_once_filled_and_start_repairs_a_killed_one(world: World):
    realistic_history(world)
    runner, engine = world.faps.projections, world.faps.engine
    runner.reset(["dossiers"])
    assert _index_names(engine, t.dossiers) == set()  # bare while the rows go in
    runner.catch_up()  # as a rebuild killed before its indexes were built left it
    runner.start()
    assert _index_names(engine, t.dossiers) == _declared(engine, t.dossiers)
    assert len(_declared(engine, t.dossiers)) >= 13
    runner.rebuild()
    for table in t.metadata.tables.values():
        assert _index_names(engine, table) >= _declared(engine, table), table.name


def test_an_index_declared_later_is_built_at_start_without_a_rebuild(world: World):
    realistic_history(world)
    runner, engine = world.faps.projections, world.faps.engine
    with engine.begin() as conn:  # a store from before the index was declared
        conn.execute(sa.text("DROP INDEX ix_rm_timeline_kind"))
    positions = runner.positions()
    assert runner.start() == []  # nothing stale: nothing rebuilt
    assert "ix_rm_timeline_kind" in _index_names(engine, t.timeline)
    assert runner.positions() == positions


def _expected_order(rows: list[DossierRow], sort: str) -> list[UUID]:
    """Sort as the list promises: by the column, nulls last, ties by id, in either direction."""
    name, descending = sort.lstrip("-"), sort.startswith("-")
    name = "commune_name" if name == "commune" else name
    present = sorted((r for r in rows if getattr(r, name) is not None),
                     key=lambda r: (getattr(r, name), r.dossier_id), reverse=descending)
    return [r.dossier_id for r in present] + sorted(
        (r.dossier_id for r in rows if getattr(r, name) is None), reverse=descending)


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_every_sort_of_the_list_puts_blanks_last_in_both_directions(world: World):
    realistic_history(world)
    queries = world.faps.queries
    # Unfiled drafts (no reference) are the commune's own: its agent lists them.
    rows = queries.dossiers(world.agent, DossierFilter(per_page=200)).items
    assert any(r.reference is None for r in rows) and any(r.next_deadline for r in rows)
    for sort in SORTS:
        found = [r.dossier_id for r in queries.dossiers(
            world.agent, DossierFilter(sort=sort, per_page=200)).items]
        assert found == _expected_order(rows, sort), sort


def test_with_autorebuild_off_a_changed_version_waits_for_the_rebuild_command(
        tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from faps.cli import main
    from faps.domain.errors import ConfigurationError
    from faps.web import create_app

    url, _, faps = history_store(tmp_path)
    expected = dump(faps.engine)
    faps.close()
    monkeypatch.setattr(DossierProjection, "version", DossierProjection.version + 1)
    use_store(monkeypatch, url, tmp_path, PROJECTIONS_AUTOREBUILD="false")
    with pytest.raises(ConfigurationError, match="faps projections rebuild"):
        create_app()  # the pages would read tables of the previous version
    cli = CliRunner()
    status = cli.invoke(main, ["projections", "status"])
    assert "dossiers" in status.output and "version à reconstruire" in status.output
    rebuilt = cli.invoke(main, ["projections", "rebuild", "--if-stale"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "événements relus" in rebuilt.output
    again = cli.invoke(main, ["projections", "rebuild", "--if-stale"])
    assert again.exit_code == 0 and "Rien à reconstruire" in again.output
    app = create_app()
    try:
        assert dump(app.extensions["faps"].engine) == expected
    finally:
        app.extensions["faps"].close()


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_the_kept_counts_are_the_dossiers_counted_and_the_lists_totals(world: World):
    from faps.application.queries import DossierFilter

    realistic_history(world)
    engine, D, C = world.faps.engine, t.dossiers, t.dossier_counts
    with engine.connect() as conn:
        counted = {tuple(r[:3]): r[3] for r in conn.execute(
            sa.select(D.c.commune, D.c.state, D.c.year, sa.func.count())
            .group_by(D.c.commune, D.c.state, D.c.year))}
        kept = {tuple(r[:3]): r[3] for r in conn.execute(sa.select(C)) if r[3]}
    assert kept == counted and len(kept) > 3
    queries = world.faps.queries
    states = sorted({state for _, state, _ in counted})
    for flt in (DossierFilter(), DossierFilter(states=(states[0], states[-1])),
                DossierFilter(commune="77258"), DossierFilter(year=2024),
                DossierFilter(commune="77108", states=tuple(states), year=2024)):
        expected = sum(n for (commune, state, year), n in counted.items()
                       if state not in ("brouillon", "brouillon_supprime")
                       and (not flt.commune or commune == flt.commune)
                       and (not flt.states or state in flt.states)
                       and (flt.year is None or year == flt.year))
        assert queries.dossiers(world.officer, flt).total == expected, flt
    agent_total = sum(n for (commune, state, _), n in counted.items()
                      if commune == world.agent.commune and state != "brouillon_supprime")
    assert queries.dossiers(world.agent, DossierFilter()).total == agent_total


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_the_work_queues_kept_totals_are_its_items_counted(world: World):
    from faps.infrastructure.readmodels.workqueue import KINDS, work_queue, work_totals

    realistic_history(world)
    w = world
    dossier_id = w.submitted()  # to check; another asked for a piece; a commune's message
    w.faps.dossiers.request_information(w.officer, w.submitted(), "Joignez le bail.", ())
    w.faps.exchanges.post(w.agent, dossier_id, "Le calendrier est confirmé.", [])
    with w.faps.engine.connect() as conn:
        rows = conn.execute(sa.select(work_queue)).mappings().all()
    counted = {kind: sum((len(r["payments"]) if kind == "versements" else
                          len(r["opinions"]) if kind == "avis" else 1)
                         for r in rows if r[f"wait_{kind}"] is not None) for kind in KINDS}
    assert work_totals(w.faps.engine) == counted
    assert sum(counted.values()) > 2 and counted["a_instruire"] >= 1
    assert counted["messages"] >= 1
    # One officer's queue is counted by the database, the same way.
    officer_view = work_totals(w.faps.engine, w.officer.account_id)
    assert all(officer_view[k] <= counted[k] for k in KINDS)
