"""Grant scenarios after instruction, run on every store (memory, SQLite file, PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from faps.domain.dossier_content import DossierState
from faps.domain.errors import BudgetExceededError, TransitionNotAllowedError
from faps.infrastructure.reglement_files import default_reglement
from tests.support import World, pdf

DOCS = {"avance": ("attestation_demarrage",), "acompte": ("etat_recapitulatif", "factures"),
        "solde": ("etat_recapitulatif", "factures", "certificat_achevement")}


def paid(world: World, dossier_id: UUID, kind: str, amount: str,
         expenses: str | None = None) -> None:
    """Have the commune ask for a payment with its justificatifs, and the officer pay it."""
    faps = world.faps
    docs = tuple(faps.dossiers.attach(world.agent, dossier_id, k, f"{k}.pdf", pdf(k))
                 for k in DOCS[kind])
    request = faps.grants.request_payment(world.agent, dossier_id, kind, Decimal(amount),
                                          Decimal(expenses or amount), docs)  # type: ignore[arg-type]
    faps.grants.make_payment(world.officer, dossier_id, request, Decimal(amount),
                             world.clock.now().date(), f"MANDAT-{kind}")


def signed(world: World, dossier_id: UUID) -> None:
    world.faps.grants.notify(world.officer, dossier_id)
    world.faps.grants.sign_agreement(world.officer, dossier_id, "CONV-1", date(2024, 2, 5))


def voted(world: World, outcomes: dict[UUID, str]) -> UUID:
    """Put proposals on a new session's agenda and record each outcome."""
    council = world.faps.council
    session_id = world.session()
    numbers = council.add_to_agenda(world.secretariat, session_id, list(outcomes))
    for number, (dossier_id, outcome) in zip(numbers, outcomes.items(), strict=True):
        amount = world.faps.dossiers.load(world.officer, dossier_id).proposed_amount
        votes = {"adoptee": (40, 10, 5), "rejetee": (10, 40, 5), "ajournee": (0, 0, 0)}[outcome]
        council.record_outcome(world.secretariat, session_id, number, outcome,  # type: ignore[arg-type]
                               amount or Decimal(0), f"DEL-2024-{number:03d}", votes, (55, 58))
    return session_id


def state(world: World, dossier_id: UUID) -> DossierState:
    return world.faps.dossiers.load(world.auditor, dossier_id).state


def test_a_grant_reduced_pro_rata_below_what_was_paid_is_clawed_back_then_closed(world: World):
    dossier_id = world.awarded()
    signed(world, dossier_id)
    paid(world, dossier_id, "avance", "9000.00")
    # 30 000 € × 80 000 € justified ÷ 100 000 € planned = 24 000 €, less the 9 000 € advance.
    paid(world, dossier_id, "acompte", "15000.00", expenses="80000.00")
    new_amount = world.faps.grants.reduce(world.officer, dossier_id, Decimal("70000.00"),
                                          "Dépenses réalisées inférieures au prévisionnel")
    dossier = world.faps.dossiers.load(world.auditor, dossier_id)
    assert new_amount == Decimal("21000.00") == dossier.awarded_amount
    assert dossier.clawback_due == Decimal("3000.00")
    assert dossier.remaining_to_pay == 0
    world.faps.grants.record_clawback(world.officer, dossier_id, Decimal("3000.00"), "T-2024-9")
    world.faps.grants.close(world.officer, dossier_id)
    budget = world.faps.budgets.get(world.auditor, 2024)
    assert (budget.committed, budget.paid) == (Decimal("21000.00"), Decimal("21000.00"))
    assert state(world, dossier_id) is DossierState.CLOSED


def test_a_lapse_releases_the_unpaid_part_of_the_commitment(world: World):
    dossier_id = world.awarded()
    signed(world, dossier_id)
    paid(world, dossier_id, "avance", "9000.00")
    world.faps.grants.lapse(world.officer, dossier_id, "Travaux non achevés dans le délai")
    budget = world.faps.budgets.get(world.auditor, 2024)
    assert budget.committed == Decimal("9000.00")
    assert budget.remaining == Decimal("991000.00")
    dossier = world.faps.dossiers.load(world.auditor, dossier_id)
    assert (dossier.state, dossier.awarded_amount) == (DossierState.LAPSED, Decimal("9000.00"))


def test_rejected_and_postponed_votes_commit_nothing_and_a_postponed_item_comes_back(
        world: World):
    rejected, postponed = world.proposed(), world.proposed()
    session_id = voted(world, {rejected: "rejetee", postponed: "ajournee"})
    agenda = world.faps.queries.agenda(world.auditor, session_id)
    session = world.faps.council.load(world.auditor, session_id)
    assert [(i.outcome, i.amount_awarded) for i in agenda] == [("rejetee", 0), ("ajournee", 0)]
    assert [i["amount_awarded"] for i in session.items.values()] == [0, 0]
    assert state(world, rejected) is DossierState.REJECTED
    assert state(world, postponed) is DossierState.POSTPONED
    assert world.faps.budgets.get(world.auditor, 2024).committed == 0
    world.clock.advance(days=30)
    voted(world, {postponed: "adoptee"})
    assert state(world, postponed) is DossierState.AWARDED
    assert world.faps.budgets.get(world.auditor, 2024).committed == Decimal("30000.00")


