"""Issue 12, point 7: every payment is bounded by the règlement, under any history.

From one awarded grant, any sequence of notifications, agreements, payment requests (advance,
acompte, balance, with any expenses justified) and payments (any amount, any expenses retained
at the balance, with or without a motive) is tried; refused commands record nothing. After each
step, read on the dossier's own events: no payment before the notified decision and the signed
agreement; each acompte at most award × justified ÷ planned base less what was paid before it;
a balance reduction computed on the expenses the officer retained, never above those declared.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import event as reached
from hypothesis import strategies as st

from faps.application.clock import SettableClock
from faps.domain.errors import FapsError, InvalidInputError, TransitionNotAllowedError
from faps.domain.grant import advance_limit, interim_limit, reduced_grant
from faps.domain.money import ZERO, round_down
from tests.conftest import build_faps
from tests.payments_support import justificatifs, ready_to_pay
from tests.support import World, make_world

share = st.one_of(st.just(Decimal(1)),
                  st.decimals(min_value=Decimal("0"), max_value=Decimal("1.3"), places=2))
step = st.one_of(
    st.tuples(st.just("notify")),
    st.tuples(st.just("sign")),
    st.tuples(st.just("request"), st.sampled_from(["avance", "acompte", "solde"]), share, share),
    st.tuples(st.just("pay"), share, share, st.sampled_from(["", "Mobilier exclu"])),
    st.tuples(st.just("pay"), share, st.just(Decimal(1)), st.just("")),
)


def command(w: World, d: UUID, op: tuple[Any, ...]) -> Callable[[], Any]:
    """Prepare a step (justificatifs uploaded) and return its command."""
    grants, dossier = w.faps.grants, w.faps.dossiers.load(w.officer, d)
    planned = dossier.assessment.figures.eligible_base if dossier.assessment else ZERO
    if op[0] == "notify":
        return lambda: grants.notify(w.officer, d)
    if op[0] == "sign":
        return lambda: grants.sign_agreement(w.officer, d, "CONV-1", w.clock.now().date())
    if op[0] == "request":
        _, kind, amount_share, justified = op
        expenses = round_down(planned * justified)
        # A share of the kind's own limit: below, at and just above the bound alike.
        limit = {"avance": advance_limit(dossier.awarded_amount, Decimal("0.30")),
                 "acompte": interim_limit(dossier.awarded_amount, expenses, planned,
                                          dossier.net_paid),
                 "solde": dossier.remaining_to_pay}[kind]
        amount = max(round_down(limit * amount_share), Decimal("0.01"))
        docs = justificatifs(w, d, kind)
        return lambda: grants.request_payment(w.agent, d, kind, amount, expenses, docs)
    pending = dossier.pending_payment
    if pending is None:
        return lambda: None
    _, paid_share, retained_share, motive = op
    retained = round_down(pending.expenses_paid * retained_share)
    return lambda: grants.make_payment(w.officer, d, pending.request_id,
                                       round_down(pending.amount * paid_share),
                                       w.clock.now().date(), "MANDAT-1", retained, motive)


def check(w: World, d: UUID) -> None:
    dossier = w.faps.dossiers.load(w.officer, d)
    assert dossier.assessment is not None
    planned = dossier.assessment.figures.eligible_base
    events = list(w.faps.app.repository.event_store.get(d))
    names = [type(e).__name__ for e in events]
    for index, event in enumerate(events):
        if names[index] == "PaymentMade":
            assert {"Notified", "AgreementSigned"} <= set(names[:index])
            request = dossier.payment_requests[event.request_id]
            reached(f"paid {request.kind}")
            if request.kind == "acompte":
                assert event.amount <= interim_limit(event.awarded, request.expenses_paid,
                                                     planned, event.paid_before)
        elif names[index] == "ExpensesRetained":
            reached("expenses retained")
            assert event.retained < event.declared and event.motive
        elif names[index] == "GrantReduced" and names[index + 1:index + 2] == ["PaymentMade"]:
            request = dossier.payment_requests[events[index + 1].request_id]
            assert request.kind == "solde"
            assert event.real_eligible_cost == request.eligible_expenses <= request.expenses_paid
            assert event.new_amount == min(
                reduced_grant(dossier.assessment, event.previous_amount, request.eligible_expenses),
                event.previous_amount)
    assert ZERO <= dossier.net_paid <= dossier.awarded_amount


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(prepared=st.sampled_from([True, True, True, False]),
       steps=st.lists(step, min_size=4, max_size=12))
def test_payments_stay_within_the_reglement_under_any_history(
        prepared: bool, steps: list[tuple[Any, ...]]) -> None:
    clock = SettableClock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))
    with TemporaryDirectory() as tmp:
        faps = build_faps("memory://", Path(tmp), clock)
        try:
            w = make_world(faps, clock)
            d = w.awarded()
            if prepared:  # most histories get past notification and agreement
                ready_to_pay(w, d)
            for op in steps:
                run = command(w, d, op)
                before = faps.app.recorder.max_notification_id()
                try:
                    run()
                except FapsError:
                    assert faps.app.recorder.max_notification_id() == before
                check(w, d)
        finally:
            faps.close()


def test_the_issue_case_a_whole_award_as_an_acompte_on_one_euro_is_refused(
        memory_world: World) -> None:
    w = memory_world
    d = w.awarded()
    docs = justificatifs(w, d, "acompte")
    with pytest.raises(TransitionNotAllowedError, match="pas encore notifiée"):
        w.faps.grants.request_payment(w.agent, d, "acompte", Decimal("30000.00"),
                                      Decimal("1.00"), docs)
    w.faps.grants.notify(w.officer, d)
    with pytest.raises(TransitionNotAllowedError, match="convention de financement"):
        w.faps.grants.request_payment(w.agent, d, "acompte", Decimal("30000.00"),
                                      Decimal("1.00"), docs)
    ready_to_pay(w, d)
    with pytest.raises(InvalidInputError) as refused:
        w.faps.grants.request_payment(w.agent, d, "acompte", Decimal("30000.00"),
                                      Decimal("1.00"), docs)
    assert "l’acompte est limité à 0,30" in refused.value.errors["amount"][0]


def test_at_the_balance_the_officer_retains_less_with_a_motive_and_the_grant_follows(
        memory_world: World) -> None:
    w = memory_world
    d = w.awarded()
    ready_to_pay(w, d)
    dossier = w.faps.dossiers.load(w.officer, d)
    assert dossier.assessment is not None
    planned = dossier.assessment.figures.eligible_base
    docs = justificatifs(w, d, "solde")
    request_id = w.faps.grants.request_payment(w.agent, d, "solde", dossier.awarded_amount,
                                               planned, docs)
    half = round_down(planned / 2)
    with pytest.raises(InvalidInputError) as refused:
        w.faps.grants.make_payment(w.officer, d, request_id, Decimal("1.00"),
                                   w.clock.now().date(), "M-1", half, "")
    assert "retention_motive" in refused.value.errors
    expected = reduced_grant(dossier.assessment, dossier.awarded_amount, half)
    w.faps.grants.make_payment(w.officer, d, request_id, expected, w.clock.now().date(), "M-1",
                               half, "Mobilier de bureau non éligible exclu.")
    after = w.faps.dossiers.load(w.officer, d)
    request = after.payment_requests[request_id]
    assert (request.expenses_paid, request.retained_expenses) == (planned, half)
    assert request.retention_motive == "Mobilier de bureau non éligible exclu."
    assert after.awarded_amount == expected == after.paid
