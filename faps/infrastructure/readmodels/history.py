"""The history projection: every version of the dossier, budget and session rows, dated.

It follows the log like the others (rows and position in one transaction, versioned, rebuilt
by `faps projections rebuild`, split over processes by aggregate). A dossier's versions are
made by the dossiers projection's own handlers, applied to the open version, one event at a
time: the row as of a moment is the row the dossiers projection held after the last event
stamped up to then. Budget and session rows are small and folded here.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from faps.application.fund_history import COMPARED
from faps.domain.accounts import Account
from faps.domain.communes import CommuneDirectory
from faps.domain.exports import ExportRecord
from faps.domain.money import ZERO
from faps.domain.numbering import DossierNumbering
from faps.domain.reglement_book import ReglementBook
from faps.infrastructure.readmodels import history_tables as h
from faps.infrastructure.readmodels.base import Projection, qualname
from faps.infrastructure.readmodels.batch import CHUNK, Row, Rows
from faps.infrastructure.readmodels.bulk import insert_rows
from faps.infrastructure.readmodels.dossiers import DossierProjection, next_deadline
from faps.infrastructure.readmodels.history_tables import span_of
from faps.infrastructure.readmodels.history_totals import Totals
from faps.infrastructure.readmodels.others import BudgetProjection, CouncilProjection

SESSION_CHANGES = {"Closed", "ItemAdded", "ItemWithdrawn", "ItemMoved"}  # of the session's row


class Versions:
    """The versions of one history table a batch writes: the open ones read once, new ones
    chained in memory (a version's end is the next one's start), written in bulk."""

    def __init__(self, conn: sa.Connection, table: sa.Table, keys: tuple[str, ...],
                 totals: Totals | None = None, runs: tuple[str, ...] = ()) -> None:
        self.conn, self.table, self.keys, self.totals = conn, table, keys, totals
        self.runs = runs  # the compared columns whose runs of equal values are kept
        self.columns = [c.name for c in table.columns]
        self.open: dict[Any, Row | None] = {}  # key → the latest version (stored or new)
        self.stored: dict[Any, Row] = {}  # key → its open stored version, if any
        self.new: list[Row] = []

    def _key(self, row: Row) -> Any:
        return row[self.keys[0]] if len(self.keys) == 1 else tuple(row[k] for k in self.keys)

    def preload(self, keys: Iterable[Any]) -> None:
        """Read the open versions of these keys."""
        wanted = [k for k in dict.fromkeys(keys) if k not in self.open]
        cols = [self.table.c[k] for k in self.keys]
        key = cols[0] if len(cols) == 1 else sa.tuple_(*cols)
        for i in range(0, len(wanted), CHUNK):
            chunk = wanted[i:i + CHUNK]
            for k in chunk:
                self.open[k] = None
            for found in self.conn.execute(sa.select(self.table).where(
                    key.in_(chunk), self.table.c.valid_to.is_(None))).mappings():
                row = dict(found)
                self.open[self._key(row)] = self.stored[self._key(row)] = row

    def current(self, key: Any) -> Row | None:
        """Return the latest version of a key (read it if need be); not to change in place."""
        if key not in self.open:
            self.preload([key])
        return self.open[key]

    def put(self, row: Row, version: int, at: datetime) -> None:
        """Make `row` the key's version from `at` on (the event `version` of the aggregate)."""
        key = self._key(row)
        previous = self.current(key)
        if previous is not None:
            previous["valid_to"] = at  # (at its own start: valid for no moment, not written)
        new = {**row, "version": version, "valid_from": at, "valid_to": None}
        if self.runs:
            new.update(self._run(previous, new, at))
        self.open[key] = new
        self.new.append(new)

    def _run(self, previous: Row | None, new: Row, at: datetime) -> Row:
        """Return the run columns of a new version: its predecessor's run goes on while the
        compared values stay; a new run adds its predecessor's values to those the dossier
        had (`runs_seen`, a hash each) and is `recurring` when its own are among them."""
        values = _values(new, self.runs)
        if previous is None:
            return {"run_from": at, "recurring": False, "runs_seen": ""}
        before = _values(previous, self.runs)
        if before == values:
            return {k: previous[k] for k in ("run_from", "recurring", "runs_seen")}
        seen = {*(previous["runs_seen"] or "").split(), _hash(before)}
        return {"run_from": at, "recurring": _hash(values) in seen,
                "runs_seen": " ".join(sorted(seen))}

    def flush(self) -> None:
        """Close the stored versions that new ones follow (a version closed at its own start,
        valid for no moment, is deleted, as a new one would not be written); insert the new."""
        ended = [r for r in self.stored.values() if r["valid_to"] is not None]
        keys = (*self.keys, "version")
        where = [self.table.c[k] == sa.bindparam(f"k_{k}") for k in keys]
        closed = [{"ended": r["valid_to"], "span_": span_of(r["valid_from"], r["valid_to"]),
                   **{f"k_{k}": r[k] for k in keys}} for r in ended
                  if r["valid_to"] != r["valid_from"]]
        kept = {"runs_seen": None} if self.runs else {}  # only the open version's is read
        if closed:
            self.conn.execute(self.table.update().where(*where).values(
                valid_to=sa.bindparam("ended"), span=sa.bindparam("span_"), **kept), closed)
        empty = [{f"k_{k}": r[k] for k in keys} for r in ended if r["valid_to"] == r["valid_from"]]
        if empty:
            self.conn.execute(self.table.delete().where(*where), empty)
        for r in self.new:
            r["span"] = None if r["valid_to"] is None else span_of(r["valid_from"], r["valid_to"])
        inserted = [r if r["valid_to"] is None else {**r, **kept} for r in self.new
                    if r["valid_to"] != r["valid_from"]]
        insert_rows(self.conn, self.table, inserted)
        if self.totals is not None:
            self.totals.write(self.conn, [r for r in ended if r["valid_to"] != r["valid_from"]],
                              [r for r in ended if r["valid_to"] == r["valid_from"]], inserted)
        self.stored = {k: r for k, r in self.open.items()
                       if r is not None and r["valid_to"] is None}
        self.new = []