def test_a_withdrawn_dossier_accepts_nothing_more(world: World):
    dossier_id = world.submitted()
    world.faps.dossiers.withdraw(world.agent, dossier_id, "Projet abandonné")
    assert state(world, dossier_id) is DossierState.WITHDRAWN
    with pytest.raises(TransitionNotAllowedError):
        world.faps.dossiers.declare_complete(world.officer, dossier_id)


def test_an_ineligible_dossier_cannot_be_proposed_and_is_closed_with_a_motive(world: World):
    dossier_id = world.assessed(works_started=True)
    assessment = world.faps.dossiers.load(world.officer, dossier_id).assessment
    assert assessment is not None and not assessment.eligible
    with pytest.raises(TransitionNotAllowedError):
        world.faps.dossiers.propose(world.officer, dossier_id, Decimal("1000.00"), "Quand même")
    world.faps.dossiers.close_ineligible(world.officer, dossier_id, "Travaux déjà commencés")
    dossier = world.faps.dossiers.load(world.auditor, dossier_id)
    assert dossier.state is DossierState.CLOSED_INELIGIBLE
    assert dossier.closing_motive == "Travaux déjà commencés"


def test_an_award_above_the_budget_remaining_is_refused_and_nothing_is_written(world: World):
    world.faps.budgets.vote(world.secretariat, 2024, Decimal("10000.00"), "DM-2024-1")
    dossier_id = world.proposed()
    session_id = world.session()
    (number,) = world.faps.council.add_to_agenda(world.secretariat, session_id, [dossier_id])
    before = world.faps.app.recorder.max_notification_id()
    with pytest.raises(BudgetExceededError) as refused:
        world.faps.council.record_outcome(world.secretariat, session_id, number, "adoptee",
                                          Decimal("30000.00"), "DEL-2024-1", (40, 2, 1), (50, 50))
    assert "dépasse le reste disponible" in refused.value.message
    assert world.faps.app.recorder.max_notification_id() == before
    assert state(world, dossier_id) is DossierState.ON_AGENDA
    assert world.faps.budgets.get(world.auditor, 2024).committed == 0


def test_a_vote_before_the_session_is_held_is_refused(world: World):
    dossier_id = world.proposed()
    session_id = world.session(on=world.clock.now().date() + timedelta(days=7))
    (number,) = world.faps.council.add_to_agenda(world.secretariat, session_id, [dossier_id])
    before = world.faps.app.recorder.max_notification_id()
    with pytest.raises(TransitionNotAllowedError, match="n’a pas encore eu lieu"):
        world.faps.council.record_outcome(world.secretariat, session_id, number, "adoptee",
                                          Decimal("20000.00"), "DEL-2024-1", (40, 2, 1), (50, 50))
    assert world.faps.app.recorder.max_notification_id() == before
    world.clock.advance(days=7)
    world.faps.council.record_outcome(world.secretariat, session_id, number, "adoptee",
                                      Decimal("20000.00"), "DEL-2024-1", (40, 2, 1), (50, 50))
    assert state(world, dossier_id) is DossierState.AWARDED


def test_awards_above_the_communes_yearly_ceiling_are_refused_at_the_vote(world: World):
    ceiling = default_reglement().model_copy(update={
        "version": "2024-01", "effective_from": date(2024, 1, 1),
        "commune_yearly_ceiling": Decimal("40000.00")})
    world.faps.reglements.adopt(world.secretariat, ceiling)
    first, second = (world.proposed(Decimal("25000.00")) for _ in range(2))
    session_id = world.session()
    numbers = world.faps.council.add_to_agenda(world.secretariat, session_id, [first, second])
    council = world.faps.council
    council.record_outcome(world.secretariat, session_id, numbers[0], "adoptee",
                           Decimal("25000.00"), "DEL-2024-1", (40, 2, 1), (50, 50))
    before = world.faps.app.recorder.max_notification_id()
    with pytest.raises(BudgetExceededError) as refused:
        council.record_outcome(world.secretariat, session_id, numbers[1], "adoptee",
                               Decimal("25000.00"), "DEL-2024-2", (40, 2, 1), (50, 50))
    assert "plafond annuel par commune" in refused.value.message
    assert "50\u202f000,00" in refused.value.message
    assert world.faps.app.recorder.max_notification_id() == before
    council.record_outcome(world.secretariat, session_id, numbers[1], "adoptee",
                           Decimal("15000.00"), "DEL-2024-2", (40, 2, 1), (50, 50))
    assert world.faps.budgets.get(world.auditor, 2024).committed == Decimal("40000.00")
