"""The officers' work queue (*À traiter*): what waits for the fund on each open dossier.

One row per filed dossier: a commune's reply or message not yet followed, payment requests
waiting, opinions asked and not given, and its state (to check, to assess). Its own table and
projection, so that the dossiers projection and its bulk rebuild are untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from faps.domain.accounts import Account
from faps.domain.actors import Role
from faps.domain.budget import YearlyBudget
from faps.domain.communes import CommuneDirectory
from faps.domain.council import CouncilSession
from faps.domain.dossier import Dossier as D
from faps.domain.dossier_content import DossierState as S
from faps.domain.events import events_of
from faps.domain.exports import ExportRecord
from faps.domain.numbering import DossierNumbering
from faps.domain.reglement_book import ReglementBook
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.base import Projection, on, path_of
from faps.infrastructure.readmodels.batch import Row, Rows, count_changes

QUEUE_LABELS = {
    "reponses": "Réponses des communes",
    "messages": "Messages des communes",
    "versements": "Demandes de versement",
    "avis": "Avis extérieurs attendus",
    "a_instruire": "Dossiers à vérifier ou à instruire",
}
KINDS = tuple(QUEUE_LABELS)  # the queue's sections

work_queue = sa.Table(
    "rm_work_queue", t.metadata,
    sa.Column("dossier_id", sa.Uuid, primary_key=True),
    sa.Column("reference", sa.String(40)),
    sa.Column("commune", sa.String(10), nullable=False),
    sa.Column("commune_name", sa.String(120), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("state", sa.String(30), nullable=False),
    sa.Column("officer_id", sa.Uuid),
    sa.Column("reply_at", t.UtcDateTime),
    sa.Column("message_at", t.UtcDateTime),
    sa.Column("payments", t.JsonList, nullable=False),  # ids of the requests waiting
    sa.Column("opinions", t.JsonList, nullable=False),  # [[id, body, due ISO], …] not given
    sa.Column("opinion_due", sa.Date),
    sa.Column("updated_at", t.UtcDateTime, nullable=False),
    # Each kind's place in the queue: the date the kind shows (`_waits`) while the dossier is
    # open and the kind waits on it, else NULL; one index each, so that a kind's oldest items
    # and its count are a short range of its index, not a scan of every dossier ever filed.
    *(sa.Column(f"wait_{kind}", t.UtcDateTime) for kind in KINDS),
    *(sa.Index(f"ix_rm_work_queue_{kind}", f"wait_{kind}", "dossier_id", "officer_id")
      for kind in KINDS),
)
TO_CHECK = (S.SUBMITTED.value, S.COMPLETE.value)
# How many items wait in each kind, over every officer (the menu's « À traiter (n) » on every
# officer page, and the queue's badges): kept by the projection with the rows it counts.
work_queue_totals = sa.Table(
    "rm_work_queue_totals", t.metadata,
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)


# The kinds whose items are a list of the row (each payment request, each opinion asked is an
# item); every other kind is one item a dossier.
ITEM_LISTS = {"versements": "payments", "avis": "opinions"}


def _items_of(row: Row) -> list[tuple[str]]:
    """Return the kinds a row's items wait in, once an item."""
    found: list[tuple[str]] = []
    for kind in KINDS:
        if row[f"wait_{kind}"] is not None:
            found += [(kind,)] * (len(row[ITEM_LISTS[kind]]) if kind in ITEM_LISTS else 1)
    return found


