"""Random command sequences over several dossiers keep the money invariants and the log honest.

After every step: net paid ≤ awarded ≤ the assessment's maximum grant; a refused command
(FapsError) recorded nothing; replaying each dossier from the store equals the live state
(folded from the very events the commands produced); the budget's commitments and payments are
those of its dossiers, and voted = committed + remaining with nothing below zero.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from faps.application.clock import SettableClock
from faps.domain.actors import SYSTEM_ACTOR
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierState
from faps.domain.errors import FapsError
from faps.domain.grant import interim_limit
from faps.domain.money import ZERO, round_down
from tests.conftest import build_faps
from tests.support import FILING_KINDS, content, make_world, pdf

PAYMENT_DOCS = {"avance": ("attestation_demarrage",),
                "acompte": ("etat_recapitulatif", "factures"),
                "solde": ("etat_recapitulatif", "factures", "certificat_achevement")}
fractions = st.sampled_from([Decimal("0.1"), Decimal("0.3"), Decimal("0.5"), Decimal("1"),
                             Decimal("1.2")])


def public_state(aggregate: Any) -> dict[str, Any]:
    """Return the attributes a reader sees, with id and version."""
    state = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    return {**state, "id": aggregate.id, "version": aggregate.version}


class DossierMachine(RuleBasedStateMachine):
    """Drives dossiers of Lognes through the services, refused commands included."""

    dossiers = Bundle("dossiers")

    def __init__(self) -> None:
        super().__init__()
        self.clock = SettableClock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))
        self.faps = build_faps("memory://", Path(tempfile.mkdtemp()), self.clock)
        self.w = make_world(self.faps, self.clock)
        self.live: dict[UUID, Any] = {}
        self.faps.app.on_saved(self._fold)
        self.session_id: UUID | None = None

    def teardown(self) -> None:
        self.faps.close()

    def _fold(self, recordings: Any) -> None:
        for recording in recordings:
            event = recording.domain_event
            if event.originator_id in self.live or type(event).__name__ == "Drafted":
                self.live[event.originator_id] = event.mutate(self.live.get(event.originator_id))

    def attempt(self, command: Callable[[], Any]) -> bool:
        """Run a command; if refused, check nothing was recorded."""
        before = self.faps.app.recorder.max_notification_id()
        try:
            command()
        except FapsError:
            assert self.faps.app.recorder.max_notification_id() == before
            return False
        return True

    def dossier(self, dossier_id: UUID) -> Dossier:
        loaded: Dossier = self.faps.dossiers.load(SYSTEM_ACTOR, dossier_id)  # drafts too
        return loaded

    # -- the commune ----------------------------------------------------------------------
    @precondition(lambda self: len(self.live) < 4)
    @rule(target=dossiers, eligible=st.booleans(), requested=st.sampled_from(["5000", "40000"]))
    def draft(self, eligible: bool, requested: str) -> UUID:
        dossier_id = self.faps.dossiers.draft(self.w.agent, "77258", content(
            works_started=not eligible, requested_amount=requested))
        for kind in FILING_KINDS:
            self.faps.dossiers.attach(self.w.agent, dossier_id, kind, f"{kind}.pdf", pdf(kind))
        return dossier_id

    @rule(d=dossiers, title=st.sampled_from(["Cabinet médical", "x" * 201]))
    def edit(self, d: UUID, title: str) -> None:
        self.attempt(lambda: self.faps.dossiers.edit(self.w.agent, d, {"title": title}))

    @rule(d=dossiers)
    def submit(self, d: UUID) -> None:
        self.attempt(lambda: self.faps.dossiers.submit(self.w.agent, d))

    @rule(d=dossiers)
    def provide_information(self, d: UUID) -> None:
        self.attempt(lambda: self.faps.dossiers.provide_information(self.w.agent, d, "Voici."))

    @rule(d=dossiers)
    def withdraw(self, d: UUID) -> None:
        self.attempt(lambda: self.faps.dossiers.withdraw(self.w.agent, d, "Abandon"))

    # -- the officer ----------------------------------------------------------------------
    @rule(d=dossiers)
    def request_information(self, d: UUID) -> None:
        self.attempt(lambda: self.faps.dossiers.request_information(
            self.w.officer, d, "Précisez le plan de financement."))

    @rule(d=dossiers)
    def declare_complete(self, d: UUID) -> None:
        self.attempt(lambda: self.faps.dossiers.declare_complete(self.w.officer, d))

    @rule(d=dossiers)
    def assess(self, d: UUID) -> None:
        self.attempt(lambda: self.faps.dossiers.assess(self.w.officer, d))

    @rule(d=dossiers, share=fractions)
    def propose(self, d: UUID, share: Decimal) -> None:
        assessment = self.dossier(d).assessment
        base = assessment.grant if assessment else Decimal("1000")
        amount = max(round_down(base * share), Decimal("0.01"))
        self.attempt(lambda: self.faps.dossiers.propose(self.w.officer, d, amount, "Conforme"))

    @rule(d=dossiers)
    def close_ineligible(self, d: UUID) -> None:
        self.attempt(lambda: self.faps.dossiers.close_ineligible(self.w.officer, d, "Inéligible"))

    @rule(d=dossiers)
    def note(self, d: UUID) -> None:
        self.attempt(lambda: self.faps.dossiers.add_note(self.w.officer, d, "À suivre"))

    # -- the council ----------------------------------------------------------------------
    @rule()
    def schedule(self) -> None:
        self.session_id = self.w.session()

    @rule(d=dossiers)
    def put_on_agenda(self, d: UUID) -> None:
        session_id = self.session_id
        if session_id is not None:
            self.attempt(lambda: self.faps.council.add_to_agenda(self.w.secretariat, session_id,
                                                                 [d]))

    @rule(d=dossiers, outcome=st.sampled_from(["adoptee", "rejetee", "ajournee"]), share=fractions)
    def vote(self, d: UUID, outcome: str, share: Decimal) -> None:
        if self.session_id is None:
            return
        session_id = self.session_id
        session = self.faps.council.load(self.w.secretariat, session_id)
        numbers = [n for n, i in session.items.items()
                   if i["dossier_id"] == d and not i["withdrawn"] and i["outcome"] is None]
        number = numbers[0] if numbers else 999
        amount = round_down((self.dossier(d).proposed_amount or Decimal("100")) * share)
        votes = {"adoptee": (40, 3, 2), "rejetee": (3, 40, 2), "ajournee": (0, 0, 0)}[outcome]
        self.attempt(lambda: self.faps.council.record_outcome(
            self.w.secretariat, session_id, number, outcome, amount,  # type: ignore[arg-type]
            "DEL-2024-001", votes, (50, 52)))

    @rule()
    def close_session(self) -> None:
        session_id = self.session_id
        if session_id is not None:
            self.attempt(lambda: self.faps.council.close(self.w.secretariat, session_id))

    @rule(amount=st.sampled_from(["20000.00", "60000.00", "1000000.00"]))
    def amend_budget(self, amount: str) -> None:
        self.attempt(lambda: self.faps.budgets.vote(self.w.secretariat, 2024, Decimal(amount),
                                                    "DM-2024"))

    # -- the grant ------------------------------------------------------------------------
    @rule(d=dossiers)
    def deliberate_sign_notify(self, d: UUID) -> None:
        grants, today = self.faps.grants, self.clock.now().date()
        self.attempt(lambda: grants.record_municipal_deliberation(self.w.secretariat, d, "DCM-1",
                                                                  today))
        self.attempt(lambda: grants.sign_agreement(self.w.officer, d, "CONV-1", today))
        self.attempt(lambda: grants.notify(self.w.secretariat, d))

    @rule(d=dossiers, kind=st.sampled_from(["avance", "acompte", "solde"]), share=fractions,
          justified=fractions)
    def request_payment(self, d: UUID, kind: str, share: Decimal, justified: Decimal) -> None:
        dossier = self.dossier(d)
        if dossier.state.is_final:
            return
        docs = tuple(self.faps.dossiers.attach(self.w.agent, d, k, f"{k}.pdf", pdf(k))
                     for k in PAYMENT_DOCS[kind])
        amount = max(round_down(dossier.remaining_to_pay * share), Decimal("0.01"))
        planned = dossier.assessment.figures.eligible_base if dossier.assessment else ZERO
        expenses = round_down(planned * justified)
        self.attempt(lambda: self.faps.grants.request_payment(
            self.w.agent, d, kind, amount, expenses, docs))  # type: ignore[arg-type]

    @rule(d=dossiers, share=fractions, pay=st.booleans(), retained=fractions,
          motive=st.sampled_from(["", "Mobilier non éligible exclu"]))
    def settle_payment(self, d: UUID, share: Decimal, pay: bool, retained: Decimal,
                       motive: str) -> None:
        pending = self.dossier(d).pending_payment
        if pending is None:
            return
        grants, officer = self.faps.grants, self.w.officer
        if pay:
            amount = round_down(pending.amount * share)
            kept = round_down(pending.expenses_paid * retained) if retained != 1 else None
            self.attempt(lambda: grants.make_payment(officer, d, pending.request_id, amount,
                                                     self.clock.now().date(), "MANDAT-1",
                                                     kept, motive))
        else:
            self.attempt(lambda: grants.refuse_payment(officer, d, pending.request_id, "Non"))

    @rule(d=dossiers, share=fractions)
    def reduce(self, d: UUID, share: Decimal) -> None:
        assessment = self.dossier(d).assessment
        real = round_down((assessment.figures.eligible_base if assessment else ZERO) * share)
        self.attempt(lambda: self.faps.grants.reduce(self.w.officer, d, real, "Coût réel"))

    @rule(d=dossiers)
    def recover_clawback(self, d: UUID) -> None:
        dossier = self.dossier(d)
        due = dossier.clawback_due - dossier.clawback_recovered
        self.attempt(lambda: self.faps.grants.record_clawback(
            self.w.officer, d, due if due > 0 else Decimal("1.00"), "TITRE-1"))

    @rule(d=dossiers)
    def lapse(self, d: UUID) -> None:
        self.attempt(lambda: self.faps.grants.lapse(self.w.officer, d, "Délai dépassé"))

    @rule(d=dossiers)
    def close(self, d: UUID) -> None:
        self.attempt(lambda: self.faps.grants.close(self.w.officer, d))

    # -- the usual next step, so that random runs reach awards, payments and their end -----
    @rule(d=dossiers, steps=st.integers(1, 12))
    def next_steps(self, d: UUID, steps: int) -> None:
        for _ in range(steps):
            if not self.attempt(lambda: self._next(self.dossier(d))):
                return

    @rule(d=dossiers, steps=st.integers(1, 12))
    def more_next_steps(self, d: UUID, steps: int) -> None:
        self.next_steps(d, steps)

    def _next(self, dossier: Dossier) -> None:
        S, services, w = DossierState, self.faps.dossiers, self.w
        steps: dict[DossierState, Callable[[], Any]] = {
            S.DRAFT: lambda: services.submit(w.agent, dossier.id),
            S.SUBMITTED: lambda: services.declare_complete(w.officer, dossier.id),
            S.INFORMATION_REQUESTED: lambda: services.provide_information(w.agent, dossier.id,
                                                                          "Voici."),
            S.COMPLETE: lambda: services.assess(w.officer, dossier.id),
            S.ASSESSED: lambda: self._propose_or_close(dossier),
            S.PROPOSED: lambda: self._agenda(dossier),
            S.POSTPONED: lambda: self._agenda(dossier),
            S.ON_AGENDA: lambda: self._adopt(dossier),
            S.AWARDED: lambda: self._grant_step(dossier),
        }
        if dossier.state in steps:
            steps[dossier.state]()

    def _propose_or_close(self, dossier: Dossier) -> None:
        assert dossier.assessment is not None
        if dossier.assessment.eligible:
            self.faps.dossiers.propose(self.w.officer, dossier.id, dossier.assessment.grant, "Vu")
        else:
            self.faps.dossiers.close_ineligible(self.w.officer, dossier.id, "Inéligible")

    def _agenda(self, dossier: Dossier) -> None:
        if self.session_id is None or self.faps.council.load(self.w.auditor,
                                                             self.session_id).closed:
            self.session_id = self.w.session()
        self.faps.council.add_to_agenda(self.w.secretariat, self.session_id, [dossier.id])

    def _adopt(self, dossier: Dossier) -> None:
        assert dossier.session_id is not None and dossier.agenda_item is not None
        self.faps.council.record_outcome(self.w.secretariat, dossier.session_id,
                                         dossier.agenda_item, "adoptee",
                                         dossier.proposed_amount or ZERO, "DEL-2024-002",
                                         (40, 3, 2), (50, 52))

    def _grant_step(self, dossier: Dossier) -> None:
        grants, w, today = self.faps.grants, self.w, self.clock.now().date()
        pending = dossier.pending_payment
        if not dossier.municipal_deliberation:
            grants.record_municipal_deliberation(w.secretariat, dossier.id, "DCM-2", today)
        elif not dossier.notified_on:
            grants.notify(w.officer, dossier.id)
        elif not dossier.agreement:
            grants.sign_agreement(w.officer, dossier.id, "CONV-2", today)
        elif pending is not None:
            grants.make_payment(w.officer, dossier.id, pending.request_id, pending.amount, today,
                                "MANDAT-2")
        elif dossier.remaining_to_pay == 0 or any(
                p.kind == "solde" and p.status == "paye"
                for p in dossier.payment_requests.values()):  # (a balance with retained
            grants.close(w.officer, dossier.id)                 # expenses leaves a remainder)
        else:
            kind = "avance" if dossier.paid == 0 else "solde"
            amount = (round_down(dossier.awarded_amount * Decimal("0.3")) if kind == "avance"
                      else dossier.remaining_to_pay)
            docs = tuple(self.faps.dossiers.attach(w.agent, dossier.id, k, f"{k}.pdf", pdf(k))
                         for k in PAYMENT_DOCS[kind])
            grants.request_payment(w.agent, dossier.id, kind, amount, amount, docs)

    @rule(hours=st.integers(1, 30))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    # -- invariants -----------------------------------------------------------------------
    @invariant()
    def money_never_exceeds_what_was_decided(self) -> None:
        for dossier_id in self.live:
            dossier = self.dossier(dossier_id)
            assert ZERO <= dossier.clawback_recovered <= dossier.clawback_due
            assert ZERO <= dossier.net_paid <= dossier.awarded_amount
            if dossier.assessment is not None:
                assert dossier.awarded_amount <= dossier.assessment.max_grant
            else:
                assert dossier.awarded_amount == ZERO

    @invariant()
    def every_payment_rests_on_the_decision_the_agreement_and_the_expenses(self) -> None:
        """Notified decision and signed agreement first; an acompte within award × justified ÷
        planned less what was paid; a balance reduced on the expenses the officer retained."""
        for dossier_id, live in self.live.items():
            events = list(self.faps.app.repository.event_store.get(dossier_id))
            names = [type(e).__name__ for e in events]
            planned = live.assessment.figures.eligible_base if live.assessment else ZERO
            for index, event in enumerate(events):
                name = names[index]
                if name == "PaymentMade":
                    assert {"Notified", "AgreementSigned"} <= set(names[:index])
                    request = live.payment_requests[event.request_id]
                    if request.kind == "acompte":
                        assert event.amount <= interim_limit(
                            event.awarded, request.expenses_paid, planned, event.paid_before)
                elif name == "ExpensesRetained":
                    assert event.retained < event.declared and event.motive
                elif name == "GrantReduced" and names[index + 1:index + 2] == ["PaymentMade"]:
                    request = live.payment_requests[events[index + 1].request_id]
                    if request.kind == "solde":
                        assert event.real_eligible_cost == request.eligible_expenses

    @invariant()
    def replay_from_the_store_equals_the_live_state(self) -> None:
        for dossier_id, live in self.live.items():
            replayed = self.faps.app.repository.get(dossier_id)
            assert public_state(replayed) == public_state(live)

    @invariant()
    def the_budget_is_the_sum_of_its_dossiers(self) -> None:
        budget = self.faps.budgets.get(self.w.auditor, 2024)
        assert budget.voted == budget.committed + budget.remaining
        assert budget.remaining >= ZERO
        committed, paid = ZERO, ZERO
        for dossier_id in self.live:
            dossier = self.dossier(dossier_id)
            if dossier.decision and dossier.decision["outcome"] == "adoptee":
                closed = dossier.state is DossierState.CLOSED
                committed += dossier.net_paid if closed else dossier.awarded_amount
                paid += dossier.paid - dossier.clawback_recovered
        assert (budget.committed, budget.paid) == (committed, paid)


DossierMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_random_command_sequences_keep_money_and_log_invariants = DossierMachine.TestCase


def test_the_state_machine_starts_in_2024() -> None:
    assert DossierMachine().clock.now() - datetime(2024, 2, 5, 9, tzinfo=UTC) == timedelta(0)
