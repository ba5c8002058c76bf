"""Deadlines of the dossiers: overdue or near information requests, works start, balance.

The grant's delays follow one rule (faps.domain.deadlines), shared with the dossiers' read
model; they run from the notification. The règlement's delays (caducité) are only reported
here: a grant lapses by an officer's decision (GrantService.lapse, an event with its motive),
never by a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from faps.application import policy
from faps.application.dossiers import DossierService
from faps.application.queries import Page
from faps.domain.actors import Actor
from faps.domain.deadlines import GrantProgress, grant_deadlines
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierState
from faps.domain.dossier_exchange import Opinion
from faps.domain.money import format_integer

NEAR_DAYS = 15
PER_PAGE = 100  # dossiers a page of the deadlines page
DeadlineKind = Literal["information", "works_start", "balance"]
KIND_LABELS = {
    "information": "Réponse à la demande de compléments",
    "works_start": "Commencement des travaux (premier versement demandé)",
    "balance": "Demande de solde",
}


@dataclass(frozen=True)
class Deadline:
    """One deadline of a dossier, overdue (days > 0) or near (days ≤ 0)."""

    dossier_id: UUID
    reference: str
    commune: str
    title: str
    kind: DeadlineKind
    due_on: date
    today: date

    @property
    def days_late(self) -> int:
        """Return the days past the due date (negative: days left)."""
        return (self.today - self.due_on).days

    @property
    def overdue(self) -> bool:
        """Tell whether the due date has passed."""
        return self.days_late > 0

    @property
    def label(self) -> str:
        """Return the French name of the deadline."""
        return KIND_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        """Return a French phrase telling how late or how near it is."""
        n = abs(self.days_late)
        days = f"{format_integer(n)} jour{'s' if n > 1 else ''}"  # « 1 086 jours »
        if self.overdue:
            return f"En retard de {days}"
        return "Échéance aujourd’hui" if n == 0 else f"Dans {days}"


@dataclass(frozen=True)
class WaitingDossier:
    """What a dossier's deadlines depend on, as the read models keep it."""

    dossier_id: UUID
    reference: str | None
    commune: str
    title: str
    state: str
    information_due_on: date | None
    decided_on: date | None
    notified_on: date | None
    live_requests: int
    balance_requests: int
    works_start_delay_months: int | None  # of the dossier's règlement version
    balance_delay_months: int | None

    def due(self) -> list[tuple[DeadlineKind, date]]:
        """Return the dossier's pending deadlines (the rule of faps.domain.deadlines)."""
        if self.state == DossierState.INFORMATION_REQUESTED.value:
            return [] if self.information_due_on is None else [
                ("information", self.information_due_on)]
        if (self.state != DossierState.AWARDED.value or self.decided_on is None
                or self.works_start_delay_months is None or self.balance_delay_months is None):
            return []
        progress = GrantProgress(decided_on=self.decided_on, notified_on=self.notified_on,
                                 live_requests=self.live_requests,
                                 balance_requested=self.balance_requests > 0)
        return list(grant_deadlines(progress, self.works_start_delay_months,
                                    self.balance_delay_months))


@dataclass(frozen=True)
class DossierDeadlines:
    """A dossier's overdue and near deadlines, earliest first (a line of the deadlines page)."""

    dossier_id: UUID
    reference: str
    commune: str
    title: str
    deadlines: list[Deadline]


class WaitingDossiers(Protocol):
    """The read models' dossiers waiting for an answer or holding a grant."""

    def waiting(self, actor: Actor, among: Sequence[UUID] | None = None,
                due_by: date | None = None) -> list[WaitingDossier]:
        """Return those the actor may see (some of them only: `among`; with `due_by`, those
        whose earliest deadline falls by then)."""

    def waiting_page(self, actor: Actor, due_by: date, page: int = 1,
                     per_page: int = 100) -> Page[WaitingDossier]:
        """Return one page of those whose earliest deadline falls by `due_by`, earliest
        first, with how many there are."""


def _deadlines(w: WaitingDossier, today: date, near_days: int) -> list[Deadline]:
    """Return the dossier's deadlines overdue or due within `near_days`, earliest first."""
    return [Deadline(w.dossier_id, w.reference or "", w.commune, w.title, kind, on, today)
            for kind, on in sorted(w.due(), key=lambda kind_on: (kind_on[1], kind_on[0]))
            if (on - today).days <= near_days]


class DeadlineService:
    """Finds the deadlines of every open dossier (officers' home page, reminders).

    The deadlines are read from the dossiers' read model (never by replaying the log).
    """

    def __init__(self, dossiers: DossierService, waiting: WaitingDossiers) -> None:
        self.dossiers = dossiers
        self.ctx = dossiers.ctx
        self.waiting = waiting
        self._ids: list[UUID] = []
        self._scanned = 0

    def deadlines(self, actor: Actor, today: date | None = None, near_days: int = NEAR_DAYS,
                  among: Sequence[UUID] | None = None) -> list[Deadline]:
        """Return the overdue and near deadlines the actor may see, most urgent first.

        `among` limits the search to some dossiers (e.g. the read model's most urgent ones).
        """
        policy.require(actor, "dossier.read")
        today = today or self.ctx.clock.now().date()
        found = [deadline
                 for w in self.waiting.waiting(actor, among, today + timedelta(near_days))
                 for deadline in _deadlines(w, today, near_days)]
        return sorted(found, key=lambda d: (d.due_on, d.reference, d.kind))

    def deadlines_page(self, actor: Actor, today: date | None = None, page: int = 1,
                       per_page: int = PER_PAGE,
                       near_days: int = NEAR_DAYS) -> Page[DossierDeadlines]:
        """Return one page of the dossiers with an overdue or near deadline, by their earliest
        deadline (the read model's, indexed), each with all of its deadlines."""
        policy.require(actor, "dossier.read")
        today = today or self.ctx.clock.now().date()
        found = self.waiting.waiting_page(actor, today + timedelta(near_days), page, per_page)
        lines = [DossierDeadlines(w.dossier_id, w.reference or "", w.commune, w.title,
                                  _deadlines(w, today, near_days)) for w in found.items]
        return Page(items=lines, total=found.total, page=found.page, per_page=found.per_page)

    def opinions_waiting(self, today: date, within_days: int) -> list[tuple[Dossier, Opinion]]:
        """Return the opinions not given whose due date is today or within `within_days`."""
        found: list[tuple[Dossier, Opinion]] = []
        for dossier_id in self._dossier_ids():
            dossier: Dossier = self.ctx.app.load(dossier_id)
            if dossier.state.is_final:
                continue
            found.extend((dossier, o) for o in dossier.opinions.values()
                         if o.verdict is None and 0 <= (o.due_on - today).days <= within_days)
        return found

    def _dossier_ids(self) -> list[UUID]:
        # (The mail reminders' opinions only: no page waits for them.)
        # Dossier ids from the log's creation events (incremental): no read model needed.
        recorder = self.ctx.app.recorder
        topic = get_topic(Dossier.Drafted)
        while True:
            batch = recorder.select_notifications(self._scanned + 1, 1000, topics=[topic])
            if not batch:
                return list(self._ids)
            self._ids.extend(n.originator_id for n in batch)  # type: ignore[misc]
            self._scanned = batch[-1].id
