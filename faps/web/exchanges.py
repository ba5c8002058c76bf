"""The exchanges' pages: the dossier's message thread (both spaces), the officers' *À traiter*
queue, and the page where a consulted body gives its opinion without an account."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, abort, flash, render_template, request
from marshmallow import fields, validate

from faps.application.exchanges import MAX_FILES, MESSAGE_KIND, OPINION_KIND, Upload
from faps.domain.actors import Actor, Role
from faps.domain.dossier import Dossier
from faps.domain.dossier_exchange import CONTENT_FIELD_LABELS, VERDICT_LABELS, side_of
from faps.domain.errors import FapsError, InvalidInputError
from faps.infrastructure.readmodels.workqueue import QUEUE_LABELS
from faps.web.common import actor, parse, redirect_to, roles_required, services
from faps.web.params import page_number
from faps.web.schemas import FrenchSchema

bp = Blueprint("exchanges", __name__)
MAX_TEXT = 4000


class MessageForm(FrenchSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))


class OpinionAnswerForm(FrenchSchema):
    verdict = fields.String(required=True, validate=validate.OneOf(list(VERDICT_LABELS)))
    text = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))


def uploads(name: str = "files", kind: str = MESSAGE_KIND) -> list[Upload]:
    """Return the files posted under `name` (empty inputs ignored), at most MAX_FILES."""
    found = [f for f in request.files.getlist(name) if f and f.filename]
    if len(found) > MAX_FILES:
        raise InvalidInputError({name: [f"joignez au plus {MAX_FILES} fichiers"]})
    return [Upload(kind, f.filename or "document", f.read()) for f in found]


# -- the thread, as both spaces show it -------------------------------------------------------
def thread_of(dossier: Dossier) -> list[dict[str, Any]]:
    """Return the exchange with the commune, oldest first: requests, replies, messages."""
    entries: list[dict[str, Any]] = []
    for r in dossier.information_requests:
        named = [CONTENT_FIELD_LABELS.get(f, f) for f in (r.fields or ())]
        entries.append({"side": "fonds", "kind": "request", "at": r.requested_at,
                        "by": "Service instructeur", "text": r.message, "request": r,
                        "named": named, "documents": []})
        if r.answer is not None:
            entries.append({"side": "commune", "kind": "reply", "at": r.answered_at,
                            "by": "La commune", "text": r.answer, "request": r,
                            "named": [], "documents": []})
    for m in dossier.messages:
        entries.append({"side": m["side"], "kind": "message", "at": m["at"], "by": m["by"],
                        "text": m["text"], "named": [], "request": None,
                        "documents": [dossier.documents[d] for d in m["document_ids"]
                                      if d in dossier.documents]})
    return sorted(entries, key=lambda e: e["at"])


def thread_context(dossier: Dossier, viewer: Actor) -> dict[str, Any]:
    """Return the thread with its read markers, and mark it read by the viewer."""
    markers = services().web.read_markers
    mine = side_of(viewer)
    other = "fonds" if mine == "commune" else "commune"
    thread = thread_of(dossier)
    seen = markers.seen(viewer.account_id, dossier.id)
    for e in thread:
        e["unread"] = e["side"] != mine and (seen is None or e["at"] > seen)
    other_seen = markers.seen_by_side(dossier.id, other)
    if viewer.role in (Role.COMMUNE_AGENT, Role.FINANCE_OFFICER):
        markers.mark(viewer.account_id, dossier.id, mine, services().clock.now())
    return {"thread": thread, "thread_side": mine, "other_seen": other_seen,
            "unread_count": sum(e["unread"] for e in thread),
            "can_write": (viewer.role in (Role.COMMUNE_AGENT, Role.FINANCE_OFFICER)
                          and not dossier.state.is_final and dossier.reference is not None)}


def back_to_dossier(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Redirect to the dossier's page in the actor's space, at the thread."""
    endpoint = "commune.dossier" if actor().role is Role.COMMUNE_AGENT else "instruction.dossier"
    return redirect_to(endpoint, dossier_id=dossier_id, _anchor="messagerie")


