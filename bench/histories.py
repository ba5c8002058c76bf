"""Generated histories for capacity planning: every dossier lives a story, through the domain.

Each dossier is a Python generator that runs its commands on the aggregates (so every event
passes the domain's guards) and yields the next moment it acts; the council sessions are
generators too. A heap plays them in date order on one simulated clock, so the log is roughly
chronological (within a saved batch, events are grouped by aggregate). Nothing is read back
from the store: the aggregates stay in memory and are saved in large batches by the caller.

Stories (what becomes of a dossier), by the age of its year (0: the year under way):
draft, deleted, submitted, info_open (unanswered request), complete, assessed, ineligible,
proposed, on_agenda (the session to come), postponed, rejected, withdrawn, awarded (voted),
notified, agreement, advance, interim, pending_payment, closed, reduced (with a clawback),
lapsed, late_award (postponed then adopted).
"""

from __future__ import annotations

import heapq
import itertools
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from faps.application.demo_data import project_content
from faps.domain.actors import SYSTEM_ACTOR, Actor, Role
from faps.domain.assessment import assess
from faps.domain.budget import YearlyBudget
from faps.domain.council import CouncilSession
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DocumentRef, DossierContent
from faps.domain.grant import advance_limit, interim_limit, reduced_grant
from faps.domain.money import ZERO, round_down
from faps.domain.numbering import DossierNumbering
from faps.domain.reglement import Reglement

STORIES: dict[int, tuple[str, ...]] = {  # by the age of the year (2: two years ago or more)
    2: ("closed", "closed", "reduced", "closed", "lapsed", "interim", "late_award", "rejected",
        "withdrawn", "ineligible", "closed", "advance", "agreement"),
    1: ("closed", "interim", "advance", "pending_payment", "awarded", "reduced", "late_award",
        "rejected", "withdrawn", "ineligible", "closed", "lapsed", "notified", "agreement"),
    0: ("draft", "deleted", "submitted", "info_open", "complete", "assessed", "ineligible",
        "proposed", "on_agenda", "postponed", "rejected", "awarded", "notified", "agreement",
        "advance", "withdrawn", "info_answered"),
}
VOTED = {"rejected", "postponed", "late_award", "awarded", "notified", "agreement", "advance",
         "interim", "pending_payment", "closed", "reduced", "lapsed"}
ADOPTED = VOTED - {"rejected", "postponed"}
EARLY = {"draft": 1, "deleted": 1, "submitted": 2, "withdrawn": 2, "info_open": 3,
         "info_answered": 4, "complete": 5, "assessed": 6, "ineligible": 6, "proposed": 7}
PLACE = "Torcy, hôtel d’agglomération, salle du conseil"
MESSAGES = ("Pouvez-vous préciser le calendrier des travaux ?",
            "Le devis actualisé est joint au dossier.",
            "Merci, nous revenons vers vous sous huit jours.")
NOTES = ("Contacter l’ARS pour confirmer son cofinancement.", "Relancer la commune.",
         "Vérifier le plan de financement.", "Dossier conforme au règlement.")


@dataclass
class Cast:
    """Who acts: the staff and one agent per commune (accounts opened by the caller)."""

    officers: list[Actor]
    secretariat: Actor
    agents: dict[str, Actor]
    commune_names: dict[str, str]


@dataclass
class Case:
    """One dossier to generate."""

    year: int
    index: int
    commune: str
    story: str
    extra: int
    dossier: Dossier | None = None
    outcome: str | None = None
    award_year: int = 0


@dataclass
class Session:
    """A planned council session and the proposals waiting for it."""

    on: date
    waiting: list[Case] = field(default_factory=list)
    vote: bool = True


