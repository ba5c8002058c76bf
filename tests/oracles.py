"""The tests' oracles: the fund as of a moment and the deadlines, by replaying the log.

They are what faps did before the history tables; the read side must give exactly what they
give (tests/integration/test_history_equality.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from faps.application.deadlines import NEAR_DAYS, Deadline, DeadlineKind
from faps.application.queries import FundSnapshot
from faps.domain.actors import Actor, Role
from faps.domain.deadlines import GrantProgress, grant_deadlines
from faps.domain.dossier import Dossier
from faps.domain.dossier_content import DossierState
from faps.domain.reglement import Reglement
from faps.infrastructure.readmodels.asof import FundAsOf


def replayed_fund(faps: Any, moment: datetime) -> FundSnapshot:
    """Return the fund as of a moment by projecting every event stamped up to it."""
    return FundAsOf(faps.app if hasattr(faps, "app") else faps.ctx.app, faps.ctx.communes)(
        moment)


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


def replayed_deadlines(faps: Any, actor: Actor, today: date, near_days: int = NEAR_DAYS,
                       among: Sequence[UUID] | None = None) -> list[Deadline]:
    """Return the deadlines by loading every dossier ever drafted from the log."""
    app = faps.ctx.app
    if among is None:
        notes = app.recorder.select_notifications(1, 10**9, topics=[get_topic(Dossier.Drafted)])
        among = [n.originator_id for n in notes]
    found: list[Deadline] = []
    for dossier_id in among:
        dossier: Dossier = app.load(dossier_id)
        if actor.role is Role.COMMUNE_AGENT and dossier.commune != actor.commune:
            continue
        if dossier.state not in (DossierState.INFORMATION_REQUESTED, DossierState.AWARDED):
            continue
        reglement = faps.dossiers.reglements.get(dossier.reglement_version or "")
        found.extend(dossier_deadlines(dossier, reglement, today, near_days))
    return sorted(found, key=lambda d: (d.due_on, d.reference, d.kind))
