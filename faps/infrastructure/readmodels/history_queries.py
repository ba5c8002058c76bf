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
from faps.infrastructure.readmodels.history_tables import MAX_SPAN
from faps.infrastructure.readmodels.queries import MAX_PER_PAGE, ROW_FIELDS, SqlAlchemyQueries
from faps.infrastructure.readmodels.tables import UtcDateTime

EPOCH = datetime(1, 1, 2, tzinfo=UTC)
# Changes as dense as 1 in 2 of the referenced rows valid at the end: walk, not sort. Never
# the drafts: their part of the index holds every draft version ever made, few of them valid.
WALK_FROM = 2
SESSION_FIELDS = tuple(SessionRow.__dataclass_fields__)


def _by_reference(table: sa.FromClause, dialect: str) -> list[Any]:
    """Return the snapshot's order: by reference (drafts last), then id; the references
    compared as bytes on every database (PostgreSQL's collation would order them otherwise)."""
    reference = table.c.reference
    if dialect == "postgresql":
        reference = sa.collate(reference, "C")  # type: ignore[assignment]
    return [table.c.reference.is_(None), reference, table.c.dossier_id]


@cache
def _versions(n: int) -> sa.Select[Any]:
    """Return the select of `n` dossier versions by key (bound d0, v0, d1, v1…), built once:
    each found through the key's index (two lists of ids and versions would be matched as
    their product, a list of pairs by scanning the table; building the statement for each
    page cost more than running it)."""
    v = h.dossier_versions
    return sa.select(*(v.c[f] for f in ROW_FIELDS), v.c.version).where(sa.or_(*(sa.and_(
        v.c.dossier_id == sa.bindparam(f"d{i}", type_=sa.Uuid()),
        v.c.version == sa.bindparam(f"v{i}", type_=sa.Integer())) for i in range(n))))


def _rows(conn: sa.Connection, keys: list[tuple[Any, int]]) -> list[DossierRow]:
    """Return the dossier versions of these (dossier_id, version) keys, in their order."""
    if not keys:
        return []
    params = {f"{name}{i}": value for i, key in enumerate(keys)
              for name, value in zip("dv", key, strict=True)}
    found = {(r[0], r[-1]): DossierRow(*r[:-1])
             for r in conn.execute(_versions(len(keys)), params)}
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


def _by_state(totals: dict[tuple[Any, ...], list[Any]]) -> dict[str, StateTotals]:
    """Return the totals by state (lifecycle order) from those by state and reference."""
    found: dict[str, list[Any]] = {}
    for (state, _), figures in totals.items():
        line = found.setdefault(state, [0, ZERO, ZERO, ZERO, ZERO])
        for i, value in enumerate(figures):
            line[i] += value
    return {state: StateTotals(*found[state]) for state in sorted(
        found, key=lambda s: STATE_ORDER.get(s, len(STATE_ORDER))) if found[state][0]}


def _page_at(conn: sa.Connection, moment: datetime, offset: int, size: int, referenced: int,
             drafts: int) -> list[tuple[Any, int]]:
    """Return the (dossier_id, version) of a page of the dossiers valid at `moment`, in the
    snapshot's order: the walk of the (reference, dossier_id) index stops at the page's last
    row, and is never asked past the last row valid then (the totals say how many)."""
    v = h.dossier_versions
    keys: list[tuple[Any, int]] = []
    for has, count in ((True, referenced), (False, drafts)):
        wanted = min(size - len(keys), count - offset)
        if wanted > 0:
            order = [v.c.reference, v.c.dossier_id] if has else [v.c.dossier_id]
            keys.extend(tuple(k) for k in conn.execute(  # type: ignore[misc]
                sa.select(v.c.dossier_id, v.c.version)
                .where(v.c.reference.isnot(None) if has else v.c.reference.is_(None),
                       valid_at(v, moment))
                .order_by(*order).limit(wanted).offset(offset)))
        offset = max(0, offset - count)
    return keys


