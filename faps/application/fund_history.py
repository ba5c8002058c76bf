"""The auditor's views of the fund's past: as of a date, and what changed between two dates.

Answered by the read models from the history tables (an indexed query per page, whatever the
log's length); `summary` and `changes_between` state what they must equal, computed from two
whole snapshots (the tests compare them with the replayed fund).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from faps.application.queries import BudgetView, DossierRow, FundSnapshot, Page
from faps.domain.actors import Actor
from faps.domain.dossier_content import DossierState
from faps.domain.money import ZERO

AMOUNTS = ("requested", "proposed", "awarded", "paid")
COMPARED = ("state", *AMOUNTS)
STATE_ORDER = {s.value: i for i, s in enumerate(DossierState)}


@dataclass(frozen=True)
class StateTotals:
    """The dossiers in one state: how many, and their amounts summed."""

    count: int
    requested: Decimal
    proposed: Decimal
    awarded: Decimal
    paid: Decimal


@dataclass(frozen=True)
class FundOverview:
    """The fund as of a moment: totals by state (in the lifecycle's order), each year's
    budget, and one page of the dossiers (by reference, drafts last)."""

    as_of: datetime
    by_state: dict[str, StateTotals]
    budgets: list[BudgetView]
    dossiers: Page[DossierRow]


class Change(NamedTuple):
    """A dossier whose state or amounts differ between two moments: (field, before, after)
    for each field that changed; all of them for a dossier that did not exist before."""

    row: DossierRow
    new: bool
    fields: list[tuple[str, Any, Any]]


@dataclass(frozen=True)
class FundChanges:
    """What changed between two moments: the dossiers (a page of them, by reference) and
    each budget's figures then, with their differences."""

    start: datetime
    end: datetime
    changed: Page[Change]
    deltas: list[tuple[BudgetView, dict[str, Decimal]]]


class FundHistory(Protocol):
    """The read models' answers about the fund's past."""

    def fund_overview(self, actor: Actor, moment: datetime, page: int = 1,
                      per_page: int = 100) -> FundOverview:
        """Return the fund as of a moment, with one page of its dossiers."""

    def fund_changes(self, actor: Actor, start: datetime, end: datetime, page: int = 1,
                     per_page: int = 100) -> FundChanges:
        """Return what changed between two moments."""


def summary(snapshot: FundSnapshot) -> dict[str, StateTotals]:
    """Count a snapshot's dossiers and sum their amounts by state (lifecycle order)."""
    totals: dict[str, list[Any]] = {}
    for row in snapshot.dossiers:
        line = totals.setdefault(row.state, [0, ZERO, ZERO, ZERO, ZERO])
        line[0] += 1
        for i, key in enumerate(AMOUNTS, 1):
            line[i] += getattr(row, key) or ZERO
    return {state: StateTotals(*totals[state])
            for state in sorted(totals, key=lambda s: STATE_ORDER.get(s, len(STATE_ORDER)))}


def budget_deltas(before: list[BudgetView], after: list[BudgetView]
                  ) -> list[tuple[BudgetView, dict[str, Decimal]]]:
    """Return each budget of `after` with how much its figures moved since `before`."""
    was = {b.year: b for b in before}
    return [(b, {k: getattr(b, k) - (getattr(was[b.year], k) if b.year in was else ZERO)
                 for k in ("voted", "committed", "paid", "remaining")}) for b in after]


def changes_between(before: FundSnapshot, after: FundSnapshot) -> list[Change]:
    """Return the dossiers whose state or amounts differ between two snapshots, in order."""
    old = {row.dossier_id: row for row in before.dossiers}
    found = []
    for row in after.dossiers:
        prior = old.get(row.dossier_id)
        fields = [(k, getattr(prior, k) if prior else None, getattr(row, k)) for k in COMPARED
                  if prior is None or getattr(prior, k) != getattr(row, k)]
        if fields:
            found.append(Change(row, prior is None, fields))
    return found