class Histories:
    """Plays every case and session in date order; collects the aggregates touched."""

    def __init__(self, rng: random.Random, cast: Cast, reglement: Reglement, communes: Any,
                 today: date) -> None:
        self.rng, self.cast, self.reglement, self.communes = rng, cast, reglement, communes
        self.today = today
        self.now = datetime(2000, 1, 1, tzinfo=UTC)
        self.heap: list[tuple[datetime, int, Iterator[datetime | None]]] = []
        self.seq = itertools.count()
        self.touched: dict[uuid.UUID, Any] = {}
        self.pending = 0
        self.budgets: dict[int, YearlyBudget] = {}
        self.numberings: dict[int, DossierNumbering] = {}
        self.sessions: list[Session] = []
        self.sessions_held = 0
        self.assessments: dict[tuple[str, str], Any] = {}
        self.required = {k.code: k.label for k in reglement.documents_at_filing}
        self.pace = 600  # mean seconds between one person's two commands (set by plan)

    # -- planning ---------------------------------------------------------------------------
    def plan(self, years: list[int], dossiers: int, events: int) -> list[Case]:
        """Spread the dossiers over the years and plan budgets, sessions and each life."""
        last, cases = years[-1], []
        per_day = events / (len(years) * 365)  # one person's commands must not outrun the days
        self.pace = max(2, min(600, int(8 * 3600 / max(per_day, 1))))
        per_year = max(1, dossiers // len(years))
        extra = max(0, events // max(1, dossiers) - 21)  # the stories average ~21 events
        communes = sorted(self.cast.agents)
        for year in years:
            count = dossiers - per_year * (len(years) - 1) if year == last else per_year
            self.at(datetime(year - 1, 12, 15, 9, tzinfo=UTC), self.budget(year, count))
            day, every = date(year, 2, 1), max(7, min(35, 20 * 320 // count))
            while day <= min(date(year, 12, 16), self.today - timedelta(days=1)):
                self.sessions.append(Session(day))
                day += timedelta(days=every)
            stories = STORIES[min(2, last - year)]
            shift = self.rng.randrange(len(stories))
            for i in range(count):  # every story of the year in turn: all of them from 17 on
                story = stories[(i + shift) % len(stories)]
                case = Case(year, i, communes[(i * 5 + year) % len(communes)], story,
                            self.rng.randint(0, 2 * extra) if extra else 0)
                cases.append(case)
                start = datetime.combine(date(year, 1, 10), time(8, tzinfo=UTC)) + timedelta(
                    minutes=int(i * (150 * 24 * 60) / count) + self.rng.randint(0, 600))
                self.at(start, self.life(case))
        coming = Session(self.today + timedelta(days=12), vote=False)
        self.sessions.append(coming)
        self.coming = coming
        for session in self.sessions:
            self.at(datetime.combine(session.on - timedelta(days=14), time(10, tzinfo=UTC)),
                    self.council(session))
        return cases

    def at(self, moment: datetime, life: Iterator[datetime | None]) -> None:
        """Plan a generator to run at a moment."""
        heapq.heappush(self.heap, (moment, next(self.seq), life))

    def run(self, until: int, flush: Any) -> None:
        """Play the steps in date order, calling `flush(aggregates)` every `until` events."""
        end = datetime.combine(self.today, time(0, tzinfo=UTC))
        while self.heap:
            moment, _, life = heapq.heappop(self.heap)
            if moment >= end:
                continue
            self.now = max(self.now, moment)
            following = next(life, None)
            if following is not None:
                self.at(following, life)
            if self.pending >= until:
                flush(list(self.touched.values()))
                self.touched, self.pending = {}, 0
        flush(list(self.touched.values()))
        self.touched, self.pending = {}, 0

    def touch(self, *aggregates: Any) -> None:
        """Remember aggregates with new events for the next batch."""
        for aggregate in aggregates:
            self.touched[aggregate.id] = aggregate
            self.pending += 1

    def later(self, days: float = 0, hours: float = 0) -> datetime:
        """Return a moment some days (and a few random minutes) after now."""
        return self.now + timedelta(days=days, hours=hours, minutes=self.rng.randint(3, 50))

    def step(self) -> datetime:
        """Let a few minutes pass (the next command of one person)."""
        self.now += timedelta(seconds=self.rng.randint(self.pace // 2, self.pace * 3 // 2))
        return self.now

    def id(self) -> uuid.UUID:
        """Return a uuid drawn from the seeded generator."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # -- budgets and sessions -----------------------------------------------------------------
    def budget(self, year: int, count: int) -> Iterator[datetime | None]:
        """Vote the year's envelope (and amend it when awards would pass it)."""
        amount = Decimal(count * 30_000).quantize(Decimal("0.01"))
        budget = YearlyBudget.vote(self.cast.secretariat, year, amount, f"DEL-{year - 1}-180",
                                   self.now)
        self.budgets[year] = budget
        self.touch(budget)
        yield from ()

    def council(self, session: Session) -> Iterator[datetime | None]:
        """Schedule a session with its waiting proposals, hold the vote, close it."""
        if not session.waiting:
            return
        actor = self.cast.secretariat
        council = CouncilSession.schedule(
            actor, "conseil", session.on, PLACE, session.on - timedelta(days=7), 65,
            "M. le Président de la communauté d’agglomération", "Mme Nadia Benali", self.now)
        self.sessions_held += 1
        self.touch(council)
        cases = list(session.waiting)
        for case in cases:
            d = case.dossier
            assert d is not None and d.proposed_amount is not None
            number = council.add_item(actor, d.id, d.reference or "", d.commune,
                                      str(d.content.title), d.proposed_amount, self.step())
            d.place_on_agenda(actor, council.id, number, self.now)
            self.touch(d)
        if not session.vote:
            return
        yield datetime.combine(session.on, time(19, tzinfo=UTC))
        for number, item in sorted(council.items.items()):
            case = next(c for c in cases if c.dossier and c.dossier.id == item["dossier_id"])
            self.vote(council, number, item, case)
        council.close(actor, self.step())
        self.touch(council)

    def vote(self, council: CouncilSession, number: int, item: dict[str, Any],
             case: Case) -> None:
        """Record one item's outcome on the session, the dossier and the budget."""
        actor, d = self.cast.secretariat, case.dossier
        assert d is not None
        outcome = {"rejected": "rejetee", "postponed": "ajournee"}.get(case.story, "adoptee")
        if case.story == "late_award" and case.outcome is None:
            outcome = "ajournee"
        votes = {"adoptee": (48, 4, 6), "rejetee": (17, 31, 9), "ajournee": (0, 0, 0)}[outcome]
        year = council.session_date.year
        reference = "" if outcome == "ajournee" else f"DEL-{year}-{number:04d}"
        amount = item["proposed_amount"]
        council.record_outcome(actor, number, outcome, amount, reference, votes, (55, 59),
                               self.step())
        d.record_vote(actor, council.id, outcome, amount, reference, votes,  # type: ignore[arg-type]
                      council.session_date, self.now, body=council.body)
        self.touch(d)
        case.outcome, case.award_year = outcome, year
        if outcome == "adoptee":
            budget = self.budgets[year]
            if d.awarded_amount > budget.remaining:
                budget.amend(actor, budget.voted + max(d.awarded_amount, budget.voted / 10),
                             f"DEL-{year}-DM{number:04d}", self.now)
            budget.commit(actor, d.id, d.commune, d.awarded_amount, self.now)
            self.touch(budget)
        if outcome == "adoptee" or (outcome == "ajournee" and case.story == "late_award"):
            self.at(self.later(days=1), self.after_vote(case))

    def register(self, case: Case) -> None:
        """Put a proposal in the first session whose agenda is still open."""
        if case.story == "on_agenda":
            self.coming.waiting.append(case)
            return
        for session in self.sessions:
            if session.vote and session.on - timedelta(days=14) > self.now.date():
                session.waiting.append(case)
                return

    # -- a dossier's life ---------------------------------------------------------------------
    def life(self, case: Case) -> Iterator[datetime | None]:
        """Draft, file and instruct a dossier as far as its story goes."""
        agent = self.cast.agents[case.commune]
        officer = self.cast.officers[case.index % len(self.cast.officers)]
        raw = project_content(self.rng, self.cast.commune_names[case.commune],
                              "ineligible" if case.story == "ineligible" else "")
        content = DossierContent.model_validate(raw)
        d = case.dossier = Dossier.draft(agent, case.commune, content, self.now)
        self.touch(d)
        asked = case.story in ("info_open", "info_answered") or case.index % 3 == 0
        for code in self.required:
            if not (asked and code == "titre_occupation"):
                self.attach(d, agent, code)
        if case.story in ("draft", "deleted"):
            for n in range(case.extra):
                yield self.later(hours=self.rng.randint(2, 60))
                d.edit(agent, content.model_copy(update={"title": f"{content.title} ({n + 2})"}),
                       self.now)
                self.touch(d)
            if case.story == "deleted":
                yield self.later(days=3)
                d.delete_draft(agent, self.now)
                self.touch(d)
            return
        yield self.later(days=4)
        numbering = self.numbering(self.now.year)
        d.submit(agent, numbering.issue(agent, d.id, self.now), self.reglement.version, self.now)
        self.touch(d, numbering)
        yield self.later(days=2)
        d.assign(officer, officer.account_id, officer.name, self.now)
        self.touch(d)
        for n in range(case.extra):
            yield self.later(hours=self.rng.randint(1, 20))
            self.chat(d, officer if n % 2 else agent, n)
        if case.story == "submitted":
            return
        if case.story == "withdrawn":
            yield self.later(days=10)
            d.withdraw(agent, "Projet abandonné : les professionnels s’installent ailleurs.",
                       self.now)
            self.touch(d)
            return
        if asked:
            yield self.later(days=8)
            d.request_information(officer, self.id(), "Merci de transmettre le bail des locaux.",
                                  ("titre_occupation",), self.now.date() + timedelta(days=21),
                                  self.now)
            self.touch(d)
            if case.story == "info_open":
                return
            yield self.later(days=10)
            self.attach(d, agent, "titre_occupation")
            d.provide_information(agent, "Veuillez trouver le bail signé ci-joint.", self.step())
            self.touch(d)
            if case.story == "info_answered":
                return
        yield self.later(days=8)
        d.declare_complete(officer, self.required, self.now)
        self.touch(d)
        if case.story == "complete":
            return
        assessment = assess(content.facts(d.commune), self.reglement,
                            self.communes.get(d.commune))
        d.assess(officer, assessment, self.step())
        self.touch(d)
        if case.story == "assessed":
            return
        if case.story == "ineligible":
            yield self.later(days=6)
            d.close_ineligible(officer, "Dossier inéligible au règlement.", self.now)
            self.touch(d)
            return
        yield self.later(days=10)
        d.propose(officer, assessment.grant, "Projet conforme au règlement.", self.now)
        self.touch(d)
        if case.story != "proposed":
            self.register(case)

    def after_vote(self, case: Case) -> Iterator[datetime | None]:
        """What follows an adopted (or postponed, to be adopted) proposal."""
        d = case.dossier
        assert d is not None and d.assessment is not None
        if case.outcome == "ajournee":
            self.register(case)
            return
        if case.story == "awarded":
            return
        secretariat, _agent = self.cast.secretariat, self.cast.agents[case.commune]
        officer = self.cast.officers[case.index % len(self.cast.officers)]
        voted = self.now.date()
        budget = self.budgets[case.award_year]
        yield self.later(days=12)
        d.record_municipal_deliberation(secretariat, f"DCM-{voted.year}-{case.index:05d}",
                                        voted + timedelta(days=7), self.now)
        d.notify(secretariat, self.step())
        self.touch(d)
        if case.story == "notified":
            return
        yield self.later(days=18)
        d.sign_agreement(officer, f"CONV-FAPS-{self.now.year}-{case.index:05d}",
                         self.now.date() - timedelta(days=2), self.now)
        self.touch(d)
        if case.story == "agreement":
            return
        if case.story != "pending_payment":
            yield self.later(days=30)
            yield from self.pay(case, budget, "avance")
        if case.story in ("interim", "reduced", "pending_payment"):
            yield datetime(voted.year + 1, 2, 5, 9, tzinfo=UTC) + timedelta(hours=case.index % 500)
            yield from self.pay(case, budget, "acompte", case.story != "pending_payment")
        if case.story == "closed":
            yield datetime(voted.year + 1, 4, 5, 9, tzinfo=UTC) + timedelta(hours=case.index % 500)
            yield from self.pay(case, budget, "solde")
        if case.story == "reduced":
            yield self.later(days=30)
            real = round_down(d.assessment.figures.eligible_base * Decimal("0.7"))
            new_amount = reduced_grant(d.assessment, d.awarded_amount, real)
            d.reduce_grant(officer, new_amount, real, "Dépenses réalisées inférieures.", self.now)
            budget.reduce_commitment(officer, d.id, new_amount, self.now)
            self.touch(d, budget)
            due = d.clawback_due - d.clawback_recovered
            if due > 0:
                yield self.later(days=20)
                d.record_clawback(officer, due, f"TITRE-{self.now.year}-{case.index:05d}",
                                  self.now)
                budget.record_payment(officer, d.id, -due, self.now)
                self.touch(d, budget)
        if case.story in ("closed", "reduced"):
            yield self.later(days=25)
            d.close(officer, self.now)
            if budget.commitments[d.id]["amount"] != d.net_paid:
                budget.reduce_commitment(officer, d.id, d.net_paid, self.now)
            self.touch(d, budget)
        if case.story == "lapsed":
            yield datetime(voted.year + 1, 9, 1, 9, tzinfo=UTC) + timedelta(hours=case.index % 500)
            d.lapse(officer, "Caducité : travaux non achevés dans le délai du règlement.",
                    self.now)
            budget.reduce_commitment(officer, d.id, d.awarded_amount, self.now)
            self.touch(d, budget)

    def pay(self, case: Case, budget: YearlyBudget, kind: str,
            pay: bool = True) -> Iterator[datetime | None]:
        """The commune asks for a payment with its justificatifs; the officer pays it."""
        d = case.dossier
        assert d is not None and d.assessment is not None
        agent = self.cast.agents[case.commune]
        officer = self.cast.officers[case.index % len(self.cast.officers)]
        r = self.reglement
        kinds = {"avance": r.documents_at_advance, "acompte": r.documents_at_interim,
                 "solde": r.documents_at_balance}[kind]
        docs = tuple(self.attach(d, agent, k.code) for k in kinds)
        base = d.assessment.figures.eligible_base
        spent = round_down(base * {"avance": ZERO, "acompte": Decimal("0.75"),
                                   "solde": Decimal(1)}[kind])
        if kind == "avance":
            amount = advance_limit(d.awarded_amount, r.advance_rate)
        elif kind == "acompte":
            share = Decimal("0.5") if case.story == "reduced" else Decimal("0.4")
            amount = min(round_down(d.awarded_amount * share),
                         interim_limit(d.awarded_amount, spent, base, d.net_paid))
        else:
            amount = d.remaining_to_pay
        request = self.id()
        rules = {"advance_rate": r.advance_rate, "interim_pro_rata": r.interim_pro_rata,
                 "required_kinds": {k.code: k.label for k in kinds}}
        d.request_payment(agent, request, kind, amount, spent, docs,  # type: ignore[arg-type]
                          rules, self.step())
        self.touch(d)
        if not pay:
            return
        yield self.later(days=9)
        awarded = d.awarded_amount
        d.make_payment(officer, request, amount, self.now.date(),
                       f"MANDAT-{self.now:%Y}-{case.index:05d}{kind[0]}", self.now,
                       interim_pro_rata=r.interim_pro_rata)
        if d.awarded_amount != awarded:
            budget.reduce_commitment(officer, d.id, d.awarded_amount, self.now)
        budget.record_payment(officer, d.id, amount, self.now)
        self.touch(d, budget)

    # -- small acts -----------------------------------------------------------------------------
    def attach(self, d: Dossier, actor: Actor, kind: str) -> uuid.UUID:
        """Attach a document (its reference only: the file itself is not stored)."""
        ref = DocumentRef(document_id=self.id(), kind=kind, name=f"{kind.replace('_', '-')}.pdf",
                          size=20_000 + self.rng.randrange(200_000),
                          media_type="application/pdf", sha256=f"{self.rng.getrandbits(256):064x}")
        d.attach_document(actor, ref, self.step())
        self.touch(d)
        return ref.document_id

    def chat(self, d: Dossier, actor: Actor, n: int) -> None:
        """A message in the dossier's thread, or an officer's note."""
        if actor.role is Role.COMMUNE_AGENT or n % 4 == 1:
            d.post_message(actor, self.id(), MESSAGES[n % len(MESSAGES)], (), self.now)
        else:
            d.add_note(actor, NOTES[n % len(NOTES)], self.now)
        self.touch(d)

    def numbering(self, year: int) -> DossierNumbering:
        """Return the year's series of references, opened at its first filing."""
        if year not in self.numberings:
            self.numberings[year] = DossierNumbering.open(SYSTEM_ACTOR, year, self.now)
        return self.numberings[year]