CANDIDATE = ("dossier_id", "version", "reference", "run_from", "recurring", *COMPARED)


def _changed(after: sa.FromClause) -> sa.ColumnElement[bool]:
    """Return the condition of the versions of `after` (valid at the end, begun after the
    start) whose compared fields differ from the dossier's version valid at the start (bound
    `since`): those whose run of equal values began after it, unless the dossier had their
    values before (`recurring`): only those are looked up at the start (the entity's index)."""
    before = h.dossier_versions.alias("before")
    since = sa.bindparam("since", type_=UtcDateTime())
    same_then = sa.exists().where(
        before.c.dossier_id == after.c.dossier_id, before.c.valid_from <= since,
        sa.or_(before.c.valid_to.is_(None), before.c.valid_to > since),
        *(before.c[k].is_not_distinct_from(after.c[k]) for k in COMPARED))
    return sa.and_(after.c.run_from > since,
                   sa.or_(sa.not_(after.c.recurring), sa.not_(same_then)))


def _changed_counts(conn: sa.Connection, start: datetime, end: datetime) -> dict[bool, int]:
    """Count the changed dossiers with and without a reference: one pass over the versions
    valid at the end begun after the start (those begun by then were valid then too), read
    from the index alone (`_changed`)."""
    after = as_of(h.dossier_versions, CANDIDATE, since=True)
    since = sa.bindparam("since", type_=UtcDateTime())
    referenced = after.c.reference.isnot(None)
    counts: dict[bool, int] = defaultdict(int)
    # Two statements, not `_changed`'s OR: PostgreSQL took 3× as long over it (215 ms).
    for where in ([after.c.run_from > since, sa.not_(after.c.recurring)],
                  [after.c.recurring, _changed(after)]):  # (`_changed` has the run's start)
        for has, n in conn.execute(sa.select(referenced, sa.func.count()).where(*where)
                                   .group_by(referenced), at(end, since=start)):
            counts[bool(has)] += n
    return counts


def _changed_page(conn: sa.Connection, start: datetime, end: datetime, referenced: bool,
                  offset: int, size: int, walk: bool) -> list[dict[str, Any]]:
    """Return a page of the changed dossiers with or without a reference, in the snapshot's
    order, each with its compared values at the start (`was_…`; `new`: it did not exist):
    walking the versions valid at the end in that order (`walk`: when changes are dense
    enough to fill a page soon) or sorting the changed ones (when they are few)."""
    v = h.dossier_versions
    if walk:
        source: sa.FromClause = v
        where = [v.c.valid_from > start, valid_at(v, end)]
    else:  # kept whole (OFFSET 0): flattened into this query, SQLite walked the drafts' part
        # of the snapshot's index once for each of its 34 parts to spare a sort (1.1 s)
        source = sa.select(as_of(v, CANDIDATE, since=True)).offset(0).subquery("candidates")
        where = []
    has = source.c.reference.isnot(None) if referenced else source.c.reference.is_(None)
    order = [source.c.reference, source.c.dossier_id] if referenced else [source.c.dossier_id]
    statement = (sa.select(source.c.dossier_id, source.c.version)
                 .where(has, *where, _changed(source)).order_by(*order).limit(size).offset(offset))
    if walk and conn.dialect.name == "sqlite":
        keys = _walking(conn, statement, at(end, since=start))
    else:
        keys = list(conn.execute(statement, at(end, since=start)))
    was = {r.dossier_id: r for r in conn.execute(
        sa.select(v.c.dossier_id, *(v.c[k] for k in COMPARED))
        .where(v.c.dossier_id.in_([d for d, _ in keys]), valid_at(v, start)))}
    return [{"dossier_id": d, "version": version, "new": d not in was,
             **{f"was_{k}": getattr(was[d], k) if d in was else None for k in COMPARED}}
            for d, version in keys]


