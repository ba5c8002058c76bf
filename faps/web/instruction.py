"""The finance officer's space (Instruction): the inbox and the dossier page with its actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from flask import Blueprint, current_app, flash, render_template, request
from marshmallow import fields

from faps.application.deadlines import NEAR_DAYS, Deadline, DeadlineKind
from faps.application.queries import RELEVANCE, SORTS, DossierFilter
from faps.domain.actors import Role
from faps.domain.dossier_content import UNFILED_STATES, DossierState
from faps.domain.labels import plural
from faps.infrastructure.readmodels.dossiers import ANSWER, LABELS
from faps.web import instruction_forms as forms
from faps.web.common import (
    actor,
    dossier_actions,
    form_view,
    parse,
    redirect_to,
    roles_required,
    services,
)
from faps.web.params import page_number, to_uuid, year_of

bp = Blueprint("instruction", __name__, url_prefix="/instruction")
officer_only = roles_required(Role.FINANCE_OFFICER)
readers = roles_required(Role.FINANCE_OFFICER, Role.SECRETARIAT, Role.AUDITOR)
HOME_DEADLINES = 10
# The read model's label of a dossier's next deadline → the deadline's kind.
DEADLINE_KINDS: dict[str, DeadlineKind] = {ANSWER: "information",
                                           **{v: k for k, v in LABELS.items()}}
INBOX_ARGS = ("state", "commune", "year", "officer", "q", "sort")


def inbox_filter() -> DossierFilter:
    """Read the inbox's filters from the query string (bad values are ignored)."""
    args = request.args
    year, page = args.get("year", ""), args.get("page", "1")
    officer = args.get("officer", "")
    if officer == "moi":
        officer = str(actor().account_id)
    officer_id = to_uuid(officer) if officer else None
    text = (args.get("q") or "").strip()[:200] or None
    sort = args.get("sort") or (RELEVANCE if text else "-updated_at")  # chosen, else relevance
    return DossierFilter(
        commune=args.get("commune") or None,
        states=tuple(s for s in args.getlist("state") if s in DossierState.__members__.values()),
        year=year_of(year), officer_id=officer_id,
        text=text, sort=sort if sort in SORTS or sort == RELEVANCE else "-updated_at",
        page=page_number(page))


def filter_args(given: Any) -> dict[str, Any]:
    """Return the inbox's filters given (states as a list: several can be checked)."""
    found: dict[str, Any] = {}
    for key in INBOX_ARGS:
        values = [v for v in given.getlist(key) if v]
        if values:
            found[key] = values if key == "state" else values[-1]
    return found


def urgent_deadlines() -> list[Deadline]:
    """Return the most urgent overdue or near deadlines, for the officers' home page.

    Each dossier's next deadline is the read model's (the rule of faps.domain.deadlines, kept
    by the projection): the most frequent page replays no dossier. The deadlines page lists
    every deadline of each dossier.
    """
    faps = services()
    today = faps.clock.now().date()
    waiting = (DossierState.INFORMATION_REQUESTED.value, DossierState.AWARDED.value)
    rows = faps.queries.dossiers(actor(), DossierFilter(states=waiting, sort="next_deadline",
                                                        per_page=HOME_DEADLINES)).items
    return [Deadline(r.dossier_id, r.reference or "", r.commune, r.title,
                     DEADLINE_KINDS[r.next_deadline_label], r.next_deadline, today)
            for r in rows if r.next_deadline is not None and r.next_deadline_label in
            DEADLINE_KINDS and (r.next_deadline - today).days <= NEAR_DAYS]


def inbox_context() -> dict[str, Any]:
    """Return what the inbox shows."""
    faps = services()
    args = filter_args(request.form if request.method == "POST" else request.args)  # as typed
    return {"page": faps.queries.dossiers(actor(), inbox_filter()), "args": args,
            "query": urlencode([(k, v) for k in INBOX_ARGS for v in request.args.getlist(k) if v]),
            "officers": faps.queries.officers(), "sortable": forms.SORTABLE,
            "states": [s for s in DossierState if s not in UNFILED_STATES],  # drafts are hidden
            "saved": faps.web.saved_views.list(actor().account_id),
            "deadlines": "finances.deadlines" in current_app.view_functions,
            "urgent": urgent_deadlines()}


@bp.get("/")
@officer_only
def inbox():  # type: ignore[no-untyped-def]
    """List the dossiers with filters, sorting, pagination and saved views."""
    return render_template("instruction/inbox.html", form={}, errors={}, **inbox_context())


@bp.post("/affecter")
@officer_only
@form_view("instruction/inbox.html", inbox_context)
def assign_many():  # type: ignore[no-untyped-def]
    """Give the checked dossiers to one officer."""
    data = parse(forms.AssignForm(), forms.form_data("dossier_ids"))
    count = services().assignments.assign_all(actor(), data.get("dossier_ids") or [],
                                               data["officer_id"])
    flash(f"{plural(count, 'dossier affecté', 'dossiers affectés')}.", "success")
    return redirect_to("instruction.inbox")


@bp.post("/filtres")
@officer_only
def apply_filters():  # type: ignore[no-untyped-def]
    """Show the inbox with the filters of the form (posted with the form's other buttons)."""
    return redirect_to("instruction.inbox", **filter_args(request.form))


