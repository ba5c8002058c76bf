"""The balance on the expenses actually paid: pro-rata reduction, legal caps, clawback."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from faps.application.event_catalogue import mail_for_event
from faps.domain.errors import InvalidInputError
from faps.domain.grant import BalanceSettlement
from faps.domain.money import ZERO
from tests.payments_support import pay, request
from tests.support import World


def _pay(w: World, dossier_id: UUID, request_id: UUID, amount: Decimal) -> None:
    w.faps.grants.make_payment(w.officer, dossier_id, request_id, amount,
                               w.clock.now().date(), "MANDAT-SOLDE")


def _settlement(w: World, dossier_id: UUID, request_id: UUID) -> BalanceSettlement | None:
    return w.faps.dossiers.load(w.officer, dossier_id).balance_settlement(request_id)


def _events(w: World, dossier_id: UUID) -> list[str]:
    return [type(e).__qualname__ for e in w.faps.app.repository.event_store.get(dossier_id)]


def test_a_balance_on_half_the_planned_cost_reduces_the_grant_and_pays_the_rest(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()  # 30,000 € on 100,000 € eligible, 20,000 € from the ARS
    pay(w, dossier_id, "avance", Decimal("9000.00"))
    solde = request(w, dossier_id, "solde", Decimal("21000.00"), Decimal("50000.00"))
    settlement = _settlement(w, dossier_id, solde)
    assert settlement is not None and settlement.reduced
    assert (settlement.planned_base, settlement.reduced_award, settlement.balance_due,
            settlement.clawback) == (Decimal("100000.00"), Decimal("15000.00"),
                                     Decimal("6000.00"), ZERO)
    with pytest.raises(InvalidInputError, match="au plus 6"):
        _pay(w, dossier_id, solde, Decimal("21000.00"))
    assert w.faps.dossiers.load(w.officer, dossier_id).awarded_amount == Decimal("30000.00")
    _pay(w, dossier_id, solde, Decimal("6000.00"))
    statement = w.faps.grants.statement(w.officer, dossier_id)
    assert (statement.awarded, statement.total_paid, statement.clawback_due,
            statement.remaining) == (Decimal("15000.00"), Decimal("15000.00"), ZERO, ZERO)
    assert _events(w, dossier_id)[-2:] == ["Dossier.GrantReduced", "Dossier.PaymentMade"]
    budget = w.faps.budgets.get(w.officer, 2024)
    assert (budget.commitments[dossier_id]["amount"], budget.paid_by_dossier[dossier_id]) == (
        Decimal("15000.00"), Decimal("15000.00"))


def test_a_balance_below_what_was_already_paid_makes_the_excess_a_clawback(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    pay(w, dossier_id, "avance", Decimal("9000.00"))
    pay(w, dossier_id, "acompte", Decimal("15000.00"))
    solde = request(w, dossier_id, "solde", Decimal("6000.00"), Decimal("50000.00"))
    with pytest.raises(InvalidInputError, match="rien n’est à verser"):
        _pay(w, dossier_id, solde, Decimal("6000.00"))
    _pay(w, dossier_id, solde, ZERO)
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    paid = list(w.faps.app.repository.event_store.get(dossier_id))[-1]
    mail = mail_for_event(paid, dossier, "http://faps.test")
    assert mail is not None and "Solde arrêté sans versement" in mail.subject
    assert "ramènent la subvention à 15\u202f000,00" in mail.body
    assert "trop-perçu de 9\u202f000,00" in mail.body and "Versement effectué" not in mail.body
    statement = w.faps.grants.statement(w.officer, dossier_id)
    assert (statement.awarded, statement.total_paid, statement.clawback_due,
            statement.net_paid, statement.remaining) == (
        Decimal("15000.00"), Decimal("24000.00"), Decimal("9000.00"), Decimal("15000.00"), ZERO)
    w.faps.grants.record_clawback(w.officer, dossier_id, Decimal("9000.00"), "TITRE-1")
    w.faps.grants.close(w.officer, dossier_id)
    assert w.faps.budgets.get(w.officer, 2024).paid == Decimal("15000.00")


def test_a_full_balance_is_no_longer_paid_on_a_statement_of_a_thousand_euros(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    solde = request(w, dossier_id, "solde", Decimal("30000.00"), Decimal("1000.00"))
    settlement = _settlement(w, dossier_id, solde)
    assert settlement is not None
    # 300 € pro rata, but the half-share cap on the real figures (1,000 € less the
    # 20,000 € ARS subsidy) leaves nothing.
    assert (settlement.pro_rata, settlement.reduced_award, settlement.balance_due) == (
        Decimal("300.00"), ZERO, ZERO)
    assert settlement.capped
    with pytest.raises(InvalidInputError):
        _pay(w, dossier_id, solde, Decimal("30000.00"))
    _pay(w, dossier_id, solde, ZERO)
    assert w.faps.grants.statement(w.officer, dossier_id).awarded == ZERO


def test_a_balance_on_the_planned_cost_pays_the_whole_remainder_without_reduction(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    solde = request(w, dossier_id, "solde", Decimal("30000.00"), Decimal("100000.00"))
    settlement = _settlement(w, dossier_id, solde)
    assert settlement is not None and not settlement.reduced
    _pay(w, dossier_id, solde, Decimal("30000.00"))
    assert "Dossier.GrantReduced" not in _events(w, dossier_id)
    assert w.faps.grants.statement(w.officer, dossier_id).total_paid == Decimal("30000.00")


def test_only_a_balance_has_a_settlement(memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    acompte = request(w, dossier_id, "acompte", Decimal("1000.00"), Decimal("10000.00"))
    assert _settlement(w, dossier_id, acompte) is None