def _walking(conn: sa.Connection, statement: sa.Select[Any], params: dict[str, Any]) -> list[Any]:
    """Return the (dossier_id, version) of a walk of the versions in the snapshot's order on
    SQLite, through that order's index (`INDEXED BY`, which SQLAlchemy does not write): its
    planner would rather gather the rows valid at the end through the validity indexes and
    sort them (550 ms instead of 1 at 30,000 dossiers)."""
    compiled = statement.compile(dialect=conn.dialect)
    table = f"FROM {h.dossier_versions.name} \n"
    assert table in compiled.string
    sql = compiled.string.replace(table, f"{table[:-2]} INDEXED BY ix_rm_asof_dossiers_order \n", 1)
    values = compiled.construct_params(params)

    def bound(key: str) -> Any:  # as SQLAlchemy would bind it (UtcDateTime's text)
        convert = compiled.binds[key].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        return values[key] if convert is None else convert(values[key])

    uuid = h.dossier_versions.c.dossier_id.type.dialect_impl(conn.dialect).result_processor(
        conn.dialect, None)
    rows = conn.exec_driver_sql(sql, tuple(bound(k) for k in compiled.positiontup or ()))
    return [(uuid(d) if uuid else d, version) for d, version in rows]


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
        limit = end_of(moment)
        page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
        with self._connect_history() as conn:
            totals = h.dossier_totals.at(conn, limit)
            by_state = _by_state(totals)
            referenced = sum(n for (_, has), (n, *_) in totals.items() if has)
            drafts = sum(n for (_, has), (n, *_) in totals.items() if not has)
            keys = _page_at(conn, limit, (page - 1) * per_page, per_page, referenced, drafts)
            rows = _rows(conn, keys)
            budgets = self._budgets_at(conn, limit)
        return FundOverview(as_of=limit, by_state=by_state, budgets=budgets,
                            dossiers=Page(rows, referenced + drafts, page, per_page))

    def fund_changes(self, actor: Actor, start: datetime, end: datetime, page: int = 1,
                     per_page: int = 100) -> FundChanges:
        """Return the dossiers whose state or amounts differ between two moments (a page of
        them, by reference) and each budget's figures at the end with their differences."""
        policy.require(actor, "audit.read")
        start, end = end_of(start), end_of(end)
        page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
        with self._connect_history() as conn:
            counts = _changed_counts(conn, start, end)
            valid = h.dossier_totals.at(conn, end)
            rows: list[Any] = []
            offset, size = (page - 1) * per_page, per_page
            for has in (True, False):
                changed = counts.get(has, 0)
                wanted = min(size - len(rows), changed - offset)
                if wanted > 0:
                    alive = sum(n for (_, r), (n, *_) in valid.items() if bool(r) == has)
                    rows.extend(_changed_page(conn, start, end, has, offset, wanted,
                                              walk=has and changed * WALK_FROM >= alive))
                offset = max(0, offset - changed)
            dossiers = _rows(conn, [(r["dossier_id"], r["version"]) for r in rows])
            deltas = budget_deltas(self._budgets_at(conn, start), self._budgets_at(conn, end))
        changes = [_change(r, d) for r, d in zip(rows, dossiers, strict=True)]
        return FundChanges(start=start, end=end, deltas=deltas,
                           changed=Page(changes, sum(counts.values()), page, per_page))

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
        b = h.budget_versions
        budgets = conn.execute(sa.select(b.c.budget_id, b.c.year, b.c.voted,
                                         b.c.deliberation_reference)
                               .where(valid_at(b, moment)).order_by(b.c.year)).all()
        if not budgets:
            return []
        sums: dict[UUID, dict[str, list[Decimal]]] = defaultdict(dict)
        for (budget_id, commune), (n, committed, paid) in h.line_totals.at(conn, moment).items():
            if n:  # a commune is shown while one of its lines is valid
                sums[budget_id][commune] = [committed, paid]
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
