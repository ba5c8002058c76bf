"""The demo: three years of a realistic fund, written through the application services only.

A `SettableClock` is moved forward step by step, so every event is dated in the past and time
travel has a history to show. The three years end at the day it runs (demo_data.last_year):
the last one's work is under way, with requests and a council session due within days.
Each dossier lives one *story* (see demo_data.STORIES): draft, submitted, info_open /
info_overdue (unanswered request), complete, assessed, proposed, on_agenda, postponed,
rejected, withdrawn, ineligible, awarded, advance, interim, pending_payment, closed, reduced
(pro rata, with clawback), lapsed, late_award (postponed then adopted at the next session),
deleted (a draft the commune deleted). Some dossiers are also sent back for correction,
discussed in their thread or submitted to an external opinion, and an award is rectified
(demo_exchanges).
"""

from __future__ import annotations

import heapq
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from uuid import UUID

from eventsourcing.utils import get_topic

from faps.application.clock import SettableClock
from faps.application.demo_data import (
    AGENT_NAMES,
    BUDGETS,
    STAFF,
    STORIES,
    last_year,
    year_projects,
)
from faps.application.demo_exchanges import ExchangeStories
from faps.application.demo_grants import GrantStories
from faps.application.demo_pdf import tiny_pdf
from faps.domain.actors import SYSTEM_ACTOR, Actor, Role
from faps.domain.budget import YearlyBudget
from faps.domain.dossier import Dossier

FILING = ("deliberation_municipale", "note_presentation", "devis", "plan_financement",
          "titre_occupation")
ASKED = {"info_open", "info_overdue", "complete", "reduced", "interim"}
UNANSWERED = {"info_open", "info_overdue"}
NOT_COMPLETE = {"draft", "deleted", "submitted", "withdrawn"} | UNANSWERED
NOT_ASSESSED = NOT_COMPLETE | {"complete"}
NOT_PROPOSED = NOT_ASSESSED | {"assessed", "ineligible"}


@dataclass(frozen=True)
class DemoAccount:
    """An account the demo opened (password None: it existed already)."""

    email: str
    name: str
    role: Role
    commune: str | None
    password: str | None


@dataclass
class DemoCase:
    """One dossier of the demo and the story it lives."""

    year: int
    index: int
    commune: str
    story: str
    content: dict[str, object]
    dossier_id: UUID | None = None


@dataclass
class DemoResult:
    """What the demo wrote."""

    accounts: list[DemoAccount]
    dossiers: int
    sessions: int
    events: int = 0
    cases: list[DemoCase] = field(default_factory=list)


def has_dossiers(faps) -> bool:  # type: ignore[no-untyped-def]
    """Tell whether the store holds any dossier (the demo fills empty stores only)."""
    topic = get_topic(Dossier.Drafted)
    return bool(faps.app.recorder.select_notifications(None, 1, topics=[topic]))


def demo_clock(today: date) -> SettableClock:
    """Return the clock the demo starts from (early January, three years before its last)."""
    first = last_year(today) + min(STORIES)
    return SettableClock(datetime(first, 1, 3, 8, 0, tzinfo=UTC))