def _values(row: Row, columns: tuple[str, ...]) -> tuple[Any, ...]:
    """Return a row's compared values, amounts in cents (1.5 and 1.50 are the same value)."""
    return tuple(v if v is None or isinstance(v, str) else int(v * 100)
                 for v in (row[c] for c in columns))


def _hash(values: tuple[Any, ...]) -> str:
    """Return these values' hash in `runs_seen` (equal values, equal hashes; two values
    sharing one by chance make a run `recurring` that need not be: compared, never missed)."""
    return f"{zlib.crc32(repr(values).encode()):08x}"


class _Sink:
    """Where the dossiers projection's handlers put what history does not keep."""

    def add(self, row: Row) -> Row:
        return row

    def append(self, row: Row) -> None:
        pass

    def get(self, key: Any) -> None:
        return None

    def changed(self, key: Any) -> None:
        pass


class _Current:
    """The dossiers projection's `rows`, as its handlers use them: here, the open versions."""

    def __init__(self, versions: Versions) -> None:
        self.versions = versions
        self.last: Row = {}  # the row the latest event made

    def add(self, row: Row) -> Row:
        self.last = row
        return row

    def touch(self, key: Any) -> Row | None:
        found = self.versions.current(key)
        if found is None:
            return None
        self.last = dict(found)
        return self.last


class _DossierFold(DossierProjection):
    """The dossiers projection's handlers, applied to one version at a time."""

    def __init__(self, communes: CommuneDirectory, conn: sa.Connection,
                 versions: Versions, delays: dict[str, Row]) -> None:
        super().__init__(communes)
        self.current = _Current(versions)
        self.rows = self.current  # type: ignore[assignment]
        self.docs = self.timeline = self.payments = _Sink()  # type: ignore[assignment]
        self.requests = Rows(conn, h.payment_request_kinds)
        self.delays = delays

    def _searchable(self, row: Row) -> Row:
        return row  # the history keeps no search text (nor the description it is made from)

    def fold(self, event: Any) -> Row:
        """Return the dossier's row after `event` (the dossiers projection's very handling)."""
        self._dossier_event(event)
        row = self.current.last
        row["next_deadline"], row["next_deadline_label"] = next_deadline(row, self.delays)
        return row


