"""The council secretariat's space (Assemblées): sessions, agenda, votes, municipal acts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, current_app, flash, render_template, request
from marshmallow import fields, validate

from faps.application.queries import DossierFilter
from faps.domain.actors import Role
from faps.domain.council import BODY_LABELS
from faps.domain.dossier import OUTCOME_LABELS
from faps.domain.dossier_content import DossierState
from faps.domain.errors import InvalidInputError
from faps.domain.labels import plural
from faps.web.common import actor, form_view, parse, redirect_to, roles_required, services
from faps.web.formatting import PARIS
from faps.web.instruction_forms import DeliberationForm, MotiveForm, form_data, text
from faps.web.params import page_number
from faps.web.schemas import Euros, FrenchDate, FrenchSchema, count

bp = Blueprint("assemblees", __name__, url_prefix="/assemblees")
secretariat = roles_required(Role.SECRETARIAT)


class SessionForm(FrenchSchema):
    body = fields.String(required=True, validate=validate.OneOf(["conseil", "bureau"]))
    session_date = FrenchDate(required=True)
    place = text(200)
    convocation_date = FrenchDate(required=True)
    councillors_in_office = count(required=True)
    president = text(120, required=False)
    secretary = text(120, required=False)


class AgendaForm(FrenchSchema):
    dossier_ids = fields.List(fields.UUID())


class OutcomeForm(FrenchSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(list(OUTCOME_LABELS)))
    amount = Euros(required=True)
    deliberation_reference = text(80)
    votes_for = count()
    votes_against = count()
    abstentions = count()
    present = count(required=True)
    voting = count(required=True)


class MoveForm(FrenchSchema):
    to_session = fields.UUID(required=True)
    motive = text()


class RectifyForm(FrenchSchema):
    amount = Euros(required=True)
    deliberation_reference = text(80)
    votes_for = count()
    votes_against = count()
    abstentions = count()
    present = count(required=True)
    voting = count(required=True)
    motive = text()


class CloseForm(FrenchSchema):
    confirm = fields.String(required=True)

    def __init__(self) -> None:
        super().__init__()
        self.fields["confirm"].error_messages["required"] = (
            "cochez la case pour confirmer la clôture de la séance")


def sessions_context() -> dict[str, Any]:
    """Return the sessions list."""
    return {"sessions": services().queries.sessions(actor())}


def session_context(session_id: UUID, **_: Any) -> dict[str, Any]:
    """Return a session, its agenda, the proposals it may take, and its exports if any."""
    queries = services().queries
    waiting = DossierFilter(states=(DossierState.PROPOSED.value, DossierState.POSTPONED.value),
                            sort="reference", per_page=200)
    session = queries.session(actor(), session_id)
    today = services().clock.now().astimezone(PARIS).date()
    agenda = queries.agenda(actor(), session_id)
    return {"session": session, "held": session.session_date <= today,
            "agenda": agenda, "body_label": BODY_LABELS.get(session.body, session.body),
            "waiting": [i.item_number for i in agenda if not i.withdrawn and i.outcome is None],
            "move_options": [(str(s.session_id), f"{BODY_LABELS.get(s.body, s.body)} du "
                              f"{s.session_date:%d/%m/%Y}") for s in queries.sessions(actor())
                             if not s.closed and s.session_id != session_id],
            "candidates": queries.dossiers(actor(), waiting).items,
            "outcomes": OUTCOME_LABELS, "rectifying": request.args.get("rectifier", ""),
            "exports": [e for e in ("exports.session", "exports.index")
                        if e in current_app.view_functions]}


MUNICIPAL_PER_PAGE = 50


def lacking_deliberation() -> dict[str, Any]:
    """Return a page of the awarded dossiers whose municipal deliberation is not recorded yet,
    of the commune the query string names (a commune it does not know shows them all)."""
    commune = request.args.get("commune", "")
    commune = commune if commune in services().communes else ""
    queries, number = services().queries, page_number(request.args.get("page"))
    page = queries.awaiting_municipal_deliberation(actor(), commune or None, number,
                                                   MUNICIPAL_PER_PAGE)
    if page.page > page.pages:  # past the last page (the last one was just recorded): the last
        page = queries.awaiting_municipal_deliberation(actor(), commune or None, page.pages,
                                                       MUNICIPAL_PER_PAGE)
    args = {"commune": commune} if commune else {}
    return {"page": page, "rows": page.items, "commune": commune, "args": args,
            "kept": {**args, **({"page": page.page} if page.page > 1 else {})}}


@bp.get("/")
@secretariat
def sessions():  # type: ignore[no-untyped-def]
    """List the sessions and offer to schedule one."""
    return render_template("assemblees/sessions.html", form={"councillors_in_office": 65,
                                                              "body": "conseil"},
                           errors={}, **sessions_context())


@bp.post("/")
@secretariat
@form_view("assemblees/sessions.html", sessions_context)
def schedule():  # type: ignore[no-untyped-def]
    """Schedule a council or board session."""
    data = parse(SessionForm(), request.form)
    if any(s.session_date == data["session_date"] and s.body == data["body"]
           for s in services().queries.sessions(actor())):  # a second click, most likely
        raise InvalidInputError({"session_date": [
            "une séance de cette instance est déjà prévue ce jour-là"]})
    session_id = services().council.schedule(actor(), **data)
    flash("Séance créée.", "success")
    return redirect_to("assemblees.session", session_id=session_id)


@bp.get("/seances/<uuid:session_id>")
@secretariat
def session(session_id: UUID):  # type: ignore[no-untyped-def]
    """Show a session's agenda, the proposals to add, and the votes."""
    return render_template("assemblees/session.html", form={}, errors={},
                           **session_context(session_id))