class WorkQueueProjection(Projection):
    """What waits for the officers, dossier by dossier."""

    name = "work_queue"
    cache_rows = True
    version = 4  # 2: each kind's place indexed (`wait_…`); 3: each kind's items counted;
    # 4: a kind's place is the date it shows (oldest first read true)
    tables = (work_queue, work_queue_totals)
    # Every event that may change a dossier's state; the handlers below (`@on`) add theirs.
    handles = frozenset(path_of(c) for c in events_of(D) if c.moves_state())
    ignores = (D.DocumentAttached, D.DocumentRemoved, D.VoteRectified,
               D.NoteAdded, D.MunicipalDeliberationRecorded, D.Notified, D.AgreementSigned,
               D.ExpensesRetained, D.GrantReduced, D.ClawbackRecovered, CouncilSession,
               YearlyBudget, Account, ReglementBook, DossierNumbering, ExportRecord)

    def __init__(self, communes: CommuneDirectory) -> None:
        self.communes = communes

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch of dossier events."""
        rows = Rows(conn, work_queue, watch=_items_of)
        rows.preload(e.originator_id for e in events if not isinstance(e, D.Drafted))
        for e in events:
            if isinstance(e, D.Drafted):
                self._drafted(rows, e)
                continue
            row = rows.touch(e.originator_id)
            if row is None:
                continue
            state = e.state_after()
            if state is not None:
                row["state"] = state.value
            handler = self.handler(e)
            if handler is not None:
                handler(self, row, e)
            if row["state"] in _CLOSED:
                row.update(reply_at=None, message_at=None, opinions=[], opinion_due=None)
            row["updated_at"] = e.timestamp
            row.update(_waits(row))
        count_changes(conn, work_queue_totals, rows.watched_changes())
        rows.flush()

    @on(D.Drafted)
    def _drafted(self, rows: Rows, e: Any) -> None:  # called by `apply`: it makes the row
        rows.add({"dossier_id": e.originator_id, "reference": None,
                  "commune": e.commune, "commune_name": self.communes.name(e.commune),
                  "title": e.content.title, "state": S.DRAFT.value, "officer_id": None,
                  "reply_at": None, "message_at": None, "payments": [],
                  "opinions": [], "opinion_due": None, "updated_at": e.timestamp,
                  **{f"wait_{kind}": None for kind in KINDS}})

    @on(D.Edited)
    def _edited(self, row: Row, e: Any) -> None:
        row["title"] = next((c.after for c in e.changes if c.field == "title"), row["title"])

    @on(D.Submitted)
    def _submitted(self, row: Row, e: Any) -> None:
        row["reference"] = e.reference

    @on(D.OfficerAssigned)
    def _assigned(self, row: Row, e: Any) -> None:
        row["officer_id"] = e.officer_id

    @on(D.InformationProvided)
    def _replied(self, row: Row, e: Any) -> None:
        row["reply_at"] = e.timestamp

    @on(D.ReplyAccepted, D.InformationRequested, D.DeclaredComplete)
    def _reply_followed(self, row: Row, e: Any) -> None:
        row["reply_at"] = None

    @on(D.MessagePosted)
    def _message(self, row: Row, e: Any) -> None:
        commune = e.actor.role is Role.COMMUNE_AGENT
        row["message_at"] = (row["message_at"] or e.timestamp) if commune else None

    @on(D.PaymentRequested)
    def _payment_requested(self, row: Row, e: Any) -> None:
        row["payments"] = [*row["payments"], str(e.request_id)]

    @on(D.PaymentMade, D.PaymentRequestRefused)
    def _payment_answered(self, row: Row, e: Any) -> None:
        row["payments"] = [p for p in row["payments"] if p != str(e.request_id)]

    @on(D.OpinionRequested)
    def _opinion_requested(self, row: Row, e: Any) -> None:
        row["opinions"] = [*row["opinions"], [str(e.opinion_id), e.body, e.due_on.isoformat()]]
        self._opinion_due(row)

    @on(D.OpinionGiven)
    def _opinion_given(self, row: Row, e: Any) -> None:
        row["opinions"] = [o for o in row["opinions"] if o[0] != str(e.opinion_id)]
        self._opinion_due(row)

    @staticmethod
    def _opinion_due(row: Row) -> None:
        dues = [date.fromisoformat(o[2]) for o in row["opinions"]]
        row["opinion_due"] = min(dues) if dues else None


_CLOSED = frozenset(s.value for s in S if s.is_final)
_NOT_OPEN = _CLOSED | {S.DRAFT.value}


def _waits(row: Row) -> dict[str, Any]:
    """Return the row's place in each kind of the queue (None: not there): the date the kind
    shows (the reply's, the first unanswered message's, the earliest opinion due, else the
    dossier's last change)."""
    if row["state"] in _NOT_OPEN:
        return {f"wait_{kind}": None for kind in KINDS}
    due = row["opinion_due"]
    since = {  # what the queue shows as the item's date, so that "oldest first" reads true
        "reponses": row["reply_at"], "messages": row["message_at"],
        "a_instruire": row["updated_at"] if row["reply_at"] is None and row["state"] in TO_CHECK
        else None,
        "versements": row["updated_at"] if row["payments"] else None,
        "avis": datetime.combine(due, time(0), UTC) if row["opinions"] and due else None}
    return {f"wait_{kind}": since[kind] for kind in KINDS}


# -- the query ------------------------------------------------------------------------------


def _item(r: Any, what: str, since: datetime | date | None, detail: str = "") -> dict[str, Any]:
    return {"dossier_id": r.dossier_id, "reference": r.reference, "title": r.title,
            "commune_name": r.commune_name, "officer_id": r.officer_id, "what": what,
            "since": since, "detail": detail, "state": r.state}


Items = dict[str, list[dict[str, Any]]]


def _in(kind: str, officer_id: UUID | None) -> list[Any]:
    """Return the conditions of a kind's rows (`officer_id`: theirs or unassigned), a range
    of the kind's index."""
    q = work_queue.c
    where: list[Any] = [q[f"wait_{kind}"].is_not(None)]
    if officer_id is not None:
        where.append(sa.or_(q.officer_id == officer_id, q.officer_id.is_(None)))
    return where


def work_items(engine: sa.Engine, officer_id: UUID | None = None,
               limit: int | None = None, kinds: tuple[str, ...] = KINDS,
               offset: int = 0) -> Items:
    """Return the queue's items by kind, oldest first (`officer_id`: theirs or unassigned);
    `limit`: at most so many dossiers a kind (the oldest, past the first `offset`); `kinds`:
    only those (the others are empty)."""
    q = work_queue.c
    found: dict[str, list[dict[str, Any]]] = {k: [] for k in QUEUE_LABELS}
    with engine.connect() as conn:
        for key in kinds:
            wait = q[f"wait_{key}"]
            query = sa.select(work_queue).where(*_in(key, officer_id))
            rows = conn.execute(query.order_by(wait, q.dossier_id).limit(limit)
                                .offset(offset or None)).all()
            for r in rows:
                if key == "versements":
                    found[key] += [_item(r, key, r.updated_at) for _ in r.payments]
                elif key == "avis":
                    found[key] += [_item(r, key, date.fromisoformat(due), body)
                                   for _, body, due in r.opinions]
                else:
                    found[key].append(_item(r, key, getattr(r, {"a_instruire": "updated_at",
                                                                 "reponses": "reply_at"}
                                                            .get(key, "message_at"))))
    found["avis"].sort(key=lambda i: i["since"])
    return found


def work_dossiers(engine: sa.Engine, kind: str, officer_id: UUID | None = None) -> int:
    """Return how many dossiers wait in one kind (a range of its index)."""
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(work_queue)
                                .where(*_in(kind, officer_id))).scalar_one())


def work_totals(engine: sa.Engine, officer_id: UUID | None = None) -> dict[str, int]:
    """Return how many items wait in each kind: kept by the projection for every officer,
    counted by the database for one officer's (theirs and the unassigned)."""
    with engine.connect() as conn:
        if officer_id is None:
            kept = {kind: n for kind, n in conn.execute(
                sa.select(work_queue_totals.c.kind, work_queue_totals.c.n))}
            return {k: int(kept.get(k, 0)) for k in QUEUE_LABELS}
        sizes = {k: sa.func.json_array_length(work_queue.c[column])
                 for k, column in ITEM_LISTS.items()}
        row = conn.execute(sa.select(*(
            sa.select(sa.func.coalesce(sa.func.sum(sizes[k]), 0) if k in sizes
                      else sa.func.count()).where(*_in(k, officer_id)).scalar_subquery()
            for k in QUEUE_LABELS))).one()
    return {k: int(v) for k, v in zip(QUEUE_LABELS, row, strict=True)}


def work_count(engine: sa.Engine) -> int:
    """Return how many things wait for the officers (for the menu)."""
    return sum(work_totals(engine).values())