@bp.post("/dossiers/<uuid:dossier_id>/messages")
@roles_required(Role.COMMUNE_AGENT, Role.FINANCE_OFFICER)
def post_message(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Write in the dossier's thread, with up to MAX_FILES files (the other side is mailed)."""
    try:
        data = parse(MessageForm(), request.form)
        services().exchanges.post(actor(), dossier_id, data["text"], uploads())
    except InvalidInputError as exc:
        labels = {"text": "Message", "files": "Pièces jointes", "file": "Pièces jointes"}
        flash(" ".join(f"{labels.get(k, k)} : {'; '.join(v)}." for k, v in exc.errors.items()),
              "danger")
        return back_to_dossier(dossier_id)
    flash("Message envoyé.", "success")
    return back_to_dossier(dossier_id)


# -- the officers' work queue -------------------------------------------------------------------
WORK_SHOWN = 20  # dossiers a kind on the overview, the oldest first; the rest on its own pages
WORK_PER_PAGE = 50  # dossiers a page of one kind


@bp.get("/instruction/a-traiter")
@roles_required(Role.FINANCE_OFFICER)
def work():  # type: ignore[no-untyped-def]
    """List what waits for the officers: replies, messages, payments, opinions, assessments;
    the oldest of each kind, or (`type`) one kind's pages."""
    mine = request.args.get("moi") == "1"
    officer = actor().account_id if mine else None
    queue = services().web.work_queue
    today = services().clock.now().date()
    args = {"moi": 1} if mine else {}
    kind = request.args.get("type", "")
    if kind in QUEUE_LABELS:
        page = queue.page(kind, officer, page_number(request.args.get("page")), WORK_PER_PAGE)
        return render_template("instruction/work_kind.html", kind=kind, label=QUEUE_LABELS[kind],
                               page=page, rows=page.items, mine=mine, today=today,
                               args={**args, "type": kind})
    return render_template("instruction/work.html", queue=queue.items(officer, limit=WORK_SHOWN),
                           labels=QUEUE_LABELS, totals=queue.totals(officer), shown=WORK_SHOWN,
                           mine=mine, today=today, args=args)


# -- the consulted body's page (no account) --------------------------------------------------
def _opinion_page(token: str, status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    try:
        dossier, opinion = services().exchanges.opinion_by_token(token)
    except FapsError as exc:
        if "invalide" in exc.message:
            abort(404)
        return render_template("exchanges/opinion_closed.html", message=exc.message), 410
    context = {"errors": {}, "form": {}, **extra}
    return render_template("exchanges/opinion.html", dossier=dossier, opinion=opinion,
                           token=token, verdicts=VERDICT_LABELS,
                           communes_name=services().communes.name(dossier.commune),
                           **context), status


@bp.get("/avis/<token>")
def opinion(token: str):  # type: ignore[no-untyped-def]
    """Show the dossier's summary and the opinion form to the consulted body."""
    return _opinion_page(token)


@bp.post("/avis/<token>")
def give_opinion(token: str):  # type: ignore[no-untyped-def]
    """Record the body's opinion (once, before the due date)."""
    try:
        data = parse(OpinionAnswerForm(), request.form)
        files = uploads("file", OPINION_KIND)
        if len(files) > 1:
            raise InvalidInputError({"file": ["joignez un seul fichier"]})
        given = services().exchanges.give_opinion(token, data["verdict"], data["text"],
                                                   files[0] if files else None)
    except InvalidInputError as exc:
        return _opinion_page(token, 400, errors=exc.errors, form=request.form)
    except FapsError as exc:
        return render_template("exchanges/opinion_closed.html", message=exc.message), 410
    return render_template("exchanges/opinion_closed.html", given=given,
                           message="Merci : votre avis est enregistré.")
