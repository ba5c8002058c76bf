"""The followers (read models, audit seal, outbox) catch up once per unit of work; snapshots and
the règlement cache keep commands cheap without changing what they decide."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from faps.application.clock import SettableClock
from faps.domain.budget import YearlyBudget
from faps.domain.numbering import DossierNumbering
from faps.infrastructure.reglement_files import default_reglement
from tests.conftest import build_faps
from tests.support import World
from tests.web.conftest import csrf_of, sign_in

pytestmark = pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)


def lags(world: World) -> set[int]:
    """Return the projections' distinct lags behind the log."""
    return {s["lag"] for s in world.faps.projections.status()}


def test_saves_inside_a_unit_of_work_are_followed_once_when_it_ends(world: World):
    seal_before = world.faps.audit_chain.seal()
    sent_before = len(world.faps.mailer.outbox.sent())
    with world.faps.unit_of_work():
        dossier_id = world.submitted()
        assert lags(world) != {0}
        assert world.faps.audit_chain.seal() == seal_before
    head = world.faps.app.recorder.max_notification_id()
    assert lags(world) == {0}
    assert world.faps.audit_chain.seal().position == head
    row = world.faps.queries.dossier(world.officer, dossier_id)
    assert row.state == "depose" and row.reference == "FAPS-2024-001"
    assert len(world.faps.mailer.outbox.sent()) > sent_before  # the receipt went out


def test_a_query_inside_a_unit_of_work_reads_its_own_writes(world: World):
    with world.faps.unit_of_work():
        dossier_id = world.drafted(title="Cabinet de kinésithérapie")
        row = world.faps.queries.dossier(world.agent, dossier_id)
    assert row.title == "Cabinet de kinésithérapie"


def test_what_a_failed_unit_of_work_saved_is_still_followed(world: World):
    with pytest.raises(RuntimeError), world.faps.unit_of_work():
        dossier_id = world.drafted()
        raise RuntimeError("the page failed after saving")
    assert lags(world) == {0}
    assert world.faps.queries.dossier(world.agent, dossier_id).state == "brouillon"


def test_references_stay_in_sequence_past_the_numbering_snapshots(world: World):
    with world.faps.unit_of_work():
        ids = [world.submitted() for _ in range(53)]
    numbering_id = DossierNumbering.create_id(2024)
    snapshots = world.faps.app.snapshots
    assert snapshots is not None and list(snapshots.get(numbering_id)), "no snapshot taken"
    references = [world.faps.dossiers.load(world.officer, i).reference for i in ids]
    assert references == [f"FAPS-2024-{n:03d}" for n in range(1, 54)]
    assert world.faps.dossiers.resolve("FAPS-2024-052") == ids[51]
    early = world.faps.app.repository.get(numbering_id, version=11)
    assert len(early.issued) == 10  # time travel still replays from the log, not the snapshot


def test_a_budget_amended_past_its_snapshots_keeps_every_figure(world: World):
    for n in range(1, 56):
        world.faps.budgets.vote(world.officer, 2025, Decimal(100_000 + n), f"DEL-2025-{n:03d}")
    budget_id = YearlyBudget.create_id(2025)
    snapshots = world.faps.app.snapshots
    assert snapshots is not None and list(snapshots.get(budget_id)), "no snapshot taken"
    budget: YearlyBudget = world.faps.app.load(budget_id, what="Budget")
    assert budget.voted == Decimal("100055")
    assert world.faps.queries.budget(world.officer, 2025).voted == Decimal("100055.00")


