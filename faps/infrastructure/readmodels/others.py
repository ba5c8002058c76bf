"""The council, budgets and accounts projections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from faps.domain.communes import CommuneDirectory
from faps.domain.council import awarded_on
from faps.domain.money import ZERO
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.base import Projection, qualname
from faps.infrastructure.readmodels.batch import Rows


class CouncilProjection(Projection):
    """Council sessions and their agendas."""

    name = "council"
    version = 2  # 2: nothing awarded on a rejected or postponed item
    tables = (t.sessions, t.agenda)
    handles = frozenset({"CouncilSession.Scheduled", "CouncilSession.ItemAdded",
                         "CouncilSession.ItemWithdrawn", "CouncilSession.OutcomeRecorded",
                         "CouncilSession.Closed", "CouncilSession.ItemMoved",
                         "CouncilSession.OutcomeRectified"})

    def __init__(self, communes: CommuneDirectory) -> None:
        self.communes = communes

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch of session events."""
        sessions, items = Rows(conn, t.sessions), Rows(conn, t.agenda)
        sessions.preload(e.originator_id for e in events)
        items.preload((e.originator_id, e.item_number) for e in events
                      if hasattr(e, "item_number"))
        for e in events:
            kind = qualname(e).partition(".")[2]
            if kind == "Scheduled":
                sessions.add({"session_id": e.originator_id, "body": e.body,
                              "session_date": e.session_date, "place": e.place,
                              "convocation_date": e.convocation_date,
                              "councillors_in_office": e.councillors_in_office,
                              "president": e.president, "secretary": e.secretary,
                              "closed": False, "items_count": 0})
                continue
            session = sessions.get(e.originator_id)
            assert session is not None
            sessions.changed(e.originator_id)
            if kind == "Closed":
                session["closed"] = True
            elif kind == "ItemAdded":
                session["items_count"] += 1
                items.add(self._item(e))
            elif kind in ("ItemWithdrawn", "ItemMoved", "OutcomeRecorded", "OutcomeRectified"):
                key = (e.originator_id, e.item_number)
                item = items.get(key)
                assert item is not None
                items.changed(key)
                if kind in ("ItemWithdrawn", "ItemMoved"):
                    session["items_count"] -= 1
                    item["withdrawn"] = True
                elif kind == "OutcomeRectified":
                    item.update({f: getattr(e, f) for f in (
                        "deliberation_reference", "votes_for", "votes_against", "abstentions",
                        "present", "voting")})
                    item["amount_awarded"] = awarded_on(item["outcome"], e.amount_awarded)
                else:
                    item.update({f: getattr(e, f) for f in (
                        "outcome", "deliberation_reference", "votes_for",
                        "votes_against", "abstentions", "present", "voting")})
                    item["amount_awarded"] = awarded_on(e.outcome, e.amount_awarded)
        sessions.flush()
        items.flush()

    def _item(self, e: Any) -> dict[str, Any]:
        return {"session_id": e.originator_id, "item_number": e.item_number,
                "dossier_id": e.dossier_id, "dossier_reference": e.dossier_reference,
                "commune": e.commune, "commune_name": self.communes.name(e.commune),
                "title": e.title, "proposed_amount": e.proposed_amount, "withdrawn": False,
                "outcome": None, "amount_awarded": None, "deliberation_reference": None,
                "votes_for": None, "votes_against": None, "abstentions": None,
                "present": None, "voting": None}


class BudgetProjection(Projection):
    """Each year's budget and, per dossier, what is committed and paid on it."""

    name = "budgets"
    version = 2  # 2: an amendment updates the deliberation reference
    tables = (t.budgets, t.budget_lines)
    handles = frozenset({"YearlyBudget.Voted", "YearlyBudget.Amended", "YearlyBudget.Committed",
                         "YearlyBudget.CommitmentReduced", "YearlyBudget.PaymentRecorded",
                         "YearlyBudget.CommitmentRectified"})

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch of budget events."""
        budgets, lines = Rows(conn, t.budgets), Rows(conn, t.budget_lines)
        budgets.preload(e.originator_id for e in events)
        lines.preload((e.originator_id, e.dossier_id) for e in events
                      if hasattr(e, "dossier_id"))
        for e in events:
            kind = qualname(e).partition(".")[2]
            if kind == "Voted":
                budgets.add({"budget_id": e.originator_id, "year": e.year, "voted": e.amount,
                             "deliberation_reference": e.deliberation_reference})
            elif kind == "Amended":
                budget = budgets.get(e.originator_id)
                assert budget is not None
                budget.update(voted=e.amount, deliberation_reference=e.deliberation_reference)
                budgets.changed(e.originator_id)
            else:
                self._line(lines, kind, e)
        budgets.flush()
        lines.flush()

    def _line(self, lines: Rows, kind: str, e: Any) -> None:
        key = (e.originator_id, e.dossier_id)
        line = lines.get(key)
        if kind == "Committed":
            paid = line["paid"] if line else ZERO
            lines.add({"budget_id": e.originator_id, "dossier_id": e.dossier_id,
                       "commune": e.commune, "committed": e.amount, "paid": paid})
            return
        assert line is not None
        if kind in ("CommitmentReduced", "CommitmentRectified"):
            line["committed"] = e.new_amount
        else:
            line["paid"] += e.amount
        lines.changed(key)


class AccountProjection(Projection):
    """Accounts, for administrators and officer pickers."""

    name = "accounts"
    version = 1
    tables = (t.accounts,)
    handles = frozenset({"Account.Opened", "Account.RoleChanged", "Account.Renamed",
                         "Account.Deactivated", "Account.Reactivated"})

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch of account events."""
        accounts = Rows(conn, t.accounts)
        accounts.preload(e.originator_id for e in events)
        for e in events:
            kind = qualname(e).partition(".")[2]
            if kind == "Opened":
                accounts.add({"account_id": e.originator_id, "email": e.email, "name": e.name,
                              "role": e.role, "commune": e.commune, "active": True,
                              "created_at": e.timestamp})
                continue
            row = accounts.get(e.originator_id)
            assert row is not None
            accounts.changed(e.originator_id)
            if kind == "RoleChanged":
                row.update(role=e.role, commune=e.commune)
            elif kind == "Renamed":
                row["name"] = e.name
            else:
                row["active"] = kind == "Reactivated"
        accounts.flush()
