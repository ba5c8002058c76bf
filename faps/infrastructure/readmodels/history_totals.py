"""Totals as of a moment without reading every row valid then: the history's deltas, by period.

Each version a history table holds adds its figures (a count of 1 and its amounts) to its group
from its `valid_from` on, and takes them off at its `valid_to`. The projection keeps these
deltas summed by UTC year, month and day (a row per period and group); the totals at a moment
M are then the years before M's year, the months of M's year before M's month, the days of
M's month before M's day, and the part of M's day up to M read from the versions themselves
(those begun in it added, those ended in it taken off, through indexes on the bounds): a few
hundred rows, whatever the number of dossiers. Sums commute, so a rebuild split over
processes writes the same rows; a period's group summing to nothing has no row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from faps.domain.money import ZERO
from faps.infrastructure.readmodels.tables import Cents, UtcDateTime, metadata

Row = dict[str, Any]
Figures = tuple[int | Decimal, ...]
GRAINS = ("y", "m", "d")


class Totals:
    """A delta table: what a history table's versions sum to, by period and group."""

    def __init__(self, name: str, versions: sa.Table, group: Sequence[sa.Column[Any]],
                 sums: Sequence[str], figures: Callable[[Row], tuple[tuple[Any, ...], Figures]],
                 row_group: Sequence[sa.ColumnElement[Any]]) -> None:
        """`group` are the delta table's group columns, `sums` the versions' summed columns;
        `figures` gives a version's group and figures (count first), `row_group` the same
        group as expressions on `versions`' columns (for the part of a day)."""
        self.versions, self.sums, self.figures = versions, tuple(sums), figures
        self.group_names = tuple(c.name for c in group)
        self.row_group = list(row_group)
        self.table = sa.Table(
            name, metadata,
            sa.Column("grain", sa.String(1), primary_key=True),
            sa.Column("period", sa.Date, primary_key=True),
            *group,
            sa.Column("n", sa.BigInteger, nullable=False),
            *(sa.Column(s, Cents, nullable=False) for s in sums))
        self.values = ("n", *sums)

    # -- writing --------------------------------------------------------------------------
    def write(self, conn: sa.Connection, ended: Iterable[Row], emptied: Iterable[Row],
              inserted: Iterable[Row]) -> None:
        """Add the deltas of a batch: stored versions now `ended` (taken off at their end)
        or `emptied` (closed at their own start, deleted: their start is taken back), and
        the `inserted` ones (added at their start, taken off at their end if closed)."""
        deltas: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0] * len(self.values))
        for row in ended:
            self._add(deltas, row, row["valid_to"], -1)
        for row in emptied:
            self._add(deltas, row, row["valid_from"], -1)
        for row in inserted:
            self._add(deltas, row, row["valid_from"], 1)
            if row["valid_to"] is not None:
                self._add(deltas, row, row["valid_to"], -1)
        keys = ("grain", "period", *self.group_names)
        rows = [dict(zip((*keys, *self.values), (*k, *v), strict=True))
                for k, v in sorted(deltas.items(), key=_sortable) if any(v)]
        if not rows:
            return
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(
            self.table)
        conn.execute(insert.on_conflict_do_update(
            index_elements=list(keys),
            set_={v: self.table.c[v] + insert.excluded[v] for v in self.values}), rows)
        c = self.table.c
        conn.execute(self.table.delete().where(  # a group summing to nothing keeps no row
            *(c[k] == sa.bindparam(f"k_{k}") for k in keys), *(c[v] == 0 for v in self.values)),
            [{f"k_{k}": r[k] for k in keys} for r in rows])

    def _add(self, deltas: dict[tuple[Any, ...], list[Any]], row: Row, at: datetime,
             sign: int) -> None:
        group, figures = self.figures(row)
        day = at.astimezone(UTC).date()
        for grain, period in zip(GRAINS, (day.replace(month=1, day=1), day.replace(day=1), day),
                                 strict=True):
            line = deltas[(grain, period, *group)]
            for i, value in enumerate(figures):
                line[i] += sign * value

    # -- reading --------------------------------------------------------------------------
    def at(self, conn: sa.Connection, moment: datetime) -> dict[tuple[Any, ...], list[Any]]:
        """Return each group's figures summed over the versions valid at `moment` (groups
        summing to nothing left out)."""
        c, v = self.table.c, self.versions.c
        moment = moment.astimezone(UTC)
        day = moment.date()
        year, month = day.replace(month=1, day=1), day.replace(day=1)
        whole_day = (moment + timedelta(microseconds=1)).date() != day
        until = day + timedelta(days=1) if whole_day else day
        group = [c[g] for g in self.group_names]
        sums = [sa.func.sum(sa.type_coerce(c[s], sa.BigInteger)) for s in self.values]
        parts: list[sa.Select[Any]] = [sa.select(*group, *sums).where(sa.or_(
            sa.and_(c.grain == "y", c.period < year),
            sa.and_(c.grain == "m", c.period >= year, c.period < month),
            sa.and_(c.grain == "d", c.period >= month, c.period < until)))
            .group_by(*group)]
        if not whole_day:  # the part of M's day up to M, from the versions' bounds
            start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            for bound, sign in ((v.valid_from, 1), (v.valid_to, -1)):
                parts.append(sa.select(*self.row_group, sign * sa.func.count(), *(
                    sign * sa.func.coalesce(sa.func.sum(sa.type_coerce(v[s], sa.BigInteger)), 0)
                    for s in self.sums))
                    .where(bound >= sa.literal(start, UtcDateTime()),
                           bound <= sa.literal(moment, UtcDateTime()))
                    .group_by(*self.row_group))
        found: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0] * len(self.values))
        width = len(self.group_names)
        for part in parts:
            for r in conn.execute(part):
                line = found[tuple(r[:width])]
                for i, value in enumerate(r[width:]):
                    line[i] += int(value or 0)
        cents = Cents()
        return {k: [n, *(cents.process_result_value(a, conn.dialect) or ZERO for a in amounts)]
                for k, (n, *amounts) in found.items() if n or any(amounts)}


def _sortable(item: tuple[tuple[Any, ...], Any]) -> tuple[str, ...]:
    """Order the keys the same way in every process (on PostgreSQL: no deadlock between
    rebuild workers upserting the same rows)."""
    return tuple("" if k is None else str(k) for k in item[0])


def bounds_index(table: sa.Table, group: Sequence[str], sums: Sequence[str]) -> None:
    """Add a history table the indexes a day's part reads alone: its versions by start and
    by end, with their group and summed columns."""
    for bound in ("valid_from", "valid_to"):
        sa.Index(f"ix_{table.name}_{bound}", *(table.c[k] for k in (bound, *group, *sums)))

