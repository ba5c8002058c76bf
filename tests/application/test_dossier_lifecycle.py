"""A dossier's whole life through the application services, on every store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from faps.domain.dossier_content import DossierState
from faps.domain.errors import ConflictError, NotFoundError, PermissionDeniedError
from tests.support import World, pdf


def test_a_submitted_dossier_gets_a_yearly_reference_and_the_reglement_in_force(world: World):
    first = world.submitted()
    second = world.submitted()
    dossiers = world.faps.dossiers
    assert dossiers.load(world.officer, first).reference == "FAPS-2024-001"
    assert dossiers.load(world.officer, second).reference == "FAPS-2024-002"
    assert dossiers.find(world.auditor, "faps-2024-002").id == second
    assert dossiers.load(world.officer, first).reglement_version == "2022-03-31"
    assert dossiers.load(world.officer, first).submitted_on == date(2024, 2, 5)


def test_a_dossier_filed_just_after_midnight_in_paris_is_dated_and_numbered_by_that_day(
    world: World,
):
    world.clock.set(datetime(2024, 12, 31, 23, 30, tzinfo=UTC))  # 1 January 2025, 00:30 in Torcy
    dossier = world.faps.dossiers.load(world.officer, world.submitted())
    assert dossier.submitted_on == date(2025, 1, 1)
    assert dossier.reference == "FAPS-2025-001"


def test_an_awarded_grant_is_paid_and_the_budget_follows(world: World):
    dossier_id = world.awarded()
    faps = world.faps
    dossier = faps.dossiers.load(world.officer, dossier_id)
    assert dossier.state is DossierState.AWARDED
    assert dossier.awarded_amount == Decimal("30000.00")
    faps.grants.notify(world.officer, dossier_id)
    faps.grants.sign_agreement(world.officer, dossier_id, "CONV-2024-01", date(2024, 2, 5))
    doc = faps.dossiers.attach(world.agent, dossier_id, "attestation_demarrage", "os.pdf",
                               pdf("os"))
    request = faps.grants.request_payment(world.agent, dossier_id, "avance", Decimal("9000.00"),
                                          Decimal("0.00"), (doc,))
    faps.grants.make_payment(world.officer, dossier_id, request, Decimal("9000.00"),
                             date(2024, 3, 1), "MANDAT-1")
    budget = faps.budgets.get(world.auditor, 2024)
    assert (budget.voted, budget.committed, budget.paid) == (
        Decimal("1000000.00"), Decimal("30000.00"), Decimal("9000.00"))
    assert faps.dossiers.load(world.officer, dossier_id).remaining_to_pay == Decimal("21000.00")


def test_a_commune_agent_cannot_see_another_communes_dossier(world: World):
    dossier_id = world.submitted()
    with pytest.raises(NotFoundError):
        world.faps.dossiers.load(world.other_agent, dossier_id)


def test_an_auditor_can_read_but_never_write(world: World):
    dossier_id = world.submitted()
    assert world.faps.dossiers.load(world.auditor, dossier_id).id == dossier_id
    with pytest.raises(PermissionDeniedError):
        world.faps.dossiers.declare_complete(world.auditor, dossier_id)


def test_an_edit_on_a_stale_version_is_a_conflict_and_changes_nothing(world: World):
    dossier_id = world.drafted()
    seen = world.faps.dossiers.load(world.agent, dossier_id).version
    world.faps.dossiers.edit(world.agent, dossier_id, {"title": "Premier titre"}, seen)
    with pytest.raises(ConflictError):
        world.faps.dossiers.edit(world.agent, dossier_id, {"title": "Second titre"}, seen)
    assert world.faps.dossiers.load(world.agent, dossier_id).content.title == "Premier titre"


def test_history_as_of_a_date_gives_the_state_then(world: World):
    dossier_id = world.submitted()
    world.clock.advance(days=10)
    world.faps.dossiers.declare_complete(world.officer, dossier_id)
    then = world.faps.timetravel.history(world.auditor, dossier_id, date(2024, 2, 6))
    now = world.faps.timetravel.history(world.auditor, dossier_id)
    assert then.state is not None and then.state.state is DossierState.SUBMITTED
    assert now.state is not None and now.state.state is DossierState.COMPLETE
    assert [e.kind for e in now.entries][-1] == "DeclaredComplete"
    assert world.faps.timetravel.history(world.auditor, dossier_id, date(2024, 1, 1)).state is None