class Demo:
    """Writes the demo through the services of one faps, on a settable clock."""

    def __init__(self, faps, clock: SettableClock, today: date, seed: int = 2022) -> None:  # type: ignore[no-untyped-def]
        self.faps = faps
        self.clock = clock
        self.today = today
        self.rng = random.Random(seed)
        self.steps: list[tuple[datetime, int, Callable[[], None]]] = []
        self.actors: dict[str, Actor] = {}
        self.agents: dict[str, Actor] = {}
        self.sessions = 0
        self.grants = GrantStories(self)
        self.exchanges = ExchangeStories(self)

    # -- time -----------------------------------------------------------------------------
    def on(self, day: date, step: Callable[[], None]) -> None:
        """Plan a step for a day (steps run in date order; none later than yesterday)."""
        moment = datetime.combine(min(day, self.today - timedelta(days=1)), time(8, 0), tzinfo=UTC)
        heapq.heappush(self.steps, (moment, len(self.steps), step))

    def tick(self) -> None:
        """Let a few minutes pass between two commands."""
        self.clock.advance(minutes=self.rng.randint(4, 35))

    def _run_steps(self) -> None:
        while self.steps:
            moment, _, step = heapq.heappop(self.steps)
            if moment > self.clock.now():
                self.clock.set(moment + timedelta(minutes=self.rng.randint(0, 90)))
            step()

    # -- the whole demo -------------------------------------------------------------------
    def run(self) -> DemoResult:
        """Open the accounts, plan three years of dossiers and play them in date order."""
        before = self.faps.app.recorder.max_notification_id() or 0
        accounts = self.open_accounts()
        communes = [(c.insee, c.name) for c in self.faps.ctx.communes]
        cases = []
        last = last_year(self.today)
        for offset in sorted(STORIES):
            year = last + offset
            self.on(date(year - 1, 12, 15), partial(self.vote_budget, year))
            projects = year_projects(self.rng, year, communes, offset)
            year_cases = [DemoCase(year, i, p.commune, p.story, p.content)
                          for i, p in enumerate(projects)]
            for case in year_cases:
                self.plan_instruction(case)
            self.grants.plan_year(year, year_cases)
            cases += year_cases
        for year in range(last + 1, self.grants.coming_session().year + 1):
            self.on(date(year - 1, 12, 15), partial(self.vote_budget, year))  # votes to come
        self._run_steps()
        after = self.faps.app.recorder.max_notification_id() or 0
        return DemoResult(accounts, len(cases), self.sessions, after - before, cases)

    def open_accounts(self) -> list[DemoAccount]:
        """Open the staff accounts and one commune agent per commune, with random passwords."""
        wanted = [(email, name, role, None) for email, name, role in STAFF]
        for agent_name, commune in zip(AGENT_NAMES, self.faps.ctx.communes, strict=False):
            slug = commune.name.lower().replace(" ", "-").replace("é", "e").replace("É", "e")
            wanted.append((f"agent@{slug}.test", agent_name, Role.COMMUNE_AGENT, commune.insee))
        opened = []
        for email, name, role, commune in wanted:
            opened.append(self._open(email, name, role, commune))
            self.tick()
        return opened

    def _open(self, email: str, name: str, role: Role, commune: str | None) -> DemoAccount:
        accounts = self.faps.accounts
        existing = accounts.by_email(email)
        password = None
        if existing is None:
            password = secrets.token_urlsafe(12)
            opener = self.actors.get("admin", SYSTEM_ACTOR)
            accounts.open(opener, email, name, role, commune, password)
            existing = accounts.by_email(email)
        actor = existing.as_actor()
        key = {Role.ADMINISTRATOR: "admin", Role.SECRETARIAT: "secretariat",
               Role.AUDITOR: "auditor"}.get(role, email)
        self.actors[key] = actor
        if role is Role.FINANCE_OFFICER:
            self.actors.setdefault("officer", actor)
        if commune:
            self.agents[commune] = actor
        return DemoAccount(email, name, role, commune, password)

    def officer(self, case: DemoCase) -> Actor:
        """Return the finance officer in charge of a case."""
        officers = [a for a in self.actors.values() if a.role is Role.FINANCE_OFFICER]
        return officers[case.index % len(officers)]

    def vote_budget(self, year: int) -> None:
        """Vote (or raise) the year's envelope."""
        amount = BUDGETS.get(year - last_year(self.today), BUDGETS[max(BUDGETS)])
        secretariat = self.actors["secretariat"]
        if self.faps.app.exists(YearlyBudget.create_id(year)):
            amount += self.faps.budgets.get(secretariat, year).voted
        self.faps.budgets.vote(secretariat, year, amount, f"DEL-{year - 1}-{180 + year % 10}")

    # -- before the council -----------------------------------------------------------------
    def plan_instruction(self, case: DemoCase) -> None:
        """Plan a dossier's filing and instruction, five days after the previous one."""
        s = date(case.year, 1, 25) + timedelta(days=5 * case.index)
        story = case.story
        self.on(s - timedelta(days=4), lambda: self.draft(case))
        if story == "deleted":  # a draft the commune gave up before filing it
            self.on(s, lambda: self.faps.dossiers.delete_draft(self.agents[case.commune],
                                                               case.dossier_id))
        if story in ("draft", "deleted"):
            return
        self.on(s, lambda: self.submit(case))
        self.on(s + timedelta(days=2), lambda: self.assign(case))
        self.exchanges.plan(case, s)
        if story == "withdrawn":
            self.on(s + timedelta(days=12), lambda: self.withdraw(case))
        if story in ASKED:
            asked = (max(self.today - timedelta(days=9), s + timedelta(days=10))
                     if story == "info_open" else s + timedelta(days=10))
            self.on(asked, lambda: self.ask(case))
        if story in ASKED - UNANSWERED:
            self.on(s + timedelta(days=22), lambda: self.answer(case))
        if story not in NOT_COMPLETE:
            self.on(s + timedelta(days=30), lambda: self.complete_and_assess(case))
        if story == "ineligible":
            self.on(s + timedelta(days=36), lambda: self.close_ineligible(case))
        if story not in NOT_PROPOSED:
            self.on(s + timedelta(days=40), lambda: self.propose(case))

    def draft(self, case: DemoCase) -> None:
        """The commune writes its draft and attaches its documents."""
        agent = self.agents[case.commune]
        dossiers = self.faps.dossiers
        case.dossier_id = dossiers.draft(agent, case.commune, case.content)
        kinds = FILING if case.story not in ASKED else FILING[:-1]
        for kind in kinds if case.index % 5 else kinds[:2]:
            self.tick()
            self.attach(case, agent, kind)

    def attach(self, case: DemoCase, actor: Actor, kind: str) -> UUID:
        """Attach a tiny PDF of a kind."""
        assert case.dossier_id is not None
        data = tiny_pdf(f"FAPS - {kind.replace('_', ' ')}", str(case.content["title"]),
                        f"Commune {self.faps.ctx.communes.name(case.commune)}",
                        f"Document du {self.clock.now():%d/%m/%Y}")
        name = f"{kind.replace('_', '-')}.pdf"  # as a person names a file, not by its code
        return self.faps.dossiers.attach(actor, case.dossier_id, kind, name, data)

    def submit(self, case: DemoCase) -> None:
        """The commune files the dossier (any document still missing first)."""
        assert case.dossier_id is not None
        agent = self.agents[case.commune]
        dossier = self.faps.dossiers.load(agent, case.dossier_id)
        wanted = FILING if case.story not in ASKED else FILING[:-1]
        for kind in wanted:
            if kind not in dossier.document_kinds:
                self.tick()
                self.attach(case, agent, kind)
        self.tick()
        self.faps.dossiers.submit(agent, case.dossier_id)

    def assign(self, case: DemoCase) -> None:
        """Give the dossier to its officer; some get a private note."""
        assert case.dossier_id is not None
        officer = self.officer(case)
        self.faps.dossiers.assign(officer, case.dossier_id, officer.account_id, officer.name)
        if case.index % 3 == 0:
            self.tick()
            self.faps.dossiers.add_note(officer, case.dossier_id,
                                        "Contacter l'ARS pour confirmer son cofinancement.")

    def withdraw(self, case: DemoCase) -> None:
        """The commune gives up (the project moves to another site)."""
        assert case.dossier_id is not None
        self.faps.dossiers.withdraw(self.agents[case.commune], case.dossier_id,
                                    "Projet abandonné : les professionnels s'installent ailleurs.")

    def ask(self, case: DemoCase) -> None:
        """The officer asks for the lease or title deed of the premises."""
        assert case.dossier_id is not None
        now = self.clock.now().date()
        due = now + timedelta(days=21)
        if case.story == "info_open":  # due this month (or within days, late in a month)
            month_end = (self.today.replace(day=28) + timedelta(days=4)).replace(day=1) \
                - timedelta(days=1)
            due = max(month_end, self.today + timedelta(days=3))
        self.faps.dossiers.request_information(
            self.officer(case), case.dossier_id,
            "Merci de transmettre le titre de propriété ou le bail des locaux.",
            ("titre_occupation",), due)

    def answer(self, case: DemoCase) -> None:
        """The commune sends the document and answers."""
        assert case.dossier_id is not None
        agent = self.agents[case.commune]
        self.attach(case, agent, "titre_occupation")
        self.tick()
        self.faps.dossiers.provide_information(agent, case.dossier_id,
                                               "Veuillez trouver le bail signé ci-joint.")

    def complete_and_assess(self, case: DemoCase) -> None:
        """The officer declares the dossier complete and, unless it stays so, assesses it."""
        assert case.dossier_id is not None
        officer = self.officer(case)
        self.faps.dossiers.declare_complete(officer, case.dossier_id)
        if case.story != "complete":
            self.tick()
            self.faps.dossiers.assess(officer, case.dossier_id)

    def close_ineligible(self, case: DemoCase) -> None:
        """The officer closes an ineligible dossier, quoting the failed criteria."""
        assert case.dossier_id is not None
        officer = self.officer(case)
        dossier = self.faps.dossiers.load(officer, case.dossier_id)
        assert dossier.assessment is not None
        failed = [c.message for c in dossier.assessment.criteria if not c.passed]
        self.faps.dossiers.close_ineligible(officer, case.dossier_id,
                                            "Dossier inéligible : " + " ".join(failed))

    def propose(self, case: DemoCase) -> None:
        """The officer proposes the assessment's grant to the council."""
        assert case.dossier_id is not None
        officer = self.officer(case)
        dossier = self.faps.dossiers.load(officer, case.dossier_id)
        assert dossier.assessment is not None
        self.faps.dossiers.propose(officer, case.dossier_id, dossier.assessment.grant,
                                   "Projet conforme au règlement ; offre de soins de proximité.")