@bp.post("/vues")
@officer_only
@form_view("instruction/inbox.html", inbox_context)
def save_view():  # type: ignore[no-untyped-def]
    """Save the filters of the form as they stand (applied or not) under a name."""
    data = parse(forms.SavedViewForm(), request.form)
    posted = filter_args(request.form)
    query = urlencode([(k, v) for k, vs in posted.items()
                       for v in (vs if isinstance(vs, list) else [vs])]) or data["query"]
    services().web.saved_views.save(actor().account_id, data["name"], query)
    flash(f"Vue « {data['name']} » enregistrée.", "success")
    return redirect_to("instruction.inbox")


@bp.post("/vues/<view_id>/supprimer")
@officer_only
def delete_view(view_id: str):  # type: ignore[no-untyped-def]
    """Delete a saved view."""
    services().web.saved_views.delete(actor().account_id, view_id)
    flash("Vue supprimée.", "success")
    return redirect_to("instruction.inbox")


def page_context(dossier_id: UUID) -> dict[str, Any]:
    """Return what the dossier page shows."""
    return forms.dossier_page(actor(), dossier_id)


@bp.get("/dossiers/<uuid:dossier_id>")
@readers
def dossier(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Show a dossier: content, expenses, documents, assessment, history, notes, actions."""
    return render_template("instruction/dossier.html", form={}, errors={},
                           **page_context(dossier_id))


dossier_action = dossier_actions(bp, "instruction/dossier.html", page_context, officer_only)


def done(dossier_id: UUID, message: str):  # type: ignore[no-untyped-def]
    """Tell the officer it is done and show the dossier again."""
    flash(message, "success")
    return redirect_to("instruction.dossier", dossier_id=dossier_id)


@dossier_action("complements", "request_information")
def request_information(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Ask the commune for documents or answers."""
    data = parse(forms.InformationRequestForm(), forms.form_data("document_kinds", "correct"))
    named = tuple(data.get("correct") or ())
    services().dossiers.request_information(actor(), dossier_id, data["message"],
                                            tuple(data.get("document_kinds") or ()),
                                            data.get("due_on"), named)
    return done(dossier_id, "Dossier renvoyé à la commune pour correction." if named
                else "Demande de compléments envoyée à la commune.")


@dossier_action("reponse-acceptee", "accept_reply")
def accept_reply(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Accept the commune's reply to a request; the instruction goes on."""
    services().exchanges.accept_reply(actor(), dossier_id)
    return done(dossier_id, "Réponse acceptée : poursuivez l'instruction.")


@dossier_action("avis", "request_opinion")
def request_opinion(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Ask a named body for its opinion (mailed with a single-use link)."""
    data = parse(forms.OpinionRequestForm(), request.form)
    services().exchanges.request_opinion(actor(), dossier_id, data["body"], data["email"],
                                         data["question"], data["due_on"])
    return done(dossier_id, f"Avis demandé à {data['body']} : le courriel part avec son lien.")


@dossier_action("complet", "declare_complete")
def declare_complete(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Declare the dossier complete."""
    services().dossiers.declare_complete(actor(), dossier_id)
    return done(dossier_id, "Dossier déclaré complet.")


@dossier_action("instruire", "assess")
def assess(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Record the règlement's assessment."""
    services().dossiers.assess(actor(), dossier_id)
    return done(dossier_id, "Éligibilité instruite.")


@dossier_action("proposer", "propose")
def propose(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Propose an amount to the council (never above the assessment's maximum)."""
    data = parse(forms.ProposalForm(), request.form)
    services().dossiers.propose(actor(), dossier_id, data["amount"], data["motive"],
                                expected_version=data["expected_version"])
    return done(dossier_id, "Attribution proposée au conseil.")


class ConfirmedMotiveSchema(forms.MotiveForm):
    confirm = fields.String(required=True, error_messages={
        "required": "cochez la case pour confirmer la clôture du dossier"})


@dossier_action("cloturer", "close_ineligible")
def close_ineligible(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Close the dossier as ineligible, with a motive (confirmed: it is final)."""
    data = parse(ConfirmedMotiveSchema(), request.form)
    services().dossiers.close_ineligible(actor(), dossier_id, data["motive"])
    return done(dossier_id, "Dossier clos (inéligible).")


@dossier_action("affecter", "assign")
def assign(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Give the dossier to an officer."""
    data = parse(forms.AssignForm(), request.form)
    services().assignments.assign_all(actor(), [dossier_id], data["officer_id"])
    return done(dossier_id, "Instructeur désigné.")


@dossier_action("notes", "add_note")
def add_note(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Add a private note."""
    data = parse(forms.NoteForm(), request.form)
    services().dossiers.add_note(actor(), dossier_id, data["text"])
    return done(dossier_id, "Note ajoutée.")


@dossier_action("deliberation-municipale", "record_municipal_deliberation")
def record_municipal_deliberation(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Record the commune's concordant deliberation."""
    data = parse(forms.DeliberationForm(), request.form)
    services().grants.record_municipal_deliberation(actor(), dossier_id, data["reference"],
                                                    data["decided_on"])
    return done(dossier_id, "Délibération municipale enregistrée.")


@dossier_action("notification", "notify")
def notify(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Record that the decision was notified to the commune."""
    services().grants.notify(actor(), dossier_id)
    return done(dossier_id, "Notification enregistrée.")


@dossier_action("convention", "sign_agreement")
def sign_agreement(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Record the signed funding agreement."""
    data = parse(forms.AgreementForm(), request.form)
    services().grants.sign_agreement(actor(), dossier_id, data["reference"], data["signed_on"])
    return done(dossier_id, "Convention de financement enregistrée.")
