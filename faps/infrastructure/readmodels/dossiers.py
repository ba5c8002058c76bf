"""The dossiers projection: list rows, timeline, documents index and payments ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from faps.domain.accounts import Account
from faps.domain.budget import YearlyBudget
from faps.domain.communes import CommuneDirectory
from faps.domain.council import CouncilSession
from faps.domain.deadlines import GrantDeadlineKind, GrantProgress, grant_deadlines
from faps.domain.dossier import Dossier as D
from faps.domain.dossier_content import DossierState as S
from faps.domain.dossier_content import Outcome
from faps.domain.events import events_of
from faps.domain.exports import ExportRecord
from faps.domain.money import ZERO
from faps.domain.numbering import DossierNumbering
from faps.domain.reglement_book import ReglementBook
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.base import Projection, on, path_of
from faps.infrastructure.readmodels.batch import Row, Rows, count_changes
from faps.infrastructure.readmodels.search import fold, searchable
from faps.infrastructure.readmodels.timeline import timeline_row

_WAITING_ANSWER, _AWARDED = S.INFORMATION_REQUESTED.value, S.AWARDED.value
ANSWER = "Réponse attendue"
LABELS: dict[GrantDeadlineKind, str] = {"works_start": "Démarrage des travaux",
                                        "balance": "Demande de solde"}


def next_deadline(row: Row, delays: dict[str, Row]) -> tuple[date | None, str | None]:
    """Return what the dossier waits for next, and by when (the rule of faps.domain.deadlines)."""
    state = row["state"]
    if state == _WAITING_ANSWER and row["information_due_on"]:
        return row["information_due_on"], ANSWER
    if state != _AWARDED:
        return None, None
    rules = delays.get(row["reglement_version"] or "")
    if row["decided_on"] and rules:
        progress = GrantProgress(decided_on=row["decided_on"], notified_on=row["notified_on"],
                                 live_requests=row["live_requests"],
                                 balance_requested=row["balance_requests"] > 0)
        due = grant_deadlines(progress, rules["works_start_delay_months"],
                              rules["balance_delay_months"])
        if due:
            kind, on = due[0]
            return on, LABELS[kind]
    return None, None


def _counted_as(row: Row) -> tuple[tuple[str, str, int]]:
    """Return the key a dossier is counted under in `rm_dossier_counts`."""
    return ((row["commune"], row["state"], row["year"]),)


class DossierProjection(Projection):
    """One row per dossier, one per timeline event, document and payment."""

    name = "dossiers"
    cache_rows = True
    version = 9  # 2: list indexes for every sort; 3: one deadline rule; 4: no payments_count;
    # 5: the timeline's and the ledger's keys are unique indexes, built after a rebuild;
    # 6: timeline summaries in plain French (labels, not codes); a vote's line names the deciding
    # body; deleted drafts; rectified votes; 7: French full-text search, description included;
    # 8: the naming words and the description searched apart (weighted), no GIN pending list,
    # the description kept folded only; 9: the dossiers counted by commune, state and year
    tables = (t.dossiers, t.reglements, t.timeline, t.documents, t.payment_requests, t.payments,
              t.dossier_counts)
    # Every event of a dossier (each is a line of its timeline, and may change its state);
    # the handlers below (`@on`) change the rest of its rows.
    handles = frozenset(path_of(c) for c in events_of(D)) | {path_of(ReglementBook.Adopted)}
    ignores = (CouncilSession, YearlyBudget, Account, DossierNumbering, ExportRecord,
               ReglementBook.Opened)
    shared = frozenset({path_of(ReglementBook.Adopted)})  # a version's delays, for every dossier

    def __init__(self, communes: CommuneDirectory) -> None:
        self.communes = communes

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch: rows are read once, changed in memory and written in bulk."""
        self.rows = Rows(conn, t.dossiers, watch=_counted_as)
        self.docs = Rows(conn, t.documents)
        self.requests = Rows(conn, t.payment_requests)
        self.reglements = Rows(conn, t.reglements)
        self.timeline = Rows(conn, t.timeline)
        self.payments = Rows(conn, t.payments)
        self.delays: dict[str, Row] = {}  # the versions adopted in this batch, until read
        self.delays_read = False  # every version's, read when a deadline needs them
        self.rows.preload(e.originator_id for e in events  # (a draft's row is new)
                          if not isinstance(e, D.Drafted))
        self.requests.preload(e.request_id for e in events
                              if isinstance(e, D.PaymentMade | D.PaymentRequestRefused))
        for event in events:
            if isinstance(event, ReglementBook.Adopted):
                self._adopted(event)
            else:
                self._dossier_event(event)
        for row in self.rows.changed_rows():  # règlement versions never change: once will do
            delays = self._delays() if row["state"] == _AWARDED else {}
            row["next_deadline"], row["next_deadline_label"] = next_deadline(row, delays)
        count_changes(conn, t.dossier_counts, self.rows.watched_changes())
        for rows in (self.reglements, self.rows, self.timeline, self.docs, self.requests,
                     self.payments):
            rows.flush()

    def _delays(self) -> dict[str, Row]:
        """Return every règlement version's delays (only an awarded dossier's deadline needs
        them: most batches of a request never read them)."""
        if not self.delays_read:
            self.reglements.load_all()  # keeps the rows this batch added
            self.delays.update((r["version"], r) for r in self.reglements.all_rows())
            self.delays_read = True
        return self.delays

    def _adopted(self, event: Any) -> None:
        r = event.reglement
        row = {"version": r.version, "works_start_delay_months": r.works_start_delay_months,
               "balance_delay_months": r.balance_delay_months}
        self.delays[r.version] = self.reglements.add(row)

    def _dossier_event(self, event: Any) -> None:
        if isinstance(event, D.Drafted):
            row = self._drafted(event)
        else:
            found = self.rows.touch(event.originator_id)
            assert found is not None, f"dossier {event.originator_id} has no Drafted event"
            row = found
            state = event.state_after()  # the aggregate's own rule (faps.domain.dossier)
            if state is not None:
                row["state"] = state.value
            handler = self.handler(event)
            if handler is not None:
                handler(self, row, event)
        row["version"] = event.originator_version
        row["updated_at"] = event.timestamp
        self.timeline.append(timeline_row(event))

    def _drafted(self, e: Any) -> Row:
        row = self.rows.add({
            "dossier_id": e.originator_id, "reference": None, "commune": e.commune,
            "commune_name": self.communes.name(e.commune), "title": e.content.title,
            "state": S.DRAFT.value, "requested": e.content.requested_amount, "proposed": None,
            "max_grant": None, "awarded": ZERO, "paid": ZERO, "created_at": e.timestamp,
            "submitted_on": None, "decided_on": None, "officer_id": None, "officer_name": None,
            "next_deadline": None, "next_deadline_label": None, "session_id": None,
            "version": e.originator_version, "updated_at": e.timestamp,
            "year": e.timestamp.year, "search": "",
            "search_description": fold(e.content.description), "reglement_version": None,
            "information_due_on": None, "notified_on": None,
            "live_requests": 0, "balance_requests": 0,
        })
        return self._searchable(row)

    def _searchable(self, row: Row) -> Row:
        row["search"] = searchable(row["reference"], row["title"], row["commune_name"])
        return row

    @on(D.Edited)
    def _edited(self, row: Row, e: Any) -> None:
        for change in e.changes:
            if change.field == "title":
                row["title"] = change.after
            elif change.field == "description":
                row["search_description"] = fold(change.after or "")
            elif change.field == "requested_amount":
                row["requested"] = Decimal(str(change.after))
        self._searchable(row)

    @on(D.DocumentAttached)
    def _document_attached(self, row: Row, e: Any) -> None:
        d = e.document
        self.docs.add({"document_id": d.document_id, "dossier_id": e.originator_id,
                       "kind": d.kind, "name": d.name, "size": d.size,
                       "media_type": d.media_type, "sha256": d.sha256,
                       "attached_at": e.timestamp, "attached_by": e.actor.display,
                       "removed": False})

    @on(D.DocumentRemoved)
    def _document_removed(self, row: Row, e: Any) -> None:
        doc = self.docs.get(e.document_id)
        if doc is not None:
            doc["removed"] = True
            self.docs.changed(e.document_id)

    @on(D.Submitted)
    def _submitted(self, row: Row, e: Any) -> None:
        row.update(reference=e.reference, submitted_on=e.acknowledged_on,
                   year=e.acknowledged_on.year, reglement_version=e.reglement_version)
        self._searchable(row)

    @on(D.InformationRequested)
    def _information_requested(self, row: Row, e: Any) -> None:
        row["information_due_on"] = e.due_on

    @on(D.InformationProvided)
    def _information_provided(self, row: Row, e: Any) -> None:
        row["information_due_on"] = None

    @on(D.EligibilityAssessed)
    def _eligibility_assessed(self, row: Row, e: Any) -> None:
        row.update(max_grant=e.assessment.max_grant, proposed=None)

    @on(D.Proposed)
    def _proposed(self, row: Row, e: Any) -> None:
        row["proposed"] = e.amount

    @on(D.PlacedOnAgenda)
    def _placed_on_agenda(self, row: Row, e: Any) -> None:
        row["session_id"] = e.session_id

    @on(D.RemovedFromAgenda)
    def _removed_from_agenda(self, row: Row, e: Any) -> None:
        row["session_id"] = None

    @on(D.Voted)
    def _voted(self, row: Row, e: Any) -> None:
        row.update(awarded=e.amount_awarded, decided_on=e.decided_on)
        if e.outcome == Outcome.POSTPONED:
            row["session_id"] = None

    @on(D.Notified)
    def _notified(self, row: Row, e: Any) -> None:
        row["notified_on"] = e.notified_on

    @on(D.PaymentRequested)
    def _payment_requested(self, row: Row, e: Any) -> None:
        self.requests.add({"request_id": e.request_id, "dossier_id": e.originator_id,
                           "kind": e.kind})
        row["live_requests"] += 1
        row["balance_requests"] += e.kind == "solde"

    @on(D.PaymentRequestRefused)
    def _payment_request_refused(self, row: Row, e: Any) -> None:
        request = self.requests.get(e.request_id)
        row["live_requests"] -= 1
        row["balance_requests"] -= request is not None and request["kind"] == "solde"

    @on(D.PaymentMade)
    def _payment_made(self, row: Row, e: Any) -> None:
        row["paid"] += e.amount
        request = self.requests.get(e.request_id)
        self._ledger(row, e, request["kind"] if request else "versement", e.amount, e.paid_on,
                     e.mandate_reference)

    @on(D.ClawbackRecovered)
    def _clawback_recovered(self, row: Row, e: Any) -> None:
        self._ledger(row, e, "reversement", -e.amount, e.timestamp.date(), e.title_reference)

    def _ledger(self, row: Row, e: Any, kind: str, amount: Any, paid_on: date,
                mandate: str) -> None:
        self.payments.append({
            "dossier_id": e.originator_id, "version": e.originator_version,
            "reference": row["reference"], "commune": row["commune"],
            "commune_name": row["commune_name"], "kind": kind, "amount": amount,
            "paid_on": paid_on, "mandate_reference": mandate, "recorded_at": e.timestamp})

    @on(D.GrantReduced)
    def _grant_reduced(self, row: Row, e: Any) -> None:
        row["awarded"] = e.new_amount

    @on(D.VoteRectified)
    def _vote_rectified(self, row: Row, e: Any) -> None:
        row["awarded"] = e.amount_awarded

    @on(D.Lapsed)
    def _lapsed(self, row: Row, e: Any) -> None:
        row["awarded"] -= e.released_amount

    @on(D.OfficerAssigned)
    def _officer_assigned(self, row: Row, e: Any) -> None:
        row.update(officer_id=e.officer_id, officer_name=e.officer_name)

