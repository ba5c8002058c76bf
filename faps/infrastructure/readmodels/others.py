"""The council, budgets and accounts projections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from faps.domain.accounts import Account
from faps.domain.budget import YearlyBudget
from faps.domain.communes import CommuneDirectory
from faps.domain.council import CouncilSession, awarded_on
from faps.domain.dossier import Dossier
from faps.domain.exports import ExportRecord
from faps.domain.money import ZERO
from faps.domain.numbering import DossierNumbering
from faps.domain.reglement_book import ReglementBook
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.base import Projection, on
from faps.infrastructure.readmodels.batch import Row, Rows

Session = CouncilSession
VOTE_FIELDS = ("deliberation_reference", "votes_for", "votes_against", "abstentions", "present",
               "voting")


class CouncilProjection(Projection):
    """Council sessions and their agendas."""

    name = "council"
    cache_rows = True
    version = 2  # 2: nothing awarded on a rejected or postponed item
    tables = (t.sessions, t.agenda)
    ignores = (Dossier, YearlyBudget, Account, ReglementBook, DossierNumbering, ExportRecord)

    def __init__(self, communes: CommuneDirectory) -> None:
        self.communes = communes

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch of session events."""
        self.sessions, self.items = Rows(conn, t.sessions), Rows(conn, t.agenda)
        self.sessions.preload(e.originator_id for e in events)
        self.items.preload((e.originator_id, e.item_number) for e in events
                           if hasattr(e, "item_number"))
        for e in events:
            if isinstance(e, Session.Scheduled):
                self._scheduled(e)
                continue
            session = self.sessions.get(e.originator_id)
            assert session is not None
            self.sessions.changed(e.originator_id)
            handler = self.handler(e)
            assert handler is not None
            handler(self, session, e)
        self.sessions.flush()
        self.items.flush()

    @on(Session.Scheduled)
    def _scheduled(self, e: Any) -> None:
        self.sessions.add({"session_id": e.originator_id, "body": e.body,
                           "session_date": e.session_date, "place": e.place,
                           "convocation_date": e.convocation_date,
                           "councillors_in_office": e.councillors_in_office,
                           "president": e.president, "secretary": e.secretary,
                           "closed": False, "items_count": 0})

    @on(Session.Closed)
    def _closed(self, session: Row, e: Any) -> None:
        session["closed"] = True

    @on(Session.ItemAdded)
    def _item_added(self, session: Row, e: Any) -> None:
        session["items_count"] += 1
        self.items.add(self._item(e))

    def _touch_item(self, e: Any) -> Row:
        key = (e.originator_id, e.item_number)
        item = self.items.get(key)
        assert item is not None
        self.items.changed(key)
        return item

    @on(Session.ItemWithdrawn, Session.ItemMoved)
    def _item_removed(self, session: Row, e: Any) -> None:
        session["items_count"] -= 1
        self._touch_item(e)["withdrawn"] = True

    @on(Session.OutcomeRecorded)
    def _outcome(self, session: Row, e: Any) -> None:
        item = self._touch_item(e)
        item.update({f: getattr(e, f) for f in ("outcome", *VOTE_FIELDS)})
        item["amount_awarded"] = awarded_on(e.outcome, e.amount_awarded)

    @on(Session.OutcomeRectified)
    def _outcome_rectified(self, session: Row, e: Any) -> None:
        item = self._touch_item(e)
        item.update({f: getattr(e, f) for f in VOTE_FIELDS})
        item["amount_awarded"] = awarded_on(item["outcome"], e.amount_awarded)

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
    cache_rows = True
    version = 2  # 2: an amendment updates the deliberation reference
    tables = (t.budgets, t.budget_lines)
    ignores = (Dossier, CouncilSession, Account, ReglementBook, DossierNumbering, ExportRecord)

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch of budget events."""
        self.budgets, self.lines = Rows(conn, t.budgets), Rows(conn, t.budget_lines)
        self.budgets.preload(e.originator_id for e in events)
        self.lines.preload((e.originator_id, e.dossier_id) for e in events
                           if hasattr(e, "dossier_id"))
        for e in events:
            handler = self.handler(e)
            assert handler is not None
            handler(self, e)
        self.budgets.flush()
        self.lines.flush()

    @on(YearlyBudget.Voted)
    def _adopted(self, e: Any) -> None:
        self.budgets.add({"budget_id": e.originator_id, "year": e.year, "voted": e.amount,
                          "deliberation_reference": e.deliberation_reference})

    @on(YearlyBudget.Amended)
    def _amended(self, e: Any) -> None:
        budget = self.budgets.get(e.originator_id)
        assert budget is not None
        budget.update(voted=e.amount, deliberation_reference=e.deliberation_reference)
        self.budgets.changed(e.originator_id)

    @on(YearlyBudget.Committed)
    def _committed(self, e: Any) -> None:
        line = self.lines.get((e.originator_id, e.dossier_id))
        paid = line["paid"] if line else ZERO
        self.lines.add({"budget_id": e.originator_id, "dossier_id": e.dossier_id,
                        "commune": e.commune, "committed": e.amount, "paid": paid})

    def _line(self, e: Any) -> Row:
        key = (e.originator_id, e.dossier_id)
        line = self.lines.get(key)
        assert line is not None
        self.lines.changed(key)
        return line

    @on(YearlyBudget.CommitmentReduced, YearlyBudget.CommitmentRectified)
    def _commitment_changed(self, e: Any) -> None:
        self._line(e)["committed"] = e.new_amount

    @on(YearlyBudget.PaymentRecorded)
    def _paid(self, e: Any) -> None:
        self._line(e)["paid"] += e.amount


class AccountProjection(Projection):
    """Accounts, for administrators and officer pickers."""

    name = "accounts"
    cache_rows = True
    version = 1
    tables = (t.accounts,)
    ignores = (Account.ApiTokenIssued, Account.ApiTokenRevoked, Dossier, CouncilSession,
               YearlyBudget, ReglementBook, DossierNumbering, ExportRecord)

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch of account events."""
        self.accounts = Rows(conn, t.accounts)
        self.accounts.preload(e.originator_id for e in events)
        for e in events:
            handler = self.handler(e)
            assert handler is not None
            handler(self, e)
        self.accounts.flush()

    @on(Account.Opened)
    def _opened(self, e: Any) -> None:
        self.accounts.add({"account_id": e.originator_id, "email": e.email, "name": e.name,
                           "role": e.role, "commune": e.commune, "active": True,
                           "created_at": e.timestamp})

    def _row(self, e: Any) -> Row:
        row = self.accounts.get(e.originator_id)
        assert row is not None
        self.accounts.changed(e.originator_id)
        return row

    @on(Account.RoleChanged)
    def _role_changed(self, e: Any) -> None:
        self._row(e).update(role=e.role, commune=e.commune)

    @on(Account.Renamed)
    def _renamed(self, e: Any) -> None:
        self._row(e)["name"] = e.name

    @on(Account.Deactivated)
    def _deactivated(self, e: Any) -> None:
        self._row(e)["active"] = False

    @on(Account.Reactivated)
    def _reactivated(self, e: Any) -> None:
        self._row(e)["active"] = True
