"""The dossiers projection: list rows, timeline, documents index and payments ledger."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from faps.domain.communes import CommuneDirectory
from faps.domain.deadlines import GrantDeadlineKind, GrantProgress, grant_deadlines
from faps.domain.dossier_content import DossierState as S
from faps.domain.money import ZERO
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.base import Projection, qualname
from faps.infrastructure.readmodels.batch import Row, Rows
from faps.infrastructure.readmodels.search import searchable
from faps.infrastructure.readmodels.timeline import SUMMARIES, timeline_row

DOSSIER_EVENTS = frozenset({f"Dossier.{k}" for k in SUMMARIES} | {"Dossier.Closed",
                                                                  "Dossier.DeclaredComplete"})
STATE_OF = {"Submitted": S.SUBMITTED, "InformationRequested": S.INFORMATION_REQUESTED,
            "InformationProvided": S.SUBMITTED, "DeclaredComplete": S.COMPLETE,
            "EligibilityAssessed": S.ASSESSED, "Proposed": S.PROPOSED,
            "PlacedOnAgenda": S.ON_AGENDA, "RemovedFromAgenda": S.PROPOSED,
            "Lapsed": S.LAPSED, "Withdrawn": S.WITHDRAWN,
            "ClosedIneligible": S.CLOSED_INELIGIBLE, "Closed": S.CLOSED,
            "DraftDeleted": S.DELETED}
STATE_VALUES = {kind: state.value for kind, state in STATE_OF.items()}
VOTED_STATE = {"adoptee": S.AWARDED, "rejetee": S.REJECTED, "ajournee": S.POSTPONED}
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


class DossierProjection(Projection):
    """One row per dossier, one per timeline event, document and payment."""

    name = "dossiers"
    version = 7  # 2: list indexes for every sort; 3: one deadline rule; 4: no payments_count;
    # 5: the timeline's and the ledger's keys are unique indexes, built after a rebuild;
    # 6: timeline summaries in plain French (labels, not codes); a vote's line names the deciding
    # body; deleted drafts; rectified votes; 7: French full-text search, description included
    tables = (t.dossiers, t.reglements, t.timeline, t.documents, t.payment_requests, t.payments)
    handles = DOSSIER_EVENTS | {"ReglementBook.Adopted"}
    shared = frozenset({"ReglementBook.Adopted"})  # a version's delays, read for every dossier

    def __init__(self, communes: CommuneDirectory) -> None:
        self.communes = communes

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch: rows are read once, changed in memory and written in bulk."""
        self.rows = Rows(conn, t.dossiers)
        self.docs = Rows(conn, t.documents)
        self.requests = Rows(conn, t.payment_requests)
        self.reglements = Rows(conn, t.reglements)
        self.timeline = Rows(conn, t.timeline)
        self.payments = Rows(conn, t.payments)
        self.reglements.load_all()
        self.delays = {r["version"]: r for r in self.reglements.all_rows()}
        self.rows.preload(e.originator_id for e in events)
        self.requests.preload(e.request_id for e in events if qualname(e) in (
            "Dossier.PaymentMade", "Dossier.PaymentRequestRefused"))
        for event in events:
            kind = qualname(event)
            if kind == "ReglementBook.Adopted":
                self._adopted(event)
            else:
                self._dossier_event(kind.partition(".")[2], event)
        for row in self.rows.changed_rows():  # règlement versions never change: once will do
            row["next_deadline"], row["next_deadline_label"] = next_deadline(row, self.delays)
        for rows in (self.reglements, self.rows, self.timeline, self.docs, self.requests,
                     self.payments):
            rows.flush()

    def _adopted(self, event: Any) -> None:
        r = event.reglement
        row = {"version": r.version, "works_start_delay_months": r.works_start_delay_months,
               "balance_delay_months": r.balance_delay_months}
        self.delays[r.version] = self.reglements.add(row)

    def _dossier_event(self, kind: str, event: Any) -> None:
        if kind == "Drafted":
            row = self._drafted(event)
        else:
            found = self.rows.touch(event.originator_id)
            assert found is not None, f"dossier {event.originator_id} has no Drafted event"
            row = found
            state = STATE_VALUES.get(kind)
            if state is not None:
                row["state"] = state
            handler = HANDLERS.get(kind)
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
            "year": e.timestamp.year, "search": "", "reglement_version": None,
            "description": e.content.description,
            "information_due_on": None, "notified_on": None,
            "live_requests": 0, "balance_requests": 0,
        })
        return self._searchable(row)

    def _searchable(self, row: Row) -> Row:
        row["search"] = searchable(row["reference"], row["title"], row["commune_name"],
                                   row["description"])
        return row

    def _Edited(self, row: Row, e: Any) -> None:
        for change in e.changes:
            if change.field == "title":
                row["title"] = change.after
            elif change.field == "description":
                row["description"] = change.after or ""
            elif change.field == "requested_amount":
                row["requested"] = Decimal(str(change.after))
        self._searchable(row)

    def _DocumentAttached(self, row: Row, e: Any) -> None:
        d = e.document
        self.docs.add({"document_id": d.document_id, "dossier_id": e.originator_id,
                       "kind": d.kind, "name": d.name, "size": d.size,
                       "media_type": d.media_type, "sha256": d.sha256,
                       "attached_at": e.timestamp, "attached_by": e.actor.display,
                       "removed": False})

    def _DocumentRemoved(self, row: Row, e: Any) -> None:
        doc = self.docs.get(e.document_id)
        if doc is not None:
            doc["removed"] = True
            self.docs.changed(e.document_id)

    def _Submitted(self, row: Row, e: Any) -> None:
        row.update(reference=e.reference, submitted_on=e.acknowledged_on,
                   year=e.acknowledged_on.year, reglement_version=e.reglement_version)
        self._searchable(row)

    def _InformationRequested(self, row: Row, e: Any) -> None:
        row["information_due_on"] = e.due_on

    def _InformationProvided(self, row: Row, e: Any) -> None:
        row["information_due_on"] = None

    def _EligibilityAssessed(self, row: Row, e: Any) -> None:
        row.update(max_grant=e.assessment.max_grant, proposed=None)

    def _Proposed(self, row: Row, e: Any) -> None:
        row["proposed"] = e.amount

    def _PlacedOnAgenda(self, row: Row, e: Any) -> None:
        row["session_id"] = e.session_id

    def _RemovedFromAgenda(self, row: Row, e: Any) -> None:
        row["session_id"] = None

    def _Voted(self, row: Row, e: Any) -> None:
        row.update(state=VOTED_STATE[e.outcome].value, awarded=e.amount_awarded,
                   decided_on=e.decided_on)
        if e.outcome == "ajournee":
            row["session_id"] = None

    def _Notified(self, row: Row, e: Any) -> None:
        row["notified_on"] = e.notified_on

    def _PaymentRequested(self, row: Row, e: Any) -> None:
        self.requests.add({"request_id": e.request_id, "dossier_id": e.originator_id,
                           "kind": e.kind})
        row["live_requests"] += 1
        row["balance_requests"] += e.kind == "solde"

    def _PaymentRequestRefused(self, row: Row, e: Any) -> None:
        request = self.requests.get(e.request_id)
        row["live_requests"] -= 1
        row["balance_requests"] -= request is not None and request["kind"] == "solde"

    def _PaymentMade(self, row: Row, e: Any) -> None:
        row["paid"] += e.amount
        request = self.requests.get(e.request_id)
        self._ledger(row, e, request["kind"] if request else "versement", e.amount, e.paid_on,
                     e.mandate_reference)

    def _ClawbackRecovered(self, row: Row, e: Any) -> None:
        self._ledger(row, e, "reversement", -e.amount, e.timestamp.date(), e.title_reference)

    def _ledger(self, row: Row, e: Any, kind: str, amount: Any, paid_on: date,
                mandate: str) -> None:
        self.payments.append({
            "dossier_id": e.originator_id, "version": e.originator_version,
            "reference": row["reference"], "commune": row["commune"],
            "commune_name": row["commune_name"], "kind": kind, "amount": amount,
            "paid_on": paid_on, "mandate_reference": mandate, "recorded_at": e.timestamp})

    def _GrantReduced(self, row: Row, e: Any) -> None:
        row["awarded"] = e.new_amount

    def _VoteRectified(self, row: Row, e: Any) -> None:
        row["awarded"] = e.amount_awarded

    def _Lapsed(self, row: Row, e: Any) -> None:
        row["awarded"] -= e.released_amount

    def _OfficerAssigned(self, row: Row, e: Any) -> None:
        row.update(officer_id=e.officer_id, officer_name=e.officer_name)


HANDLERS: dict[str, Callable[[DossierProjection, Row, Any], None]] = {
    name[1:]: handler for name, handler in vars(DossierProjection).items()
    if name[:1] == "_" and name[1:2].isupper()}  # "_Submitted" handles "Dossier.Submitted"
