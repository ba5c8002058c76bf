"""The officers' work queue (*À traiter*): what waits for the fund on each open dossier.

One row per filed dossier: a commune's reply or message not yet followed, payment requests
waiting, opinions asked and not given, and its state (to check, to assess). Its own table and
projection, so that the dossiers projection and its bulk rebuild are untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from faps.domain.actors import Role
from faps.domain.communes import CommuneDirectory
from faps.domain.dossier_content import DossierState as S
from faps.infrastructure.readmodels import tables as t
from faps.infrastructure.readmodels.base import Projection, qualname
from faps.infrastructure.readmodels.batch import Row, Rows
from faps.infrastructure.readmodels.dossiers import STATE_VALUES, VOTED_STATE

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
)
TO_CHECK = (S.SUBMITTED.value, S.COMPLETE.value)
DOSSIER_KINDS = ("Drafted", "Edited", "Submitted", "OfficerAssigned", "InformationRequested",
                 "InformationProvided", "ReplyAccepted", "DeclaredComplete", "MessagePosted",
                 "PaymentRequested", "PaymentMade", "PaymentRequestRefused", "OpinionRequested",
                 "OpinionGiven", "Voted", *STATE_VALUES)


class WorkQueueProjection(Projection):
    """What waits for the officers, dossier by dossier."""

    name = "work_queue"
    version = 1
    tables = (work_queue,)
    handles = frozenset(f"Dossier.{k}" for k in DOSSIER_KINDS)

    def __init__(self, communes: CommuneDirectory) -> None:
        self.communes = communes

    def apply(self, conn: sa.Connection, events: Sequence[Any]) -> None:
        """Apply a batch of dossier events."""
        rows = Rows(conn, work_queue)
        rows.preload(e.originator_id for e in events)
        for e in events:
            kind = qualname(e).partition(".")[2]
            if kind == "Drafted":
                rows.add({"dossier_id": e.originator_id, "reference": None,
                          "commune": e.commune, "commune_name": self.communes.name(e.commune),
                          "title": e.content.title, "state": S.DRAFT.value, "officer_id": None,
                          "reply_at": None, "message_at": None, "payments": [],
                          "opinions": [], "opinion_due": None, "updated_at": e.timestamp})
                continue
            row = rows.touch(e.originator_id)
            if row is None:
                continue
            row["state"] = STATE_VALUES.get(kind, row["state"])
            self._apply(kind, row, e)
            row["updated_at"] = e.timestamp
        rows.flush()

    @staticmethod
    def _apply(kind: str, row: Row, e: Any) -> None:
        if kind == "Edited":
            row["title"] = next((c.after for c in e.changes if c.field == "title"), row["title"])
        elif kind == "Submitted":
            row["reference"] = e.reference
        elif kind == "OfficerAssigned":
            row["officer_id"] = e.officer_id
        elif kind == "InformationProvided":
            row["reply_at"] = e.timestamp
        elif kind in ("ReplyAccepted", "InformationRequested", "DeclaredComplete"):
            row["reply_at"] = None
        elif kind == "MessagePosted":
            commune = e.actor.role is Role.COMMUNE_AGENT
            row["message_at"] = (row["message_at"] or e.timestamp) if commune else None
        elif kind == "PaymentRequested":
            row["payments"] = [*row["payments"], str(e.request_id)]
        elif kind in ("PaymentMade", "PaymentRequestRefused"):
            row["payments"] = [p for p in row["payments"] if p != str(e.request_id)]
        elif kind == "OpinionRequested":
            row["opinions"] = [*row["opinions"], [str(e.opinion_id), e.body,
                                                  e.due_on.isoformat()]]
        elif kind == "OpinionGiven":
            row["opinions"] = [o for o in row["opinions"] if o[0] != str(e.opinion_id)]
        elif kind == "Voted":
            row["state"] = VOTED_STATE[e.outcome].value
        if kind in ("OpinionRequested", "OpinionGiven"):
            dues = [date.fromisoformat(o[2]) for o in row["opinions"]]
            row["opinion_due"] = min(dues) if dues else None
        if row["state"] in _CLOSED:
            row.update(reply_at=None, message_at=None, opinions=[], opinion_due=None)


_CLOSED = frozenset(s.value for s in S if s.is_final)


# -- the query ------------------------------------------------------------------------------
QUEUE_LABELS = {
    "reponses": "Réponses des communes",
    "messages": "Messages des communes",
    "versements": "Demandes de versement",
    "avis": "Avis extérieurs attendus",
    "a_instruire": "Dossiers à vérifier ou à instruire",
}


def _item(r: Any, what: str, since: datetime | date | None, detail: str = "") -> dict[str, Any]:
    return {"dossier_id": r.dossier_id, "reference": r.reference, "title": r.title,
            "commune_name": r.commune_name, "officer_id": r.officer_id, "what": what,
            "since": since, "detail": detail, "state": r.state}


Items = dict[str, list[dict[str, Any]]]


def _sections() -> dict[str, Any]:
    """Return each section's condition on a queue row (payments and opinions: one item each)."""
    q = work_queue.c
    return {"reponses": q.reply_at.is_not(None),
            "a_instruire": sa.and_(q.reply_at.is_(None), q.state.in_(TO_CHECK)),
            "messages": q.message_at.is_not(None),
            "versements": sa.func.json_array_length(q.payments) > 0,
            "avis": sa.func.json_array_length(q.opinions) > 0}


def _open(officer_id: UUID | None) -> list[Any]:
    q = work_queue.c
    where: list[Any] = [q.state.not_in([*_CLOSED, S.DRAFT.value])]
    if officer_id is not None:
        where.append(sa.or_(q.officer_id == officer_id, q.officer_id.is_(None)))
    return where


def work_items(engine: sa.Engine, officer_id: UUID | None = None,
               limit: int | None = None) -> Items:
    """Return the queue's items by kind, oldest first (`officer_id`: theirs or unassigned);
    `limit`: at most so many dossiers a kind (the oldest)."""
    q = work_queue.c
    found: dict[str, list[dict[str, Any]]] = {k: [] for k in QUEUE_LABELS}
    with engine.connect() as conn:
        for key, condition in _sections().items():
            query = sa.select(work_queue).where(*_open(officer_id), condition)
            rows = conn.execute(query.order_by(q.updated_at, q.dossier_id).limit(limit)).all()
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


def work_totals(engine: sa.Engine, officer_id: UUID | None = None) -> dict[str, int]:
    """Return how many items wait in each kind, counted by the database."""
    q = work_queue.c
    sections = _sections()
    sizes = {"versements": sa.func.json_array_length(q.payments),
             "avis": sa.func.json_array_length(q.opinions)}
    columns = [sa.func.coalesce(sa.func.sum(sa.case((sections[k], sizes.get(k, 1)), else_=0)), 0)
               for k in QUEUE_LABELS]
    with engine.connect() as conn:
        row = conn.execute(sa.select(*columns).where(*_open(officer_id))).one()
    return {k: int(v) for k, v in zip(QUEUE_LABELS, row, strict=True)}


def work_count(engine: sa.Engine) -> int:
    """Return how many things wait for the officers (for the menu)."""
    return sum(work_totals(engine).values())
