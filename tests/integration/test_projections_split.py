"""A rebuild split over processes: the same rows, every event once, a killed run resumed."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faps.application.clock import SettableClock
from faps.infrastructure.readmodels import parallel
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.dossiers import DossierProjection
from faps.infrastructure.readmodels.parallel import REBUILDING, RebuildError, SplitRebuild
from faps.infrastructure.readmodels.partitions import select_partition
from faps.infrastructure.readmodels.runner import ProjectionRunner
from tests.conftest import build_faps
from tests.integration.readmodels_history import (
    dump,
    history_store,
    realistic_history,
    use_store,
)
from tests.integration.test_projections import _second_runner
from tests.integration.test_readmodels_asof import OPS, run_steps
from tests.support import World, make_world

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="a split rebuild forks its workers (Linux)")


def _split(runner: ProjectionRunner, batch_size: int = 5) -> ProjectionRunner:
    """Make the runner split every rebuild over two processes, in small batches."""
    runner.workers, runner.split_from, runner.batch_size = 2, 0, batch_size
    assert runner.splits()
    return runner


def _rebuilds(engine: sa.Engine) -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(sa.select(t.rebuilds)).all()


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_a_split_rebuild_gives_exactly_the_rows_incremental_updating_gave(world: World):
    realistic_history(world)
    expected = dump(world.faps.engine)
    runner = _split(world.faps.projections)
    head = runner.app.recorder.max_notification_id()
    assert runner.rebuild() == head  # every notification read once, by one partition
    assert dump(world.faps.engine) == expected
    assert {name: (position, version) for name, (position, version) in
            runner.positions().items()} == {
        name: (head, p.version) for name, p in runner.projections.items()}
    assert _rebuilds(world.faps.engine) == []


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("parts", [1, 2, 3, 4])
def test_every_notification_falls_in_exactly_one_partition(world: World, parts: int):
    realistic_history(world)
    recorder = world.faps.app.recorder
    head = recorder.max_notification_id()
    every = [n.id for n in recorder.select_notifications(0, head + 1)]
    seen: list[int] = []
    for part in range(parts):
        after = 0
        while notes := select_partition(recorder, after, head - 3, 4, part, parts):
            seen.extend(n.id for n in notes)
            after = notes[-1].id
    assert sorted(seen) == [i for i in every if i <= head - 3]  # and none twice


def _dying_worker(monkeypatch: pytest.MonkeyPatch, seed: int, how: str) -> None:
    """Make the first worker to reach a random event die there (killed, or an error)."""
    original = DossierProjection._dossier_event
    calls, kill_at = [0], random.Random(seed).randrange(15, 40)

    def dying(self, kind, event):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == kill_at:
            if how == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError("panne")
        original(self, kind, event)

    monkeypatch.setattr(DossierProjection, "_dossier_event", dying)


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("how", ["killed", "error"])
def test_a_split_rebuild_killed_mid_run_resumes_to_the_same_rows(
        world: World, monkeypatch: pytest.MonkeyPatch, how: str):
    realistic_history(world)
    expected = dump(world.faps.engine)
    runner = _split(world.faps.projections, batch_size=3)
    head = runner.app.recorder.max_notification_id()
    _dying_worker(monkeypatch, 11, how)
    with pytest.raises(RebuildError):
        runner.rebuild(["dossiers"])
    monkeypatch.undo()
    assert runner.positions()["dossiers"] == (0, REBUILDING)
    progress = {r.part: r.position for r in _rebuilds(world.faps.engine)}
    assert set(progress) == {0, 1} and any(progress.values())  # batches done stay done

    other, app = _second_runner(world.faps)  # another process: leaves it alone meanwhile
    try:
        other.catch_up()
        assert other.positions()["dossiers"] == (0, REBUILDING)
    finally:
        other.engine.dispose()
        app.close()

    read = runner.rebuild(["dossiers"])
    assert read < head  # resumed where each partition stopped, not started over
    assert dump(world.faps.engine) == expected
    assert runner.positions()["dossiers"] == (head, DossierProjection.version)


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_a_superseded_split_rebuild_writes_nothing_more(world: World):
    realistic_history(world)
    runner = _split(world.faps.projections)
    plan = SplitRebuild(runner, ["dossiers"], 2)._claim()
    assert plan is not None
    runner.reset(["dossiers"])  # another process took the projection over
    written = dump(world.faps.engine)
    shared = parallel.Shared([0, 0], [0, 0])  # the worker runs in this process
    with pytest.raises(parallel.Superseded):
        parallel._project(runner, runner.app, ["dossiers"], 0, 2, 0, plan.head, plan.token,
                          shared)
    assert dump(world.faps.engine) == written


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_a_split_rebuild_begun_meanwhile_elsewhere_is_waited_for_not_superseded(world: World):
    realistic_history(world)
    expected = dump(world.faps.engine)
    runner = _split(world.faps.projections)
    other = SplitRebuild(runner, ["dossiers"], 2)  # another process's, which claimed first
    plan = other._claim()
    assert plan is not None
    done = threading.Event()

    def carry_on() -> None:
        time.sleep(0.5)
        other._fork(plan)
        other._finish(plan)  # raises if it was superseded meanwhile
        done.set()

    thread = threading.Thread(target=carry_on)
    thread.start()
    SplitRebuild(runner, ["dossiers"], 2).run()
    thread.join()
    assert done.is_set()
    assert dump(world.faps.engine) == expected
    assert runner.positions()["dossiers"][1] == DossierProjection.version


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_start_waits_for_a_live_split_rebuild_and_resumes_an_abandoned_one(world: World):
    realistic_history(world)
    expected = dump(world.faps.engine)
    runner = _split(world.faps.projections)
    SplitRebuild(runner, ["dossiers"], 2)._claim()  # a run that then stopped beating
    with world.faps.engine.connect() as conn:
        assert parallel.live_rebuilds(conn, ["dossiers", "council"], runner.lease) == {"dossiers"}
    with world.faps.engine.begin() as conn:
        conn.execute(t.rebuilds.update().values(
            heartbeat_at=datetime.now(tz=UTC) - timedelta(seconds=runner.lease + 1)))
    assert runner.start() == ["dossiers"]
    assert dump(world.faps.engine) == expected
    assert _rebuilds(world.faps.engine) == []


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50)), min_size=1, max_size=12))
def test_any_history_split_rebuilds_to_the_rows_it_was_projected_to(
        steps: list[tuple[str, int]]):
    clock = SettableClock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        faps = build_faps(f"sqlite:///{Path(tmp) / 'faps.sqlite3'}", Path(tmp), clock)
        try:
            run_steps(make_world(faps, clock), steps)
            incremental = dump(faps.engine)
            _split(faps.projections, batch_size=2).rebuild()
            assert dump(faps.engine) == incremental
        finally:
            faps.close()


def test_the_command_line_shows_an_interrupted_split_rebuild_and_finishes_it(
        tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from faps.cli import main

    url, clock, faps = history_store(tmp_path)
    expected = dump(faps.engine)
    runner = _split(faps.projections, batch_size=3)
    _dying_worker(monkeypatch, 5, "error")
    with pytest.raises(RebuildError):
        runner.rebuild(["dossiers"])
    monkeypatch.undo()
    faps.close()
    use_store(monkeypatch, url, tmp_path)
    cli = CliRunner()
    status = cli.invoke(main, ["projections", "status"])
    assert status.exit_code == 0, status.output
    assert "reconstruction interrompue à" in status.output.splitlines()[0]
    assert "faps projections rebuild" in status.output
    rebuilt = cli.invoke(main, ["projections", "rebuild", "dossiers"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "retard 0" in cli.invoke(main, ["projections", "status"]).output.splitlines()[0]
    again = build_faps(url, tmp_path, clock)
    try:
        assert dump(again.engine) == expected
    finally:
        again.close()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_an_interrupted_run_of_an_older_version_is_started_over_not_resumed(
        world: World, monkeypatch: pytest.MonkeyPatch):
    realistic_history(world)
    expected = dump(world.faps.engine)
    runner = _split(world.faps.projections, batch_size=3)
    head = runner.app.recorder.max_notification_id()
    _dying_worker(monkeypatch, 11, "error")
    with pytest.raises(RebuildError):
        runner.rebuild(["dossiers"])
    monkeypatch.undo()
    monkeypatch.setattr(DossierProjection, "version", DossierProjection.version + 1)
    assert runner.rebuild(["dossiers"]) == head  # every event read again, by the new code
    assert dump(world.faps.engine) == expected
    assert runner.positions()["dossiers"] == (head, DossierProjection.version)


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_what_is_written_during_a_split_rebuild_is_applied_after_it(
        world: World, monkeypatch: pytest.MonkeyPatch):
    realistic_history(world)
    runner = _split(world.faps.projections)
    head = runner.app.recorder.max_notification_id()
    original, late = SplitRebuild._fork, []

    def writing_meanwhile(self, plan):  # type: ignore[no-untyped-def]
        late.append(world.submitted(title="Déposé pendant la reconstruction"))
        return original(self, plan)

    monkeypatch.setattr(SplitRebuild, "_fork", writing_meanwhile)
    runner.rebuild()
    assert runner.app.recorder.max_notification_id() > head
    split = dump(world.faps.engine)
    assert any(row[0] == late[0] for row in split["rm_dossiers"])
    runner.workers = 1
    runner.rebuild()
    assert dump(world.faps.engine) == split


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_a_batch_read_before_a_reset_elsewhere_is_not_applied_after_it(
        world: World, monkeypatch: pytest.MonkeyPatch):
    realistic_history(world)
    expected = dump(world.faps.engine)
    runner = world.faps.projections
    runner.batch_size = 4
    runner.catch_up()
    other, app = _second_runner(world.faps)
    original, calls = ProjectionRunner._apply_batch, [0]
    runner.reset(["accounts"])
    runner.catch_up(until=6)  # a few accounts in, then a batch read from there

    def reset_meanwhile(self, chosen, notifications, start, *rest):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == 1:
            other.reset(["accounts"])  # another process, between the read and the write
        return original(self, chosen, notifications, start, *rest)

    monkeypatch.setattr(ProjectionRunner, "_apply_batch", reset_meanwhile)
    try:
        runner.catch_up()
    finally:
        other.engine.dispose()
        app.close()
    assert calls[0] > 1 and dump(world.faps.engine) == expected


@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
def test_a_large_rebuild_on_postgresql_vacuums_its_tables(world: World):
    # A split rebuild writes the draft's row once a batch: 20 versions of it, 19 dead; the
    # rebuild rewrites the table (VACUUM FULL) and marks its pages all-visible (VACUUM).
    dossier_id = world.drafted()
    for i in range(40):
        world.faps.dossiers.edit(world.agent, dossier_id,
                                 {"description": f"Version {i} : " + "aménagement " * 300})
    _split(world.faps.projections, batch_size=2).rebuild(["dossiers"])
    with world.faps.engine.connect() as conn:
        pages, visible = conn.exec_driver_sql(
            "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'rm_dossiers'").one()
        size = conn.exec_driver_sql("SELECT pg_relation_size('rm_dossiers')").scalar_one()
        rows = conn.execute(sa.select(sa.func.count()).select_from(t.dossiers)).scalar_one()
    assert rows == 1
    assert size == 8192 and pages == visible == 1  # one row, one page, all visible
