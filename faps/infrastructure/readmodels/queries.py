"""SqlAlchemyQueries: the read side of faps.application.queries, answered from the tables."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from faps.application import policy
from faps.application.deadlines import WaitingDossier
from faps.application.queries import (
    RELEVANCE,
    SORTS,
    AccountRow,
    AgendaItemRow,
    BudgetLine,
    BudgetView,
    DocumentRow,
    DossierFilter,
    DossierRow,
    FundSnapshot,
    Page,
    PaymentRow,
    SessionRow,
    TimelineRow,
)
from faps.domain.actors import Actor, Role
from faps.domain.communes import CommuneDirectory
from faps.domain.dossier_content import DossierState
from faps.domain.errors import InvalidInputError, NotFoundError
from faps.domain.money import ZERO
from faps.infrastructure.readmodels import search, waiting
from faps.infrastructure.readmodels import tables as t

D = t.dossiers
ROW_FIELDS = tuple(DossierRow.__dataclass_fields__)
SORT_COLUMNS = {"reference": D.c.reference, "commune": D.c.commune_name, "state": D.c.state,
                "requested": D.c.requested, "awarded": D.c.awarded,
                "submitted_on": D.c.submitted_on, "updated_at": D.c.updated_at,
                "next_deadline": D.c.next_deadline}
MAX_PER_PAGE = 200


def _fields(row: Any, cls: type) -> dict[str, Any]:
    return {f.name: row[f.name] for f in dataclasses.fields(cls) if f.name in row}


def _nothing() -> None:
    """Do nothing (the default hook before a read)."""


@dataclasses.dataclass(frozen=True)
class _Keys:
    """What the dossier list is ordered by: a key, then a tie-breaker, both one way."""

    key: Any
    tie: Any
    descending: bool
    nulls_last: bool
    sorted_after: bool = False  # nulls last as a leading `key IS NULL` (see `dossiers`)

    def order(self, key: Any = None, tie: Any = None) -> tuple[Any, ...]:
        """Return the ORDER BY clauses (of the key and tie given, by default its own)."""
        key, tie = (self.key if key is None else key), (self.tie if tie is None else tie)
        clauses = (key.desc(), tie.desc()) if self.descending else (key.asc(), tie.asc())
        if self.nulls_last and self.sorted_after:
            return (key.is_(None), *clauses)
        return (clauses[0].nulls_last(), clauses[1]) if self.nulls_last else clauses


def _found(columns: list[Any], where: list[Any], keys: _Keys, limit: int, offset: int,
           hits: Any = None) -> Any:
    """Return a search's page: its rows, each with the matches' total.

    Every match is visited to rank (or sort) it anyway: the matches are counted in that
    pass. The pass keeps the keys only (id, key, tie: a few bytes a match, counted and sorted
    in memory); the page's whole rows are read by id after it (25, not thousands). `hits`:
    SQLite's ranked hits the relevance reads (search.Match), joined by rowid.
    """
    source: Any = D if hits is None else D.outerjoin(
        hits, sa.literal_column(f"{D.name}.rowid") == hits.c.hit)
    matches = (sa.select(D.c.dossier_id, keys.key.label("key"), keys.tie.label("tie"))
               .select_from(source).where(*where)
               .offset(0)  # not merged into the query above: ranked here, on the rows read
               .subquery("matches"))
    found = (sa.select(matches, sa.func.count().over().label("total"))
             .order_by(*keys.order(matches.c.key, matches.c.tie)).limit(limit).offset(offset)
             .subquery("found"))
    return (sa.select(*columns, found.c.total)
            .join_from(D, found, D.c.dossier_id == found.c.dossier_id)
            .order_by(*keys.order(found.c.key, found.c.tie)))


FEW_TO_SORT = 2_000  # rows in the chosen states that SQLite sorts rather than walks (`dossiers`)


class SqlAlchemyQueries:
    """Answers the pages' questions from the read-model tables of one engine."""

    def __init__(self, engine: sa.Engine, communes: CommuneDirectory,
                 fund_as_of: Callable[[datetime], FundSnapshot] | None = None) -> None:
        self.engine = engine
        self.communes = communes
        self._fund_as_of = fund_as_of
        self.before_read: Callable[[], None] = _nothing  # the composition root sets it

    def _connect(self) -> sa.Connection:
        """Open a connection once this thread's own writes are applied (read your writes)."""
        self.before_read()
        return self.engine.connect()

    def _all(self, statement: Any) -> list[Any]:
        with self._connect() as conn:
            return list(conn.execute(statement).mappings())

    # -- dossiers -------------------------------------------------------------------------
    def _where(self, actor: Actor, flt: DossierFilter, table: sa.Table = D) -> list[Any]:
        """Return the conditions of the dossiers the actor may see and the filter keeps
        (`table`: the dossiers', or their counts' for the commune, state and year)."""
        where: list[Any] = []
        c = table.c
        commune = actor.commune if actor.role is Role.COMMUNE_AGENT else flt.commune
        if actor.role is not Role.SYSTEM:  # the audit snapshot (SYSTEM) reads every dossier
            where.append(c.state != DossierState.DELETED.value)
        if actor.role not in (Role.COMMUNE_AGENT, Role.SYSTEM):  # a draft is the commune's
            where.append(c.state != DossierState.DRAFT.value)
        if commune:
            where.append(c.commune == commune)
        if flt.states:
            where.append(c.state.in_(flt.states))
        if flt.year is not None:
            where.append(c.year == flt.year)
        if table is not D:
            assert flt.officer_id is None and not (flt.text or "").strip()
            return where
        if flt.officer_id is not None:
            where.append(D.c.officer_id == flt.officer_id)
        if flt.text and flt.text.strip():
            where.append(search.matching(self.engine.dialect.name, D, flt.text)[0])
        return where

    def dossiers(self, actor: Actor, flt: DossierFilter) -> Page[DossierRow]:
        """Return a page of dossiers the actor may see."""
        policy.require(actor, "dossier.read")
        if flt.sort not in SORTS and flt.sort != RELEVANCE:
            raise InvalidInputError({"sort": [f"tri inconnu : {flt.sort}"]})
        text = (flt.text or "").strip()
        sort = flt.sort if flt.sort != RELEVANCE or text else "-updated_at"
        hits = None
        if sort == RELEVANCE:  # the best matches first, the latest among equals
            match = search.matching(self.engine.dialect.name, D, text)
            hits = match.hits
            keys = _Keys(match.rank, D.c.updated_at, descending=True, nulls_last=False)
        else:
            column = SORT_COLUMNS[sort.lstrip("-")]
            # NULLS LAST only on a nullable column: on a NOT NULL one it defeats its index
            keys = _Keys(column, D.c.dossier_id, sort.startswith("-"), bool(column.nullable))
        per_page = max(1, min(flt.per_page, MAX_PER_PAGE))
        page = max(1, flt.page)
        where = self._where(actor, flt)
        columns = [D.c[f] for f in ROW_FIELDS]
        count = sa.select(sa.func.count()).select_from(D).where(*where)
        if flt.officer_id is None and not text:  # a sum of the kept counts (a few rows)
            C = t.dossier_counts
            count = sa.select(sa.func.coalesce(sa.func.sum(C.c.n), 0)).where(
                *self._where(actor, flt, C))
        with self._connect() as conn:
            if text:
                rows = conn.execute(_found(columns, where, keys, per_page, (page - 1) * per_page,
                                           hits)).mappings().all()
                total = rows[0]["total"] if rows else conn.execute(count).scalar_one()
            else:
                total = conn.execute(count).scalar_one()
                if flt.states and total <= FEW_TO_SORT and conn.dialect.name == "sqlite":
                    # SQLite would walk the sort key's index through every dossier for the
                    # few in these states (a session's 441 proposals among 30,000: 45 ms):
                    # nulls put last by a leading `IS NULL`, it finds them by state and
                    # sorts them (6 ms). Many rows in those states: the walk finds a page
                    # soon, and sorting them all would cost more.
                    keys = dataclasses.replace(keys, sorted_after=True)
                rows = conn.execute(sa.select(*columns).where(*where).order_by(*keys.order())
                                    .limit(per_page).offset((page - 1) * per_page)
                                    ).mappings().all()
        return Page(items=[DossierRow(**{f: r[f] for f in ROW_FIELDS}) for r in rows],
                    total=int(total), page=page, per_page=per_page)

    def awaiting_municipal_deliberation(self, actor: Actor, commune: str | None = None,
                                        page: int = 1, per_page: int = 50
                                        ) -> Page[DossierRow]:
        """Return a page of awarded dossiers (of a commune, or all) whose commune's concordant
        deliberation is not recorded (its event is absent from the dossier's timeline), by
        reference, with their number."""
        policy.require(actor, "dossier.read")
        page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
        T = t.timeline
        recorded = sa.exists().where(T.c.dossier_id == D.c.dossier_id,
                                     T.c.kind == "MunicipalDeliberationRecorded")
        where = [*self._where(actor, DossierFilter(commune=commune,
                                                   states=(DossierState.AWARDED.value,))),
                 ~recorded]
        with self._connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(D).where(*where)
                                 ).scalar_one()
            rows = conn.execute(sa.select(*(D.c[f] for f in ROW_FIELDS)).where(*where)
                                .order_by(D.c.reference, D.c.dossier_id).limit(per_page)
                                .offset((page - 1) * per_page)).mappings().all()
        return Page(items=[DossierRow(**r) for r in rows], total=int(total), page=page,
                    per_page=per_page)

    def _dossier_row(self, dossier_id: UUID) -> DossierRow | None:
        rows = self._all(sa.select(*(D.c[f] for f in ROW_FIELDS))
                         .where(D.c.dossier_id == dossier_id))
        return DossierRow(**rows[0]) if rows else None

    def dossier(self, actor: Actor, dossier_id: UUID) -> DossierRow:
        """Return one dossier's row (NotFoundError if absent or not the actor's commune)."""
        row = self._dossier_row(dossier_id)
        if row is None:
            raise NotFoundError("Dossier introuvable.")
        policy.require(actor, "dossier.read", row.commune)
        policy.require_filed(actor, DossierState(row.state))
        return row

    def timeline(self, actor: Actor, dossier_id: UUID) -> list[TimelineRow]:
        """Return a dossier's audit timeline, oldest first (private notes hidden from communes)."""
        self.dossier(actor, dossier_id)
        statement = sa.select(t.timeline).where(t.timeline.c.dossier_id == dossier_id)
        if not policy.allowed(actor, "dossier.read_notes"):
            statement = statement.where(t.timeline.c.private.is_(False))
        rows = self._all(statement.order_by(t.timeline.c.version))
        return [TimelineRow(**{**_fields(r, TimelineRow),
                               "changes": [tuple(c) for c in r["changes"]]}) for r in rows]

    def documents(self, actor: Actor, dossier_id: UUID) -> list[DocumentRow]:
        """Return a dossier's documents (removed ones flagged)."""
        self.dossier(actor, dossier_id)
        rows = self._all(sa.select(t.documents).where(t.documents.c.dossier_id == dossier_id)
                         .order_by(t.documents.c.attached_at, t.documents.c.name))
        return [DocumentRow(**_fields(r, DocumentRow)) for r in rows]

    # -- council --------------------------------------------------------------------------
    def sessions(self, actor: Actor) -> list[SessionRow]:
        """Return every council session, latest first."""
        policy.require(actor, "session.read")
        rows = self._all(sa.select(t.sessions).order_by(t.sessions.c.session_date.desc(),
                                                         t.sessions.c.session_id))
        return [SessionRow(**r) for r in rows]

    def session(self, actor: Actor, session_id: UUID) -> SessionRow:
        """Return one session."""
        policy.require(actor, "session.read")
        rows = self._all(sa.select(t.sessions).where(t.sessions.c.session_id == session_id))
        if not rows:
            raise NotFoundError("Séance introuvable.")
        return SessionRow(**rows[0])

    def agenda(self, actor: Actor, session_id: UUID) -> list[AgendaItemRow]:
        """Return a session's agenda items by number."""
        self.session(actor, session_id)
        rows = self._all(sa.select(t.agenda).where(t.agenda.c.session_id == session_id)
                         .order_by(t.agenda.c.item_number))
        return [AgendaItemRow(**r) for r in rows]

    # -- money ----------------------------------------------------------------------------
    def budget(self, actor: Actor, year: int) -> BudgetView | None:
        """Return a year's budget, or None if none was voted."""
        policy.require(actor, "budget.read")
        return self._budget(year)

    def _budget(self, year: int) -> BudgetView | None:
        found = self._all(sa.select(t.budgets).where(t.budgets.c.year == year))
        if not found:
            return None
        budget = found[0]
        lines = t.budget_lines
        rows = self._all(
            sa.select(lines.c.commune,
                      sa.type_coerce(sa.func.sum(lines.c.committed), t.Cents).label("committed"),
                      sa.type_coerce(sa.func.sum(lines.c.paid), t.Cents).label("paid"))
            .where(lines.c.budget_id == budget["budget_id"]).group_by(lines.c.commune))
        per_commune = sorted(
            (BudgetLine(commune=r["commune"], commune_name=self.communes.name(r["commune"]),
                        committed=r["committed"] or ZERO, paid=r["paid"] or ZERO)
             for r in rows), key=lambda line: (line.commune_name, line.commune))
        committed = sum((line.committed for line in per_commune), ZERO)
        paid = sum((line.paid for line in per_commune), ZERO)
        return BudgetView(year=year, voted=budget["voted"], committed=committed, paid=paid,
                          remaining=budget["voted"] - committed,
                          deliberation_reference=budget["deliberation_reference"],
                          lines=per_commune)

    def budget_years(self, actor: Actor) -> list[int]:
        """Return the years with a voted budget."""
        policy.require(actor, "budget.read")
        return [r["year"] for r in self._all(sa.select(t.budgets.c.year)
                                             .order_by(t.budgets.c.year))]

    def all_budgets(self) -> list[BudgetView]:
        """Return every year's budget, oldest first (no access check: internal)."""
        years = [r["year"] for r in self._all(sa.select(t.budgets.c.year)
                                              .order_by(t.budgets.c.year))]
        return [b for y in years if (b := self._budget(y)) is not None]

    def payments(self, actor: Actor, year: int | None = None) -> list[PaymentRow]:
        """Return the payments ledger (a year's, or all)."""
        policy.require(actor, "budget.read")
        return [PaymentRow(**_fields(r, PaymentRow)) for r in self._all(self._ledger(year))]

    def payments_page(self, actor: Actor, year: int | None = None, page: int = 1,
                      per_page: int = 100) -> Page[PaymentRow]:
        """Return one page of the payments ledger (a year's, or all), in date order."""
        policy.require(actor, "budget.read")
        statement = self._ledger(year)
        page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
        with self._connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(  # unsorted: a sort
                statement.order_by(None).subquery())).scalar_one()  # of every row costs
            rows = conn.execute(statement.limit(per_page).offset((page - 1) * per_page)
                                ).mappings().all()
        return Page(items=[PaymentRow(**_fields(r, PaymentRow)) for r in rows],
                    total=int(total), page=page, per_page=per_page)

    def payments_by_day(self, actor: Actor, year: int) -> list[tuple[date, Decimal]]:
        """Return a year's payments net of clawbacks, summed by day (by the database)."""
        policy.require(actor, "budget.read")
        p = t.payments
        rows = self._all(sa.select(p.c.paid_on, sa.func.sum(p.c.amount).label("amount"))
                         .where(p.c.paid_on.between(date(year, 1, 1), date(year, 12, 31)))
                         .group_by(p.c.paid_on).order_by(p.c.paid_on))
        return [(r["paid_on"], r["amount"]) for r in rows]

    @staticmethod
    def _ledger(year: int | None) -> Any:
        p = t.payments
        statement = sa.select(p).order_by(p.c.paid_on, p.c.recorded_at, p.c.dossier_id,
                                          p.c.version)
        if year is not None:
            statement = statement.where(p.c.paid_on.between(date(year, 1, 1), date(year, 12, 31)))
        return statement

    # -- deadlines ------------------------------------------------------------------------
    def waiting(self, actor: Actor, among: Sequence[UUID] | None = None,
                due_by: date | None = None) -> list[WaitingDossier]:
        """Return the dossiers waiting for an answer or holding a grant (the actor's); with
        `due_by`, only those whose next deadline (the earliest, same rule) falls by then."""
        policy.require(actor, "dossier.read")
        if among is not None and not among:
            return []
        with self._connect() as conn:
            return waiting.waiting_dossiers(conn.execute(waiting.rows(
                waiting.conditions(actor, among, due_by))))

    def waiting_page(self, actor: Actor, due_by: date, page: int = 1,
                     per_page: int = 100) -> Page[WaitingDossier]:
        """Return one page of the dossiers whose next deadline falls by `due_by`, the
        earliest first, and how many there are."""
        policy.require(actor, "dossier.read")
        page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
        where = waiting.conditions(actor, due_by=due_by)
        with self._connect() as conn:
            total = conn.execute(waiting.count(where)).scalar_one()
            found = waiting.waiting_dossiers(conn.execute(
                waiting.rows(where).limit(per_page).offset((page - 1) * per_page)))
        return Page(items=found, total=int(total), page=page, per_page=per_page)

    # -- accounts -------------------------------------------------------------------------
    def accounts(self, actor: Actor) -> list[AccountRow]:
        """Return every account (administrator)."""
        policy.require(actor, "accounts.manage")
        rows = self._all(sa.select(t.accounts).order_by(t.accounts.c.name, t.accounts.c.email))
        return [AccountRow(**r) for r in rows]

    def officers(self) -> list[AccountRow]:
        """Return the active finance officers (for assignment)."""
        a = t.accounts
        rows = self._all(sa.select(a).where(a.c.role == Role.FINANCE_OFFICER.value,
                                            a.c.active.is_(True)).order_by(a.c.name))
        return [AccountRow(**r) for r in rows]

    # -- the past -------------------------------------------------------------------------
    def fund_as_of(self, actor: Actor, moment: datetime) -> FundSnapshot:
        """Return the whole fund as it stood at a moment (auditors)."""
        policy.require(actor, "audit.read")
        if self._fund_as_of is None:
            raise NotFoundError("Historique indisponible.")
        return self._fund_as_of(moment)