class HistoryProjection(Projection):
    """Every version of the dossier, budget, budget line and session rows, with its validity."""

    name = "history"
    version = 3  # 2: totals by period, the snapshot's order indexed; 3: runs of equal values
    tables = (h.dossier_versions, h.payment_request_kinds, h.reglement_delays,
              h.budget_versions, h.budget_line_versions, h.session_versions,
              h.dossier_totals.table, h.line_totals.table)
    handles = DossierProjection.handles | BudgetProjection.handles | CouncilProjection.handles
    ignores = (Account, DossierNumbering, ExportRecord, ReglementBook.Opened)
    shared = frozenset({"ReglementBook.Adopted"})  # a version's delays, read for every dossier

    def __init__(self, communes: CommuneDirectory) -> None:
        self.communes = communes

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch: each event makes a new version of the row it changes."""
        delays = Rows(conn, h.reglement_delays)
        delays.load_all()
        dossiers = Versions(conn, h.dossier_versions, ("dossier_id",), h.dossier_totals,
                            runs=COMPARED)
        budgets = Versions(conn, h.budget_versions, ("budget_id",))
        lines = Versions(conn, h.budget_line_versions, ("budget_id", "dossier_id"),
                         h.line_totals)
        sessions = Versions(conn, h.session_versions, ("session_id",))
        fold = _DossierFold(self.communes, conn, dossiers,
                            {r["version"]: r for r in delays.all_rows()})
        kinds = [(qualname(e).partition("."), e) for e in events]
        dossiers.preload(e.originator_id for (a, _, _), e in kinds if a == "Dossier")
        budgets.preload(e.originator_id for (a, _, _), e in kinds if a == "YearlyBudget")
        lines.preload((e.originator_id, e.dossier_id) for (a, _, _), e in kinds
                      if a == "YearlyBudget" and hasattr(e, "dossier_id"))
        sessions.preload(e.originator_id for (a, _, _), e in kinds if a == "CouncilSession")
        for (aggregate, _, kind), e in kinds:
            if aggregate == "Dossier":
                dossiers.put(fold.fold(e), e.originator_version, e.timestamp)
            elif aggregate == "ReglementBook":
                r = e.reglement
                fold.delays[r.version] = delays.add({
                    "version": r.version, "works_start_delay_months": r.works_start_delay_months,
                    "balance_delay_months": r.balance_delay_months})
            elif aggregate == "YearlyBudget":
                _budget_event(budgets, lines, kind, e)
            elif aggregate == "CouncilSession" and (kind == "Scheduled" or kind in SESSION_CHANGES):
                _session_event(sessions, kind, e)
        delays.flush()
        fold.requests.flush()
        for versions in (dossiers, budgets, lines, sessions):
            versions.flush()


def _budget_event(budgets: Versions, lines: Versions, kind: str, e: Any) -> None:
    """Fold a budget event as the budgets projection does."""
    if kind in ("Voted", "Amended"):
        row = {"budget_id": e.originator_id, "voted": e.amount,
               "deliberation_reference": e.deliberation_reference}
        row["year"] = e.year if kind == "Voted" else _year(budgets, e.originator_id)
        budgets.put(row, e.originator_version, e.timestamp)
        return
    line = lines.current((e.originator_id, e.dossier_id))
    if kind == "Committed":
        new = {"budget_id": e.originator_id, "dossier_id": e.dossier_id, "commune": e.commune,
               "committed": e.amount, "paid": line["paid"] if line else ZERO}
    else:
        assert line is not None
        new = dict(line)
        if kind in ("CommitmentReduced", "CommitmentRectified"):
            new["committed"] = e.new_amount
        else:
            new["paid"] = line["paid"] + e.amount
    lines.put(new, e.originator_version, e.timestamp)


def _year(budgets: Versions, budget_id: Any) -> int:
    found = budgets.current(budget_id)
    assert found is not None
    return int(found["year"])


def _session_event(sessions: Versions, kind: str, e: Any) -> None:
    """Fold a change of a session's row as the council projection does."""
    if kind == "Scheduled":
        row = {"session_id": e.originator_id, "body": e.body, "session_date": e.session_date,
               "place": e.place, "convocation_date": e.convocation_date,
               "councillors_in_office": e.councillors_in_office, "president": e.president,
               "secretary": e.secretary, "closed": False, "items_count": 0}
    else:
        found = sessions.current(e.originator_id)
        assert found is not None
        row = dict(found)
        if kind == "Closed":
            row["closed"] = True
        else:
            row["items_count"] += 1 if kind == "ItemAdded" else -1
    sessions.put(row, e.originator_version, e.timestamp)
