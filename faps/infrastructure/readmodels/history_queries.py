"""The fund as of a moment and the dossiers waiting for a deadline, read from tables.

`fund_as_of` reads the history projection's rows valid at the moment (never the log); the
deadlines read the dossiers' current rows. Both give what replaying the log gave (the
replaying `FundAsOf` and the deadlines' replay are kept as the tests' oracles).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from faps.application import policy
from faps.application.fund_history import (
    AMOUNTS,
    COMPARED,
    STATE_ORDER,
    Change,
    FundChanges,
    FundOverview,
    StateTotals,
    budget_deltas,
)
from faps.application.queries import (
    BudgetLine,
    BudgetView,
    DossierRow,
    FundSnapshot,
    Page,
    SessionRow,
)
from faps.application.timetravel import end_of
from faps.domain.actors import Actor
from faps.domain.money import ZERO
from faps.infrastructure.readmodels import history_tables as h
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.history_tables import MAX_SPAN
from faps.infrastructure.readmodels.queries import MAX_PER_PAGE, ROW_FIELDS, SqlAlchemyQueries
from faps.infrastructure.readmodels.tables import UtcDateTime

EPOCH = datetime(1, 1, 2, tzinfo=UTC)
SESSION_FIELDS = tuple(SessionRow.__dataclass_fields__)


def _by_reference(table: sa.FromClause, dialect: str) -> list[Any]:
    """Return the snapshot's order: by reference (drafts last), then id; the references
    compared as bytes on every database (PostgreSQL's collation would order them otherwise)."""
    reference = table.c.reference
    if dialect == "postgresql":
        reference = sa.collate(reference, "C")  # type: ignore[assignment]
    return [table.c.reference.is_(None), reference, table.c.dossier_id]


def _rows(conn: sa.Connection, keys: list[tuple[Any, int]]) -> list[DossierRow]:
    """Return the dossier versions of these (dossier_id, version) keys, in their order
    (found by the key's first column: a list of pairs is not matched through an index)."""
    if not keys:
        return []
    v = h.dossier_versions
    found = {(r[0], r[-1]): DossierRow(*r[:-1]) for r in conn.execute(
        sa.select(*(v.c[f] for f in ROW_FIELDS), v.c.version)
        .where(v.c.dossier_id.in_({k[0] for k in keys}),
               v.c.version.in_({k[1] for k in keys})))}
    return [found[k] for k in keys]


def _change(found: Any, row: DossierRow) -> Change:
    """Return a changed dossier from a row of `fund_changes`' query and its version."""
    fields = [(k, None if found["new"] else found[f"was_{k}"], getattr(row, k)) for k in COMPARED
              if found["new"] or found[f"was_{k}"] != getattr(row, k)]
    return Change(row, bool(found["new"]), fields)


def valid_at(table: sa.FromClause, moment: datetime) -> sa.ColumnElement[bool]:
    """Return the condition of a history table's rows valid at `moment` (for a join on the
    entity's key, whose index finds its few versions)."""
    return sa.and_(table.c.valid_from <= moment,
                   sa.or_(table.c.valid_to.is_(None), table.c.valid_to > moment))


@cache
def as_of(table: sa.Table, columns: tuple[str, ...], since: bool = False) -> sa.Subquery:
    """Return the rows of a history table valid at the moment bound by `at` (their `columns`;
    with `since`, those begun after the bound `since` only), found through the (span,
    valid_from) index: the open rows started by then, and for each span k the closed rows
    started in the 2^k seconds before (history_tables._validity). Built once: the moment and
    the ranges' bounds are parameters."""
    c = table.c
    chosen = [c[name] for name in columns]
    moment = sa.bindparam("moment", type_=UtcDateTime())
    where = [c.valid_from > sa.bindparam("since", type_=UtcDateTime())] if since else []
    parts = [sa.select(*chosen).where(c.span.is_(None), c.valid_from <= moment, *where)]
    for k in range(MAX_SPAN + 1):
        started = [c.valid_from <= moment]
        if k < MAX_SPAN:
            started.append(c.valid_from >= sa.bindparam(f"from_{k}", type_=UtcDateTime()))
        parts.append(sa.select(*chosen).where(c.span == k, *started, c.valid_to > moment,
                                              *where))
    return sa.union_all(*parts).subquery()


def at(moment: datetime, since: datetime | None = None) -> dict[str, datetime | None]:
    """Return the parameters of `as_of`'s rows for a moment."""
    bounds = {f"from_{k}": max(EPOCH, moment - timedelta(seconds=2**k))
              if moment - EPOCH > timedelta(seconds=2**k) else EPOCH for k in range(MAX_SPAN)}
    return {"moment": moment, "since": since, **bounds}


class HistoryQueries(SqlAlchemyQueries):
    """The read models' queries, with the past and the deadlines answered from tables.

    The history follows the log behind the requests (faps.infrastructure.followers): a read of
    the past first brings it up to the log (`before_history`, set by the composition root).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.before_history: Callable[[], object] = lambda: None  # the composition root sets it

    def _connect_history(self) -> sa.Connection:
        self.before_history()
        return self._connect()

    def fund_as_of(self, actor: Actor, moment: datetime) -> FundSnapshot:
        """Return the whole fund as it stood at a moment (auditors; a naive moment is UTC)."""
        policy.require(actor, "audit.read")
        limit = end_of(moment)
        with self._connect_history() as conn:
            return FundSnapshot(as_of=limit, dossiers=self._dossiers_at(conn, limit),
                                budgets=self._budgets_at(conn, limit),
                                sessions=self._sessions_at(conn, limit))

    def fund_overview(self, actor: Actor, moment: datetime, page: int = 1,
                      per_page: int = 100) -> FundOverview:
        """Return the fund as of a moment: totals by state, budgets, a page of dossiers."""
        policy.require(actor, "audit.read")
        limit, v = end_of(moment), h.dossier_versions
        page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
        with self._connect_history() as conn:
            valid = as_of(v, ("state", *AMOUNTS))
            totals = conn.execute(
                sa.select(valid.c.state, sa.func.count(), *(sa.type_coerce(
                    sa.func.sum(valid.c[k]), t.Cents) for k in AMOUNTS))
                .group_by(valid.c.state), at(limit)).all()
            by_state = {state: StateTotals(int(n), *(a or ZERO for a in amounts))
                        for state, n, *amounts in sorted(
                            totals, key=lambda r: STATE_ORDER.get(r[0], len(STATE_ORDER)))}
            keys_at = as_of(v, ("reference", "dossier_id", "version"))  # from the index
            keys = conn.execute(sa.select(keys_at.c.dossier_id, keys_at.c.version)
                                .order_by(*_by_reference(keys_at, conn.dialect.name))
                                .limit(per_page).offset((page - 1) * per_page), at(limit)).all()
            rows = _rows(conn, [tuple(k) for k in keys])
            budgets = self._budgets_at(conn, limit)
        total = sum(line.count for line in by_state.values())
        return FundOverview(as_of=limit, by_state=by_state, budgets=budgets,
                            dossiers=Page(rows, total, page, per_page))

    def fund_changes(self, actor: Actor, start: datetime, end: datetime, page: int = 1,
                     per_page: int = 100) -> FundChanges:
        """Return the dossiers whose state or amounts differ between two moments (a page of
        them, by reference) and each budget's figures at the end with their differences."""
        policy.require(actor, "audit.read")
        start, end = end_of(start), end_of(end)
        page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
        v, before = h.dossier_versions, h.dossier_versions.alias("before")
        # A version begun by `start` was valid then too: only later ones can differ.
        after = as_of(v, ("dossier_id", "version", "reference", *COMPARED), since=True)
        differs = sa.or_(before.c.dossier_id.is_(None),
                         *(after.c[k].is_distinct_from(before.c[k]) for k in COMPARED))
        found = (sa.select(after.c.dossier_id, after.c.version,
                           before.c.dossier_id.is_(None).label("new"),
                           *(before.c[k].label(f"was_{k}") for k in COMPARED))
                 .select_from(after.outerjoin(before, sa.and_(
                     before.c.dossier_id == after.c.dossier_id, valid_at(before, start))))
                 .where(differs))
        with self._connect_history() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(found.subquery()),
                                 at(end, since=start)).scalar_one()
            rows = conn.execute(found.order_by(*_by_reference(after, conn.dialect.name))
                                .limit(per_page).offset((page - 1) * per_page),
                                at(end, since=start)).mappings().all()
            dossiers = _rows(conn, [(r["dossier_id"], r["version"]) for r in rows])
            deltas = budget_deltas(self._budgets_at(conn, start), self._budgets_at(conn, end))
        changes = [_change(r, d) for r, d in zip(rows, dossiers, strict=True)]
        return FundChanges(start=start, end=end, deltas=deltas,
                           changed=Page(changes, int(total), page, per_page))

    def _dossiers_at(self, conn: sa.Connection, moment: datetime) -> list[DossierRow]:
        v = h.dossier_versions
        rows = conn.execute(sa.select(as_of(v, ROW_FIELDS)), at(moment)).all()
        found = [DossierRow(*r) for r in rows]
        # The list's order (reference, drafts last, then id), the same on every database.
        found.sort(key=lambda r: (r.reference is None, r.reference or "", r.dossier_id))
        return found

    def _sessions_at(self, conn: sa.Connection, moment: datetime) -> list[SessionRow]:
        s = h.session_versions
        rows = conn.execute(sa.select(*(s.c[f] for f in SESSION_FIELDS))
                            .where(valid_at(s, moment))).all()
        found = sorted((SessionRow(*r) for r in rows), key=lambda r: r.session_id)
        found.sort(key=lambda r: r.session_date, reverse=True)  # latest first, then by id
        return found

    def _budgets_at(self, conn: sa.Connection, moment: datetime) -> list[BudgetView]:
        b, lines = h.budget_versions, h.budget_line_versions
        budgets = conn.execute(sa.select(b.c.budget_id, b.c.year, b.c.voted,
                                         b.c.deliberation_reference)
                               .where(valid_at(b, moment)).order_by(b.c.year)).all()
        if not budgets:
            return []
        sums: dict[UUID, dict[str, list[Decimal]]] = defaultdict(
            lambda: defaultdict(lambda: [ZERO, ZERO]))
        for budget_id, commune, committed, paid in conn.execute(sa.select(as_of(
                lines, ("budget_id", "commune", "committed", "paid"))), at(moment)):
            line = sums[budget_id][commune]
            line[0] += committed
            line[1] += paid
        return [self._view(year, voted, reference, sums.get(budget_id, {}))
                for budget_id, year, voted, reference in budgets]

    def _view(self, year: int, voted: Decimal, reference: str,
              sums: dict[str, list[Decimal]]) -> BudgetView:
        per_commune = sorted((BudgetLine(commune=c, commune_name=self.communes.name(c),
                                         committed=s[0], paid=s[1]) for c, s in sums.items()),
                             key=lambda line: (line.commune_name, line.commune))
        committed = sum((line.committed for line in per_commune), ZERO)
        paid = sum((line.paid for line in per_commune), ZERO)
        return BudgetView(year=year, voted=voted, committed=committed, paid=paid,
                          remaining=voted - committed, deliberation_reference=reference,
                          lines=per_commune)
