"""When an awarded grant's delays fall due: works start and balance request (caducité).

One rule for every reader of the deadlines (the officers' list, the reminders, the dossiers'
read model), so that they never disagree. The règlement fixes the delays
(`works_start_delay_months`, `balance_delay_months`); the funding agreement (article 4) makes
them run from the notification of the decision.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Literal

from faps.domain.dates import paris_day as paris_day  # the fund's day, read here by many

GrantDeadlineKind = Literal["works_start", "balance"]


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later (the month's last day if it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class GrantProgress:
    """What the deadlines of an awarded grant depend on.

    `live_requests` counts the payment requests not refused, paid or pending: each proves the
    works started (the attestation of works start of an advance, the certified expense statement
    and paid invoices of an interim payment or of the balance). A refused request proves nothing.
    """

    decided_on: date
    notified_on: date | None
    live_requests: int
    balance_requested: bool

    @property
    def delays_start(self) -> date:
        """Return the day the delays run from: the notification (the vote until then)."""
        return self.notified_on or self.decided_on


def grant_deadlines(progress: GrantProgress, works_start_delay_months: int,
                    balance_delay_months: int) -> list[tuple[GrantDeadlineKind, date]]:
    """Return the grant's pending deadlines, earliest first.

    Funding agreement, article 4: the works start within `works_start_delay_months` of the
    notification and the balance is requested within `balance_delay_months`; otherwise the
    unpaid part lapses, by an officer's decision (never by this function).
    """
    start = progress.delays_start
    due: list[tuple[GrantDeadlineKind, date]] = []
    if progress.live_requests == 0:
        due.append(("works_start", add_months(start, works_start_delay_months)))
    if not progress.balance_requested:
        due.append(("balance", add_months(start, balance_delay_months)))
    return sorted(due, key=lambda kind_due: kind_due[1])
