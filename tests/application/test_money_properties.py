"""Money invariants after any sequence of awards, payments, reductions, clawbacks and lapses."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
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
from faps.domain.grant import reduced_grant
from faps.domain.money import ZERO, round_down
from faps.domain.payments import payment_statement
from tests.conftest import build_faps
from tests.payments_support import pay, request
from tests.support import World, make_world

fraction = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1.2"), places=2)
operation = st.one_of(
    st.tuples(st.just("award"), fraction),
    st.tuples(st.just("pay"), st.sampled_from(["avance", "acompte"]), fraction),
    st.tuples(st.just("balance"), fraction, fraction),
    st.tuples(st.just("reduce"), fraction),
    st.tuples(st.just("clawback"), fraction),
    st.tuples(st.just("amend"), fraction),
    st.tuples(st.just("lapse")),
    st.tuples(st.just("close")),
)
VOTED = Decimal("70000.00")


@dataclass
class Expected:
    """The figures the operations applied should give, kept apart from the aggregates."""

    voted: Decimal = VOTED
    awarded: dict[UUID, Decimal] = field(default_factory=dict)
    paid: dict[UUID, Decimal] = field(default_factory=dict)
    clawback_due: dict[UUID, Decimal] = field(default_factory=dict)
    recovered: dict[UUID, Decimal] = field(default_factory=dict)

    def net_paid(self, d: UUID) -> Decimal:
        return self.paid[d] - self.clawback_due[d]

    def remaining_to_pay(self, d: UUID) -> Decimal:
        return max(self.awarded[d] - self.net_paid(d), ZERO)

    def reduce_to(self, d: UUID, new_amount: Decimal) -> None:
        """A reduction: what was paid above the new award is to be paid back."""
        self.clawback_due[d] += max(self.net_paid(d) - new_amount, ZERO)
        self.awarded[d] = new_amount

    @property
    def committed(self) -> Decimal:
        return sum(self.awarded.values(), ZERO)

    @property
    def budget_paid(self) -> Decimal:
        return sum((self.paid[d] - self.recovered[d] for d in self.paid), ZERO)


def budget(w: World) -> YearlyBudget:
    return w.faps.budgets.get(w.officer, 2024)


def award(w: World, model: Expected, share: Decimal) -> UUID:
    dossier_id = w.awarded(requested_amount=str(round_down(Decimal(40000) * share)))
    # The council's award is an input of the model; everything after it is computed here.
    model.awarded[dossier_id] = w.faps.dossiers.load(w.officer, dossier_id).awarded_amount
    for figures in (model.paid, model.clawback_due, model.recovered):
        figures[dossier_id] = ZERO
    return dossier_id


def pay_balance(w: World, model: Expected, d: UUID, spent: Decimal, share: Decimal) -> None:
    """The commune asks for the balance on `spent` of the planned eligible base; it is paid."""
    assessment = w.faps.dossiers.load(w.officer, d).assessment
    assert assessment is not None
    planned = assessment.figures.eligible_base
    real = round_down(planned * spent)
    new_amount = model.awarded[d]
    if real < planned:  # pro rata, legal caps on the real figures: the règlement's rule
        new_amount = min(reduced_grant(assessment, model.awarded[d], real), new_amount)
    due = max(new_amount - model.net_paid(d), ZERO)
    amount = max(round_down(due * share), Decimal("0.01")) if due else ZERO
    solde = request(w, d, "solde", max(model.remaining_to_pay(d), Decimal("0.01")), real)
    w.faps.grants.make_payment(w.officer, d, solde, amount, w.clock.now().date(), "MANDAT-S")
    if new_amount < model.awarded[d]:
        model.reduce_to(d, new_amount)
    model.paid[d] += amount


def apply(w: World, model: Expected, op: tuple[Any, ...], pick: int) -> None:
    kind, dossiers = op[0], list(model.awarded)
    if kind == "award":
        award(w, model, op[1])
        return
    if kind == "amend":
        voted = round_down(VOTED * op[1] * 2)
        w.faps.budgets.vote(w.secretariat, 2024, voted, f"DEL-2024-DM{pick}")
        model.voted = voted
        return
    if not dossiers:
        return
    d = dossiers[pick % len(dossiers)]
    if kind == "pay":
        amount = max(round_down(model.remaining_to_pay(d) * op[2]), Decimal("0.01"))
        pay(w, d, op[1], amount)
        model.paid[d] += amount
    elif kind == "balance":
        pay_balance(w, model, d, op[1], op[2])
    elif kind == "reduce":
        assessment = w.faps.dossiers.load(w.officer, d).assessment
        assert assessment is not None
        cost = round_down(assessment.figures.eligible_base * op[1])
        new_amount = w.faps.grants.reduce(w.officer, d, cost, "Coût réel inférieur.")
        assert new_amount == reduced_grant(assessment, model.awarded[d], cost)
        model.reduce_to(d, new_amount)
    elif kind == "clawback":
        amount = max(round_down((model.clawback_due[d] - model.recovered[d]) * op[1]),
                     Decimal("0.01"))
        w.faps.grants.record_clawback(w.officer, d, amount, "TITRE-1")
        model.recovered[d] += amount
    else:  # lapse or close: the unpaid remainder is released
        getattr(w.faps.grants, kind)(w.officer, d, *(("Délai dépassé.",) if kind == "lapse"
                                                      else ()))
        model.awarded[d] -= model.remaining_to_pay(d)


def check(w: World, model: Expected) -> None:
    b = budget(w)
    # Budget conservation, against figures recomputed from the operations applied.
    assert (b.voted, b.committed, b.paid) == (model.voted, model.committed, model.budget_paid)
    assert b.remaining == model.voted - model.committed >= 0
    w.faps.projections.catch_up()
    view = w.faps.queries.budget(w.officer, 2024)
    assert view is not None  # the dashboard shows the same figures
    assert (view.voted, view.committed, view.paid, view.remaining) == (
        model.voted, model.committed, model.budget_paid, model.voted - model.committed)
    for d in model.awarded:
        dossier = w.faps.dossiers.load(w.officer, d)
        assert (dossier.awarded_amount, dossier.paid, dossier.clawback_due,
                dossier.clawback_recovered) == (model.awarded[d], model.paid[d],
                                                model.clawback_due[d], model.recovered[d])
        # Payments minus clawbacks never exceed the award after reductions.
        assert dossier.paid - dossier.clawback_due <= dossier.awarded_amount
        assert dossier.clawback_recovered <= dossier.clawback_due
        assert b.commitments[d]["amount"] == model.awarded[d]
        statement = payment_statement(dossier)
        assert statement.total_paid == model.paid[d]
        assert statement.remaining == model.remaining_to_pay(d)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(st.tuples(operation, st.integers(0, 3)), min_size=1, max_size=10))
def test_money_invariants_hold_after_any_sequence(ops: list[tuple[tuple[Any, ...], int]]) -> None:
    clock = SettableClock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))
    with TemporaryDirectory() as tmp:
        faps = build_faps("memory://", Path(tmp), clock)
        try:
            w = make_world(faps, clock)
            faps.budgets.vote(w.secretariat, 2024, VOTED, "DEL-2024-DM1")
            model = Expected()
            for op, pick in ops:
                with suppress(FapsError):  # a refused command changes nothing
                    apply(w, model, op, pick)
                check(w, model)
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
    d = w.faps.dossiers.load(w.officer, dossier_id)
    assert (d.awarded_amount, d.paid, d.clawback_due, d.clawback_recovered) == (
        Decimal("15000.00"), Decimal("24000.00"), Decimal("9000.00"), Decimal("9000.00"))
    assert (budget(w).committed, budget(w).paid) == (Decimal("15000.00"), Decimal("15000.00"))
