"""Money invariants after any sequence of awards, payments, reductions, clawbacks and lapses."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faps.application.clock import SettableClock
from faps.domain.budget import YearlyBudget
from faps.domain.errors import FapsError
from faps.domain.money import ZERO, round_down
from faps.domain.payments import payment_statement
from tests.conftest import build_faps
from tests.payments_support import pay
from tests.support import World, make_world

fraction = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1.2"), places=2)
operation = st.one_of(
    st.tuples(st.just("award"), fraction),
    st.tuples(st.just("pay"), st.sampled_from(["avance", "acompte", "solde"]), fraction),
    st.tuples(st.just("reduce"), fraction),
    st.tuples(st.just("clawback"), fraction),
    st.tuples(st.just("lapse")),
    st.tuples(st.just("close")),
)


def budget(w: World) -> YearlyBudget:
    return w.faps.budgets.get(w.officer, 2024)


def apply(w: World, dossiers: list[UUID], op: tuple[Any, ...], pick: int) -> None:
    kind = op[0]
    if kind == "award":
        dossiers.append(w.awarded(requested_amount=str(round_down(Decimal(40000) * op[1]))))
        return
    if not dossiers:
        return
    dossier_id = dossiers[pick % len(dossiers)]
    dossier = w.faps.dossiers.load(w.officer, dossier_id)
    if kind == "pay":
        pay(w, dossier_id, op[1], max(round_down(dossier.remaining_to_pay * op[2]),
                                       Decimal("0.01")))
    elif kind == "reduce":
        before = dossier.net_paid
        cost = round_down(dossier.assessment.figures.eligible_base * op[1])  # type: ignore[union-attr]
        new_amount = w.faps.grants.reduce(w.officer, dossier_id, cost, "Coût réel inférieur.")
        after = w.faps.dossiers.load(w.officer, dossier_id)
        # A clawback equals what was overpaid.
        assert after.clawback_due - dossier.clawback_due == max(before - new_amount, ZERO)
    elif kind == "clawback":
        outstanding = dossier.clawback_due - dossier.clawback_recovered
        w.faps.grants.record_clawback(w.officer, dossier_id,
                                      max(round_down(outstanding * op[1]), Decimal("0.01")),
                                      "TITRE-1")
    elif kind == "lapse":
        w.faps.grants.lapse(w.officer, dossier_id, "Délai de caducité dépassé.")
    else:
        w.faps.grants.close(w.officer, dossier_id)


def check(w: World, dossiers: list[UUID]) -> None:
    b = budget(w)
    # Budget conservation, each term within its bounds.
    assert b.voted == (b.committed - b.paid) + b.paid + b.remaining
    assert b.remaining >= 0 and b.committed <= b.voted
    for dossier_id in dossiers:
        d = w.faps.dossiers.load(w.officer, dossier_id)
        # Payments minus clawbacks never exceed the award after reductions.
        assert d.paid - d.clawback_due <= d.awarded_amount
        assert d.clawback_recovered <= d.clawback_due
        assert b.commitments[dossier_id]["amount"] == d.awarded_amount
        assert b.paid_by_dossier.get(dossier_id, ZERO) == d.paid - d.clawback_recovered
        statement = payment_statement(d)
        assert statement.total_paid == d.paid
        assert statement.remaining == d.remaining_to_pay


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(st.tuples(operation, st.integers(0, 3)), min_size=1, max_size=10))
def test_money_invariants_hold_after_any_sequence(ops: list[tuple[tuple[Any, ...], int]]) -> None:
    clock = SettableClock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))
    with TemporaryDirectory() as tmp:
        faps = build_faps("memory://", Path(tmp), clock)
        try:
            w = make_world(faps, clock)
            faps.budgets.vote(w.secretariat, 2024, Decimal("70000.00"), "DEL-2024-DM1")
            dossiers: list[UUID] = []
            for op, pick in ops:
                with suppress(FapsError):  # a refused command changes nothing
                    apply(w, dossiers, op, pick)
                check(w, dossiers)
        finally:
            faps.close()


def test_an_award_above_the_remaining_budget_is_refused_with_the_figures(
        memory_world: World) -> None:
    import pytest

    from faps.domain.errors import BudgetExceededError

    w = memory_world
    w.faps.budgets.vote(w.secretariat, 2024, Decimal("40000.00"), "DEL-2024-DM1")
    w.awarded()
    with pytest.raises(BudgetExceededError, match="dépasse le reste disponible du budget 2024"):
        w.awarded()


def test_a_reduction_below_what_was_paid_makes_the_overpayment_a_clawback(
        memory_world: World) -> None:
    w = memory_world
    dossier_id = w.awarded()
    pay(w, dossier_id, "avance", Decimal("9000.00"))
    pay(w, dossier_id, "acompte", Decimal("15000.00"))
    new_amount = w.faps.grants.reduce(w.officer, dossier_id, Decimal("50000.00"), "Coût réel.")
    statement = w.faps.grants.statement(w.officer, dossier_id)
    assert new_amount == Decimal("15000.00")
    assert (statement.total_paid, statement.clawback_due, statement.remaining) == (
        Decimal("24000.00"), Decimal("9000.00"), ZERO)
    assert [line.kind for line in statement.lines] == ["avance", "acompte"]
    w.faps.grants.record_clawback(w.officer, dossier_id, Decimal("9000.00"), "TITRE-7")
    check(w, [dossier_id])
    assert budget(w).paid == Decimal("15000.00")
