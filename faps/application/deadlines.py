"""Deadlines of the dossiers: overdue or near information requests, works start, balance.

The grant's delays follow one rule (faps.domain.deadlines), shared with the dossiers' read
model; they run from the notification. The règlement's delays (caducité) are only reported
here: a grant lapses by an officer's decision (GrantService.lapse, an event with its motive),
never by a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from eventsourcing.utils import get_topic

from faps.application import policy
from faps.application.dossiers import DossierService
from faps.domain.actors import Actor, Role
from faps.domain.deadlines import GrantProgress, grant_deadlines
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierState
from faps.domain.dossier_exchange import Opinion
from faps.domain.reglement import Reglement

NEAR_DAYS = 15
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
        if self.overdue:
            return f"En retard de {n} jour{'s' if n > 1 else ''}"
        return "Échéance aujourd'hui" if n == 0 else f"Dans {n} jour{'s' if n > 1 else ''}"


def grant_progress(dossier: Dossier) -> GrantProgress | None:
    """Return what an awarded grant's deadlines depend on (None before an award)."""
    if dossier.state is not DossierState.AWARDED or dossier.decision is None:
        return None
    live = [p for p in dossier.payment_requests.values() if p.status != "refuse"]
    return GrantProgress(decided_on=dossier.decision["decided_on"],
                         notified_on=dossier.notified_on, live_requests=len(live),
                         balance_requested=any(p.kind == "solde" for p in live))


def dossier_deadlines(dossier: Dossier, reglement: Reglement, today: date,
                      near_days: int = NEAR_DAYS) -> list[Deadline]:
    """Return the dossier's deadlines that are overdue or due within `near_days`."""
    due: list[tuple[DeadlineKind, date]] = []
    request = dossier.open_request
    if dossier.state is DossierState.INFORMATION_REQUESTED and request is not None:
        due.append(("information", request.due_on))
    progress = grant_progress(dossier)
    if progress is not None:
        due.extend(grant_deadlines(progress, reglement.works_start_delay_months,
                                   reglement.balance_delay_months))
    return [Deadline(dossier.id, dossier.reference or "", dossier.commune, dossier.content.title,
                     kind, on, today)
            for kind, on in due if (on - today).days <= near_days]


class DeadlineService:
    """Finds the deadlines of every open dossier (officers' home page, reminders)."""

    def __init__(self, dossiers: DossierService) -> None:
        self.dossiers = dossiers
        self.ctx = dossiers.ctx
        self._ids: list[UUID] = []
        self._scanned = 0

    def deadlines(self, actor: Actor, today: date | None = None, near_days: int = NEAR_DAYS,
                  among: Sequence[UUID] | None = None) -> list[Deadline]:
        """Return the overdue and near deadlines the actor may see, most urgent first.

        `among` limits the search to some dossiers (e.g. the read model's most urgent ones).
        """
        policy.require(actor, "dossier.read")
        today = today or self.ctx.clock.now().date()
        found: list[Deadline] = []
        for dossier_id in self._dossier_ids() if among is None else among:
            dossier: Dossier = self.ctx.app.load(dossier_id)
            if actor.role is Role.COMMUNE_AGENT and dossier.commune != actor.commune:
                continue
            if dossier.state not in (DossierState.INFORMATION_REQUESTED, DossierState.AWARDED):
                continue
            reglement = self.dossiers.reglement_of(dossier)
            found.extend(dossier_deadlines(dossier, reglement, today, near_days))
        return sorted(found, key=lambda d: (d.due_on, d.reference, d.kind))

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
        # Dossier ids from the log's creation events (incremental): no read model needed.
        recorder = self.ctx.app.recorder
        topic = get_topic(Dossier.Drafted)
        while True:
            batch = recorder.select_notifications(self._scanned + 1, 1000, topics=[topic])
            if not batch:
                return list(self._ids)
            self._ids.extend(n.originator_id for n in batch)  # type: ignore[misc]
            self._scanned = batch[-1].id