@bp.post("/seances/<uuid:session_id>/ordre-du-jour")
@secretariat
@form_view("assemblees/session.html", session_context)
def add_to_agenda(session_id: UUID):  # type: ignore[no-untyped-def]
    """Put the checked proposals on the agenda, all at once."""
    data = parse(AgendaForm(), form_data("dossier_ids"))
    if not data.get("dossier_ids"):
        raise InvalidInputError({"dossier_ids": ["cochez au moins un dossier"]})
    numbers = services().council.add_to_agenda(actor(), session_id, data["dossier_ids"])
    flash(f"{plural(len(numbers), 'point inscrit', 'points inscrits')} à l’ordre du jour.",
          "success")
    return redirect_to("assemblees.session", session_id=session_id)


@bp.post("/seances/<uuid:session_id>/points/<int:item_number>/retirer")
@secretariat
@form_view("assemblees/session.html", session_context)
def withdraw_item(session_id: UUID, item_number: int):  # type: ignore[no-untyped-def]
    """Take an item off the agenda, with a motive."""
    data = parse(MotiveForm(), request.form)
    services().council.withdraw_item(actor(), session_id, item_number, data["motive"])
    flash(f"Point n° {item_number} retiré de l’ordre du jour.", "success")
    return redirect_to("assemblees.session", session_id=session_id)


@bp.post("/seances/<uuid:session_id>/points/<int:item_number>/reporter")
@secretariat
@form_view("assemblees/session.html", session_context)
def move_item(session_id: UUID, item_number: int):  # type: ignore[no-untyped-def]
    """Move an item not yet voted to another session, with a motive."""
    data = parse(MoveForm(), request.form)
    number = services().council.move_item(actor(), session_id, item_number, data["to_session"],
                                          data["motive"])
    flash(f"Point n° {item_number} reporté\u202f: il devient le point n° {number} "
          "de l’autre séance.", "success")
    return redirect_to("assemblees.session", session_id=session_id)


@bp.post("/seances/<uuid:session_id>/points/<int:item_number>/rectifier")
@secretariat
@form_view("assemblees/session.html", session_context)
def rectify(session_id: UUID, item_number: int):  # type: ignore[no-untyped-def]
    """Rectify a recorded vote (material error), with its motive."""
    d = parse(RectifyForm(), request.form)
    services().council.rectify_outcome(
        actor(), session_id, item_number, d["amount"], d["deliberation_reference"],
        (d["votes_for"], d["votes_against"], d["abstentions"]), (d["present"], d["voting"]),
        d["motive"])
    flash(f"Délibération du point n° {item_number} rectifiée.", "success")
    return redirect_to("assemblees.session", session_id=session_id)


@bp.post("/seances/<uuid:session_id>/points/<int:item_number>/vote")
@secretariat
@form_view("assemblees/session.html", session_context)
def record_outcome(session_id: UUID, item_number: int):  # type: ignore[no-untyped-def]
    """Record an item's outcome, amount, deliberation reference and votes."""
    d = parse(OutcomeForm(), request.form)
    services().council.record_outcome(
        actor(), session_id, item_number, d["outcome"], d["amount"], d["deliberation_reference"],
        (d["votes_for"], d["votes_against"], d["abstentions"]), (d["present"], d["voting"]))
    flash(f"Vote du point n° {item_number} enregistré.", "success")
    return redirect_to("assemblees.session", session_id=session_id)


@bp.post("/seances/<uuid:session_id>/cloturer")
@secretariat
@form_view("assemblees/session.html", session_context)
def close(session_id: UUID):  # type: ignore[no-untyped-def]
    """Close the session once every item has its outcome (confirmed by a checkbox)."""
    parse(CloseForm(), request.form)
    services().council.close(actor(), session_id)
    flash("Séance close.", "success")
    return redirect_to("assemblees.session", session_id=session_id)


@bp.get("/deliberations-municipales")
@secretariat
def municipal():  # type: ignore[no-untyped-def]
    """List awarded dossiers still waiting for the commune's concordant deliberation."""
    return render_template("assemblees/municipal.html", form={}, errors={},
                           **lacking_deliberation())


@bp.post("/deliberations-municipales/<uuid:dossier_id>")
@secretariat
@form_view("assemblees/municipal.html", lambda dossier_id: lacking_deliberation())
def record_municipal_deliberation(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Record a commune's concordant deliberation."""
    data = parse(DeliberationForm(), request.form)
    services().grants.record_municipal_deliberation(actor(), dossier_id, data["reference"],
                                                    data["decided_on"])
    flash("Délibération municipale enregistrée.", "success")
    return redirect_to("assemblees.municipal", **lacking_deliberation()["kept"])
