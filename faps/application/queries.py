"""The read side: what pages and exports ask, answered from projections (never by replay).

This module fixes the contract; faps.infrastructure.readmodels implements it with SQLAlchemy
tables kept up to date from the notification log. Every method checks the caller's right:
a commune agent only ever sees their own commune's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from faps.domain.actors import Actor

T = TypeVar("T")

SORTS = ("reference", "-reference", "commune", "-commune", "state", "-state", "requested",
         "-requested", "awarded", "-awarded", "submitted_on", "-submitted_on", "updated_at",
         "-updated_at", "next_deadline", "-next_deadline")
RELEVANCE = "relevance"  # with a text searched: the best matches first (elsewhere: the latest)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class DossierFilter:
    """What the dossier list is filtered and sorted by."""

    commune: str | None = None
    states: tuple[str, ...] = ()
    year: int | None = None
    officer_id: UUID | None = None
    text: str | None = None
    sort: str = "-updated_at"
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class DossierRow:
    """A dossier as lists and summaries show it."""

    dossier_id: UUID
    reference: str | None
    commune: str
    commune_name: str
    title: str
    state: str
    requested: Decimal
    proposed: Decimal | None
    max_grant: Decimal | None
    awarded: Decimal
    paid: Decimal
    created_at: datetime
    submitted_on: date | None
    decided_on: date | None
    officer_id: UUID | None
    officer_name: str | None
    next_deadline: date | None
    next_deadline_label: str | None
    session_id: UUID | None
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class TimelineRow:
    """One event of a dossier's audit timeline: who, what, when, why, which fields changed."""

    version: int
    at: datetime
    kind: str
    label: str
    actor_name: str
    actor_role: str
    summary: str
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    private: bool = False


@dataclass(frozen=True)
class SessionRow:
    """A council session."""

    session_id: UUID
    body: str
    session_date: date
    place: str
    convocation_date: date
    councillors_in_office: int
    president: str
    secretary: str
    closed: bool
    items_count: int


@dataclass(frozen=True)
class AgendaItemRow:
    """An item of a session's agenda and its outcome."""

    session_id: UUID
    item_number: int
    dossier_id: UUID
    dossier_reference: str
    commune: str
    commune_name: str
    title: str
    proposed_amount: Decimal
    withdrawn: bool
    outcome: str | None
    amount_awarded: Decimal | None
    deliberation_reference: str | None
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    present: int | None
    voting: int | None


@dataclass(frozen=True)
class BudgetLine:
    """One commune's share of a year's budget."""

    commune: str
    commune_name: str
    committed: Decimal
    paid: Decimal


@dataclass(frozen=True)
class BudgetView:
    """A year's budget: voted, committed, paid, remaining, and per commune."""

    year: int
    voted: Decimal
    committed: Decimal
    paid: Decimal
    remaining: Decimal
    deliberation_reference: str
    lines: list[BudgetLine]


@dataclass(frozen=True)
class PaymentRow:
    """One payment (or clawback, negative) of the ledger."""

    dossier_id: UUID
    reference: str | None
    commune: str
    commune_name: str
    kind: str
    amount: Decimal
    paid_on: date
    mandate_reference: str
    recorded_at: datetime


@dataclass(frozen=True)
class DocumentRow:
    """A document attached to a dossier."""

    dossier_id: UUID
    document_id: UUID
    kind: str
    name: str
    size: int
    media_type: str
    sha256: str
    attached_at: datetime
    attached_by: str
    removed: bool


@dataclass(frozen=True)
class AccountRow:
    """An account as the administrator sees it."""

    account_id: UUID
    email: str
    name: str
    role: str
    commune: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class FundSnapshot:
    """The whole fund as of a moment: every dossier's row and every year's budget then."""

    as_of: datetime
    dossiers: list[DossierRow]
    budgets: list[BudgetView]
    sessions: list[SessionRow]


class Queries(Protocol):
    """The read models, as the pages and exports use them."""

    def dossiers(self, actor: Actor, flt: DossierFilter) -> Page[DossierRow]:
        """Return a page of dossiers the actor may see."""

    def awaiting_municipal_deliberation(self, actor: Actor, commune: str | None = None,
                                        page: int = 1, per_page: int = 50
                                        ) -> Page[DossierRow]:
        """Return a page of awarded dossiers (of a commune, or all) whose commune's concordant
        deliberation is not recorded, with their number."""

    def dossier(self, actor: Actor, dossier_id: UUID) -> DossierRow:
        """Return one dossier's row (NotFoundError if absent or not the actor's commune)."""

    def timeline(self, actor: Actor, dossier_id: UUID) -> list[TimelineRow]:
        """Return a dossier's audit timeline, oldest first (private notes hidden from communes)."""

    def documents(self, actor: Actor, dossier_id: UUID) -> list[DocumentRow]:
        """Return a dossier's documents (removed ones flagged)."""

    def sessions(self, actor: Actor) -> list[SessionRow]:
        """Return every council session, latest first."""

    def session(self, actor: Actor, session_id: UUID) -> SessionRow:
        """Return one session."""

    def agenda(self, actor: Actor, session_id: UUID) -> list[AgendaItemRow]:
        """Return a session's agenda items by number."""

    def budget(self, actor: Actor, year: int) -> BudgetView | None:
        """Return a year's budget, or None if none was voted."""

    def budget_years(self, actor: Actor) -> list[int]:
        """Return the years with a voted budget."""

    def payments(self, actor: Actor, year: int | None = None) -> list[PaymentRow]:
        """Return the payments ledger (a year's, or all)."""

    def payments_page(self, actor: Actor, year: int | None = None, page: int = 1,
                      per_page: int = 100) -> Page[PaymentRow]:
        """Return one page of the payments ledger (a year's, or all), in date order."""

    def payments_by_day(self, actor: Actor, year: int) -> list[tuple[date, Decimal]]:
        """Return a year's payments net of clawbacks, summed by day, in date order."""

    def accounts(self, actor: Actor) -> list[AccountRow]:
        """Return every account (administrator) ."""

    def officers(self) -> list[AccountRow]:
        """Return the active finance officers (for assignment)."""

    def fund_as_of(self, actor: Actor, moment: datetime) -> FundSnapshot:
        """Return the whole fund as it stood at a moment (auditors)."""
