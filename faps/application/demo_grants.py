"""The demo's council sessions and the life of its grants after the vote."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING
from uuid import UUID

from faps.domain.grant import advance_limit, interim_limit
from faps.domain.money import ZERO, round_down

if TYPE_CHECKING:
    from faps.application.demo import Demo, DemoCase

ADOPTED = {"awarded", "advance", "interim", "pending_payment", "closed", "reduced", "lapsed"}
OUTCOMES = {"rejected": "rejetee", "postponed": "ajournee", "late_award": "ajournee"}
PAID = ADOPTED - {"awarded"} | {"late_award"}
PLACE = "Torcy, hôtel d’agglomération, salle du conseil"


class GrantStories:
    """Plans sessions, votes, payments, reductions and lapses for the demo."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.faps = demo.faps

    def plan_year(self, year: int, cases: list[DemoCase]) -> None:
        """Plan the year's sessions (June, October, and one to come) and what follows."""
        first = [c for c in cases if c.story in ADOPTED | set(OUTCOMES)]
        self.plan_session(date(year, 6, 20), first)
        late = [c for c in cases if c.story == "late_award"]
        if late:
            self.plan_session(date(year, 10, 10), late, second=True)
        coming = [c for c in cases if c.story == "on_agenda"]
        if coming:
            self.plan_session(self.coming_session(), coming, vote=False)
        for k, case in enumerate(c for c in cases if c.story in PAID):
            voted = date(year, 10, 10) if case.story == "late_award" else date(year, 6, 20)
            self.plan_grant(case, voted, k)
        for k, case in enumerate(c for c in cases if c.story == "awarded"):
            self.demo.on(date(year, 7, 1) + timedelta(days=k), partial(self.notify, case))
            self.demo.exchanges.plan_rectification(case, date(year, 6, 20))

    # -- sessions -------------------------------------------------------------------------
    def coming_session(self) -> date:
        """Return the date of the session still to come, whose votes the user may record."""
        return self.demo.today + timedelta(days=12)

    def plan_session(self, on: date, cases: list[DemoCase], second: bool = False,
                     vote: bool = True) -> None:
        """Plan a session: scheduled two weeks before, agenda, then the votes."""
        holder: dict[str, UUID] = {}

        def prepare() -> None:
            secretariat = self.demo.actors["secretariat"]
            holder["id"] = self.faps.council.schedule(
                secretariat, "conseil", on, PLACE, on - timedelta(days=7), 65,
                "M. le Président de la communauté d'agglomération", "Mme Nadia Benali")
            self.demo.sessions += 1
            self.demo.tick()
            self.faps.council.add_to_agenda(secretariat, holder["id"],
                                            [c.dossier_id for c in cases if c.dossier_id])

        self.demo.on(on - timedelta(days=14), prepare)
        if vote:
            self.demo.on(on, lambda: self.vote(holder["id"], cases, second))

    def vote(self, session_id: UUID, cases: list[DemoCase], second: bool) -> None:
        """Record each item's outcome, then close the session."""
        secretariat = self.demo.actors["secretariat"]
        session = self.faps.council.load(secretariat, session_id)
        year = session.session_date.year
        by_dossier = {c.dossier_id: c for c in cases}
        for number, item in sorted(session.items.items()):
            case = by_dossier[item["dossier_id"]]
            outcome = "adoptee" if second else OUTCOMES.get(case.story, "adoptee")
            votes = {"adoptee": (48, 4, 6), "rejetee": (17, 31, 9), "ajournee": (0, 0, 0)}[outcome]
            reference = "" if outcome == "ajournee" else f"DEL-{year}-{100 + number + 20 * second}"
            self.demo.tick()
            self.faps.council.record_outcome(secretariat, session_id, number, outcome,
                                             item["proposed_amount"], reference, votes, (55, 59))
        self.demo.tick()
        self.faps.council.close(secretariat, session_id)

    # -- after the award --------------------------------------------------------------------
    def plan_grant(self, case: DemoCase, voted: date, k: int) -> None:
        """Plan deliberation, notification, agreement, payments and the end of a grant."""
        on = self.demo.on
        nxt = date(voted.year + 1, 1, 1)
        on(voted + timedelta(days=12 + k), lambda: self.deliberate_and_notify(case, voted, k))
        on(voted + timedelta(days=30 + k), lambda: self.sign(case))
        if case.story != "pending_payment":
            on(voted + timedelta(days=60 + k), lambda: self.pay(case, "avance", None))
        if case.story in ("interim", "reduced", "pending_payment"):
            share = Decimal("0.5") if case.story == "reduced" else Decimal("0.4")
            pay = case.story != "pending_payment"
            on(nxt + timedelta(days=35 + k), lambda: self.pay(case, "acompte", share, pay))
        if case.story == "closed":
            on(nxt + timedelta(days=95 + k), lambda: self.pay(case, "solde", None))
            on(nxt + timedelta(days=120 + k), lambda: self.close(case))
        if case.story == "reduced":
            on(nxt + timedelta(days=125 + k), lambda: self.reduce(case))
            on(nxt + timedelta(days=160 + k), lambda: self.close(case))
        if case.story == "lapsed":
            on(date(voted.year + 1, 9, 1) + timedelta(days=k), lambda: self.lapse(case))

    def _id(self, case: DemoCase) -> UUID:
        assert case.dossier_id is not None
        return case.dossier_id

    def notify(self, case: DemoCase) -> None:
        """Notify the decision (the commune's own vote is still awaited)."""
        self.faps.grants.notify(self.demo.actors["secretariat"], self._id(case))

    def deliberate_and_notify(self, case: DemoCase, voted: date, k: int) -> None:
        """Record the concordant municipal deliberation and notify the commune."""
        secretariat = self.demo.actors["secretariat"]
        self.faps.grants.record_municipal_deliberation(
            secretariat, self._id(case), f"DCM-{voted.year}-{40 + k:03d}",
            voted + timedelta(days=7 + k % 4))
        self.demo.tick()
        self.notify(case)

    def sign(self, case: DemoCase) -> None:
        """Record the signed funding agreement."""
        year = self.demo.clock.now().year
        self.faps.grants.sign_agreement(self.demo.officer(case), self._id(case),
                                        f"CONV-FAPS-{year}-{case.index + 1:02d}",
                                        self.demo.clock.now().date() - timedelta(days=2))

    def pay(self, case: DemoCase, kind: str, share: Decimal | None, pay: bool = True) -> None:
        """The commune asks for a payment with its justificatifs; the officer pays it."""
        agent, officer = self.demo.agents[case.commune], self.demo.officer(case)
        dossier = self.faps.dossiers.load(officer, self._id(case))
        reglement = self.faps.reglements.get(dossier.reglement_version or "")
        kinds = {"avance": reglement.documents_at_advance,
                 "acompte": reglement.documents_at_interim,
                 "solde": reglement.documents_at_balance}[kind]
        docs = tuple(self.demo.attach(case, agent, k.code) for k in kinds)
        base = dossier.assessment.figures.eligible_base if dossier.assessment else ZERO
        spent = round_down(base * {"avance": Decimal("0"), "acompte": Decimal("0.75"),
                                   "solde": Decimal(1)}[kind])
        if kind == "avance":
            amount = advance_limit(dossier.awarded_amount, reglement.advance_rate)
        elif kind == "acompte":  # within award × justified ÷ planned base, less what was paid
            amount = min(round_down(dossier.awarded_amount * (share or Decimal("0.4"))),
                         interim_limit(dossier.awarded_amount, spent, base, dossier.net_paid))
        else:
            amount = dossier.remaining_to_pay
        self.demo.tick()
        request = self.faps.grants.request_payment(agent, dossier.id, kind, amount, spent, docs)
        if pay:
            self.demo.clock.advance(days=9)
            self.faps.grants.make_payment(officer, dossier.id, request, amount,
                                          self.demo.clock.now().date(),
                                          f"MANDAT-{self.demo.clock.now():%Y}-{case.index:03d}{kind[0]}")

    def reduce(self, case: DemoCase) -> None:
        """The real cost was 30 % lower: reduce pro rata, then recover the overpayment."""
        officer = self.demo.officer(case)
        dossier = self.faps.dossiers.load(officer, self._id(case))
        assert dossier.assessment is not None
        real = round_down(dossier.assessment.figures.eligible_base * Decimal("0.7"))
        self.faps.grants.reduce(officer, dossier.id, real,
                                "Dépenses éligibles réalisées inférieures au prévisionnel.")
        dossier = self.faps.dossiers.load(officer, dossier.id)
        due = dossier.clawback_due - dossier.clawback_recovered
        if due > 0:
            self.demo.clock.advance(days=20)
            self.faps.grants.record_clawback(officer, dossier.id, due,
                                             f"TITRE-{self.demo.clock.now():%Y}-{case.index:03d}")

    def close(self, case: DemoCase) -> None:
        """Close the fully paid grant."""
        self.faps.grants.close(self.demo.officer(case), self._id(case))

    def lapse(self, case: DemoCase) -> None:
        """Declare the unused grant lapsed: the works never finished within the delay."""
        self.faps.grants.lapse(self.demo.officer(case), self._id(case),
                               "Caducité : travaux non achevés dans le délai du règlement.")
