"""What a command's catch-up costs: the events it saved are applied as saved, the rows it wrote
a moment ago are not read back, positions are locked and moved in one statement; and it stays
right when another process wrote in between or a catch-up failed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from faps.application.clock import SettableClock
from faps.infrastructure.readmodels.runner import ProjectionRunner
from faps.infrastructure.readmodels.workqueue import WorkQueueProjection
from tests.conftest import build_faps
from tests.integration.readmodels_history import dump
from tests.support import World, pdf

BOTH = pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)


@contextmanager
def catch_up_statements(world: World) -> Iterator[list[str]]:
    """Collect the statements the read models' catch-up sends, and count the log's reads."""
    runner, statements, inside = world.faps.projections, [], [False]
    catch_up, read = runner.catch_up, runner.app.recorder.select_notifications

    def counted(*args: Any, **kwargs: Any) -> int:  # the awaited ones' (not the history's)
        inside[0] = kwargs.get("names") == world.faps.followers.awaited
        try:
            return catch_up(*args, **kwargs)
        finally:
            inside[0] = False

    def reading(*args: Any, **kwargs: Any) -> Any:
        if inside[0]:
            statements.append("select_notifications")
        return read(*args, **kwargs)

    def listen(_conn, _cursor, statement, *_rest):  # type: ignore[no-untyped-def]
        if inside[0]:
            statements.append(statement)

    sa.event.listen(world.faps.engine, "before_cursor_execute", listen)
    runner.catch_up, runner.app.recorder.select_notifications = counted, reading  # type: ignore[method-assign]
    try:
        yield statements
    finally:
        sa.event.remove(world.faps.engine, "before_cursor_execute", listen)
        del runner.catch_up, runner.app.recorder.select_notifications


@BOTH
def test_a_command_is_followed_without_reading_back_its_events_nor_its_rows(world: World):
    dossier_id = world.submitted()
    world.faps.dossiers.add_note(world.officer, dossier_id, "Première note")
    with catch_up_statements(world) as statements:
        world.faps.dossiers.add_note(world.officer, dossier_id, "Vu en réunion")
    assert "select_notifications" not in statements  # the event as saved
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT rm_")]
    # A note writes the dossier's row and a timeline line: a statement each, and one to lock
    # and move the positions (on PostgreSQL it also sets the transaction up).
    assert len(statements) <= 2 + 1, statements
    version = world.faps.dossiers.load(world.officer, dossier_id).version
    assert world.faps.queries.dossier(world.officer, dossier_id).version == version
    assert world.faps.queries.timeline(world.officer, dossier_id)[-1].version == version


@BOTH
@pytest.mark.parametrize("other_follows", [True, False])
def test_a_write_of_another_process_between_two_commands_is_followed_too(
        world: World, tmp_path, clock: SettableClock, other_follows: bool):
    dossier_id = world.drafted()
    edit = world.faps.dossiers.edit
    edit(world.agent, dossier_id, {"description": "Ici"})  # its rows kept here
    other = build_faps(world.faps.settings.database_url, tmp_path / "other", clock)
    try:
        if not other_follows:  # it died before following its write
            other.projections.catch_up = lambda *a, **k: 0  # type: ignore[method-assign]
        other.dossiers.edit(world.agent, dossier_id, {"title": "Titre changé ailleurs"})
    finally:
        other.close()
    edit(world.agent, dossier_id, {"description": "Ici encore"})
    row = world.faps.queries.dossier(world.agent, dossier_id)
    assert row.title == "Titre changé ailleurs"
    assert row.version == world.faps.dossiers.load(world.agent, dossier_id).version
    followed = dump(world.faps.engine)
    world.faps.projections.rebuild()
    assert dump(world.faps.engine) == followed


@BOTH
def test_a_failed_catch_up_forgets_the_rows_it_had_written(
        world: World, monkeypatch: pytest.MonkeyPatch):
    dossier_id = world.awarded()
    grants = world.faps.grants
    grants.notify(world.officer, dossier_id)
    grants.sign_agreement(world.officer, dossier_id, "CONV-1", world.clock.now().date())
    doc = world.faps.dossiers.attach(world.agent, dossier_id, "attestation_demarrage", "os.pdf",
                                     pdf("os"))

    def crash(*_: Any) -> None:
        raise RuntimeError("crash after the dossiers' rows were written")

    monkeypatch.setattr(WorkQueueProjection, "apply", crash)  # after the dossiers projection
    with pytest.raises(RuntimeError):  # the request is saved, its catch-up rolled back
        grants.request_payment(world.agent, dossier_id, "avance", Decimal("1000.00"),
                               Decimal("0"), (doc,))
    monkeypatch.undo()
    world.faps.dossiers.add_note(world.officer, dossier_id, "Relancé")  # follows both
    assert world.faps.queries.dossier(world.officer, dossier_id).version == \
        world.faps.dossiers.load(world.officer, dossier_id).version
    followed = dump(world.faps.engine)
    world.faps.projections.rebuild()
    assert dump(world.faps.engine) == followed  # the request counted once


def _setting(run: Callable[[str], Any]) -> str:
    return str(run("SHOW synchronous_commit"))


@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
def test_on_postgresql_the_followers_commit_asynchronously_the_event_store_durably(
        world: World, monkeypatch: pytest.MonkeyPatch):
    followers: list[str] = []
    events: list[str] = []
    apply, recorder = ProjectionRunner.apply, world.faps.app.recorder
    insert = recorder._insert_events

    def watched_apply(conn: sa.Connection, *args: Any) -> bool:
        followers.append(_setting(lambda q: conn.exec_driver_sql(q).scalar()))
        return apply(conn, *args)

    def watched_insert(curs: Any, *args: Any, **kwargs: Any) -> Any:
        events.append(_setting(lambda q: curs.connection.execute(q).fetchone()[
            "synchronous_commit"]))
        return insert(curs, *args, **kwargs)

    monkeypatch.setattr(ProjectionRunner, "apply", staticmethod(watched_apply))
    monkeypatch.setattr(recorder, "_insert_events", watched_insert)
    world.drafted()
    assert events == ["on"]
    assert followers and set(followers) == {"off"}
    with world.faps.engine.connect() as conn:  # the credentials' engine: only LOCAL was off
        assert _setting(lambda q: conn.exec_driver_sql(q).scalar()) == "on"


@BOTH
def test_a_unit_of_work_larger_than_a_batch_is_followed_from_the_log(world: World):
    world.faps.projections.batch_size = 4
    with catch_up_statements(world) as statements, world.faps.unit_of_work():
        dossier_id = world.drafted()
        for i in range(5):
            world.faps.dossiers.edit(world.agent, dossier_id, {"description": f"Version {i}"})
        assert world.faps.followers.pending() and not world.faps.followers._recent()
    assert "select_notifications" in statements  # its events were not kept in memory
    assert {s["lag"] for s in world.faps.projections.status()
            if s["name"] in world.faps.followers.awaited} == {0}
    assert world.faps.queries.dossier(world.agent, dossier_id).version == 6