def test_only_the_series_and_budgets_are_looked_up_among_the_snapshots(
        world: World, monkeypatch: pytest.MonkeyPatch):
    with world.faps.unit_of_work():
        ids = [world.submitted() for _ in range(53)]
    snapshots = world.faps.app.snapshots
    assert snapshots is not None
    asked: list[UUID] = []
    original = snapshots.get

    def get(originator_id, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(originator_id)
        return original(originator_id, *args, **kwargs)

    monkeypatch.setattr(snapshots, "get", get)
    dossier = world.faps.dossiers.load(world.officer, ids[0])
    assert asked == [] and dossier.reference == "FAPS-2024-001"
    numbering = world.faps.app.repository.get(DossierNumbering.create_id(2024))
    assert asked == [DossierNumbering.create_id(2024)] and len(numbering.issued) == 53
    assert world.faps.app.load(ids[0], version=2).version == 2
    assert world.faps.app.find(uuid4()) is None and not world.faps.app.exists(uuid4())


def test_a_version_adopted_by_another_process_judges_the_next_filing(
        world: World, tmp_path, clock: SettableClock):  # type: ignore[no-untyped-def]
    reglements = world.faps.reglements
    assert reglements.in_force(date(2026, 6, 1)).version == default_reglement().version
    other = build_faps(world.faps.settings.database_url, tmp_path / "other", clock)
    try:
        newer = default_reglement().model_copy(update={
            "version": "2026-01", "effective_from": date(2026, 1, 1),
            "adopted_by": "Délibération 2025-112 du 11 décembre 2025",
            "rate": Decimal("0.35")})
        other.reglements.adopt(world.admin, newer)
    finally:
        other.close()
    assert reglements.in_force(date(2026, 6, 1)).version == "2026-01"
    assert reglements.in_force(date(2025, 6, 1)).version == default_reglement().version


def test_a_request_saving_several_dossiers_is_followed_once(
        world: World, monkeypatch: pytest.MonkeyPatch):
    from faps.web import create_app

    first, second = world.submitted(), world.submitted()
    app = create_app({"TESTING": True}, faps=world.faps)
    passes: list[int | None] = []
    catch_up = world.faps.followers.catch_up
    monkeypatch.setattr(world.faps.followers, "catch_up",
                        lambda written=None, recent=(): (passes.append(written),
                                                          catch_up(written, recent)))
    officer = app.test_client()
    assert sign_in(officer, world.officer.email).status_code == 302
    response = officer.post("/instruction/affecter", data={
        "dossier_ids": [str(first), str(second)], "officer_id": str(world.officer.account_id),
        "csrf_token": csrf_of(officer, "/instruction/")})
    assert response.status_code == 302
    assert passes == [world.faps.app.recorder.max_notification_id()]
    assert lags(world) == {0}


def test_with_a_background_thread_a_write_waits_for_the_read_models_only(
        world: World, monkeypatch: pytest.MonkeyPatch):
    import threading

    chain = world.faps.audit_chain
    gate, seal = threading.Event(), chain.catch_up
    monkeypatch.setattr(chain, "catch_up", lambda: (gate.wait(10), seal())[1])
    background = world.faps.followers.start_background(interval=60)
    sent_before = len(world.faps.mailer.outbox.sent())
    dossier_id = world.submitted()  # returns while the seal is held
    head = world.faps.app.recorder.max_notification_id()
    lag = {s["name"]: s["lag"] for s in world.faps.projections.status()}
    assert world.faps.followers.behind == ["history"]  # followed with the seal, not awaited
    assert {lag[name] for name in world.faps.followers.awaited} == {0}
    assert world.faps.queries.dossier(world.officer, dossier_id).state == "depose"
    assert chain.seal().position < head
    gate.set()
    assert world.faps.followers.settle()
    assert chain.seal().position == head
    assert lags(world) == {0}  # the history too
    assert len(world.faps.mailer.outbox.sent()) > sent_before  # the receipt went out
    background.stop()
    assert not background.alive()


def test_what_a_process_died_before_following_is_followed_by_the_next(
        world: World, tmp_path, clock: SettableClock, monkeypatch: pytest.MonkeyPatch):
    chain = world.faps.audit_chain
    seal_before, sent_before = chain.seal(), len(world.faps.mailer.outbox.sent())
    monkeypatch.setattr(chain, "catch_up", lambda: seal_before)  # dies before sealing…
    monkeypatch.setattr(world.faps.mailer, "after_save", lambda _r: None)  # …and mailing
    world.faps.followers.start_background(interval=60)
    world.submitted()
    assert world.faps.followers.settle()
    head = world.faps.app.recorder.max_notification_id()
    assert chain.seal() == seal_before and len(world.faps.mailer.outbox.sent()) == sent_before
    other = build_faps(world.faps.settings.database_url, tmp_path / "other", clock)
    try:
        other.followers.start_background(interval=60)
        assert other.followers.settle()
        assert other.audit_chain.seal().position == head
        assert len(other.mailer.outbox.sent()) > sent_before
    finally:
        other.close()


def test_a_budget_with_commitments_past_its_snapshots_saves_and_reloads(world: World):
    at = world.clock.now()
    budget = YearlyBudget.vote(world.officer, 2031, Decimal("1000000"), "DEL-2030-1", at)
    for _ in range(60):  # 121 events: snapshots at 50 and 100, with UUID-keyed commitments
        dossier_id = uuid4()
        budget.commit(world.officer, dossier_id, "77258", Decimal("100.00"), at)
        budget.record_payment(world.officer, dossier_id, Decimal("30.00"), at)
    world.faps.app.save_all(budget)
    snapshots = world.faps.app.snapshots
    assert snapshots is not None and len(list(snapshots.get(budget.id))) == 2
    loaded: YearlyBudget = world.faps.app.load(budget.id, what="Budget")
    assert loaded.commitments == budget.commitments
    assert loaded.paid_by_dossier == budget.paid_by_dossier
    assert loaded.paid == Decimal("1800.00") and loaded.version == 121


def test_the_fund_as_of_now_reads_a_write_the_background_has_not_followed_yet(
        world: World, monkeypatch: pytest.MonkeyPatch):
    import threading

    gate, follow = threading.Event(), world.faps.followers.follow_unawaited
    monkeypatch.setattr(world.faps.followers, "follow_unawaited",
                        lambda: (gate.wait(10), follow()))
    background = world.faps.followers.start_background(interval=60)
    try:
        dossier_id = world.submitted()
        lag = {s["name"]: s["lag"] for s in world.faps.projections.status()}
        assert lag["history"] > 0 and lag["dossiers"] == 0  # the history follows behind
        fund = world.faps.queries.fund_as_of(world.auditor, world.clock.now())
        (row,) = [d for d in fund.dossiers if d.dossier_id == dossier_id]
        assert row.state == "depose"  # brought up before reading the past
    finally:
        gate.set()
        background.stop()
