"""The commune's space (*Mes dossiers*): drafts, documents, submission, receipt, answers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    render_template,
    request,
)
from marshmallow import fields, validate
from werkzeug.datastructures import MultiDict

from faps.application.exchanges import Upload
from faps.domain.actors import Role
from faps.domain.dossier_content import PAYMENT_KIND_LABELS
from faps.domain.dossier_exchange import ATTACHMENT_KIND_LABELS, CONTENT_FIELD_LABELS
from faps.domain.errors import InvalidInputError
from faps.domain.reglement import Reglement
from faps.web.common import actor, form_view, parse, redirect_to, roles_required, services
from faps.web.exchanges import thread_context
from faps.web.exports import send
from faps.web.financing_view import plan_context
from faps.web.params import page_number, to_int
from faps.web.project_form import (
    CATEGORIES,
    MAX_EXTRA,
    ROWS,
    TENURES,
    YES_NO,
    EditSchema,
    commune_as_funder,
    content_fields,
    facts_request,
    form_of,
    row_count,
    totals,
)
from faps.web.schemas import FrenchSchema

bp = Blueprint("commune", __name__, url_prefix="/commune")
agent_only = roles_required(Role.COMMUNE_AGENT)
PER_PAGE = 20
PAYMENT_ENDPOINT = "finances.payment_request"  # the finances space's form, once installed


class NewDraftSchema(FrenchSchema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=200))


class UploadSchema(FrenchSchema):
    kind = fields.String(required=True, validate=validate.Length(min=2, max=40))


class SubmitSchema(FrenchSchema):
    expected_version = fields.Integer(required=True)
    confirm = fields.String(required=True)

    def __init__(self) -> None:
        super().__init__()
        self.fields["confirm"].error_messages["required"] = "cochez la case pour confirmer le dépôt"


class AnswerSchema(FrenchSchema):
    message = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    missing_reason = fields.String(load_default="", validate=validate.Length(max=2000))


# The answer form's labels, for the error summary (a generic « Message » names no field here).
ANSWER_LABELS = {"message": "Votre réponse",
                 "missing_reason": "Raison de l’absence d’une pièce demandée"}


# -- what the pages show ------------------------------------------------------------------
def document_kinds(reglement: Reglement) -> list[tuple[str, str]]:
    """Return the kinds a commune may upload: the règlement's, then « Autre pièce »."""
    return [*reglement.document_kinds().items(), ("autre", "Autre pièce")]


def dossier_context(dossier_id: UUID, **_: Any) -> dict[str, Any]:
    """Return what the dossier page shows."""
    faps = services()
    dossier = faps.dossiers.load(actor(), dossier_id)
    reglement = faps.dossiers.reglement_of(dossier)
    return {"dossier": dossier, "reglement": reglement, "kinds": document_kinds(reglement),
            "checklist": [(k, k.code in dossier.document_kinds)
                          for k in reglement.documents_at_filing],
            "timeline": faps.queries.timeline(actor(), dossier_id),
            "form": request.form if request.method == "POST" else {},  # kept on an error
            "field_labels": {**CONTENT_FIELD_LABELS, **ANSWER_LABELS},
            "kind_names": {**dict(document_kinds(reglement)), **ATTACHMENT_KIND_LABELS},
            **thread_context(dossier, actor()),
            "reductions": faps.dossiers.reductions(dossier), "totals": totals(dossier.content),
            "commune_funders": commune_as_funder(dossier.content,
                                                 faps.communes.name(dossier.commune)),
            "tenure_labels": dict(TENURES), "category_labels": dict(CATEGORIES),
            "payment_labels": PAYMENT_KIND_LABELS,
            "cap_labels": CAP_LABELS,
            **(plan_context(dossier, form_of(dossier.content), reglement.version)
               if dossier.state.value in ("brouillon", "complements_demandes") else {}),
            "payment_endpoint": PAYMENT_ENDPOINT if PAYMENT_ENDPOINT in current_app.view_functions
            else None}


def edit_context(dossier_id: UUID, **_: Any) -> dict[str, Any]:
    """Return what the editor shows (the form is the saved content unless given)."""
    faps = services()
    dossier = faps.dossiers.load(actor(), dossier_id, "dossier.edit")
    form = request.form if request.method == "POST" else form_of(dossier.content)
    extra = {p: to_int(request.args.get(f"plus_{p}"), 0, MAX_EXTRA) or 0 for p in ROWS}
    return {"dossier": dossier, "form": form, "version": dossier.version,
            "rows": {p: row_count(form, p, extra[p]) for p in ROWS},
            "totals": totals(dossier.content), "tenures": TENURES, "yes_no": YES_NO,
            "commune_funders": commune_as_funder(dossier.content,
                                                 faps.communes.name(dossier.commune)),
            "categories": CATEGORIES, "correction_labels": CONTENT_FIELD_LABELS,
            "cap_labels": CAP_LABELS,
            **plan_context(dossier, form, faps.dossiers.reglement_of(dossier).version)}


# -- views --------------------------------------------------------------------------------
@bp.get("/dossiers")
@agent_only
def dossiers():  # type: ignore[no-untyped-def]
    """List the commune's dossiers."""
    from faps.application.queries import DossierFilter

    flt = DossierFilter(commune=actor().commune, page=page_number(request.args.get("page")),
                        per_page=PER_PAGE)
    return render_template("commune/dossiers.html", page=services().queries.dossiers(actor(), flt))


@bp.route("/dossiers/nouveau", methods=["GET", "POST"])
@agent_only
@form_view("commune/new.html", lambda **_: {})
def new():  # type: ignore[no-untyped-def]
    """Open a draft with its title; the rest is filled in the editor."""
    if request.method == "GET":
        return render_template("commune/new.html", form={}, errors={})
    data = parse(NewDraftSchema(), request.form)
    dossier_id = services().dossiers.draft(actor(), actor().commune or "", {"title": data["title"]})
    flash("Brouillon créé\u202f: complétez-le à votre rythme, il est enregistré à chaque étape.",
          "success")
    return redirect_to("commune.edit", dossier_id=dossier_id)


@bp.get("/dossiers/<uuid:dossier_id>")
@agent_only
def dossier(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Follow one dossier: state, decisions, requests, documents, history."""
    return render_template("commune/dossier.html", errors={}, **dossier_context(dossier_id))


@bp.route("/dossiers/<uuid:dossier_id>/modifier", methods=["GET", "POST"])
@agent_only
@form_view("commune/edit.html", edit_context)
def edit(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Fill the draft (several visits); the version seen guards against concurrent changes."""
    if request.method == "GET":
        return render_template("commune/edit.html", errors={}, **edit_context(dossier_id))
    meta = parse(EditSchema(), request.form)
    services().dossiers.edit(actor(), dossier_id, content_fields(request.form),
                             expected_version=meta["expected_version"])
    if meta["action"] != "save":
        prefix = meta["action"].removeprefix("add_")
        return redirect_to("commune.edit", dossier_id=dossier_id, **{f"plus_{prefix}": 1},
                           _anchor=f"t-{prefix}")
    flash("Dossier enregistré.", "success")
    return redirect_to("commune.dossier", dossier_id=dossier_id)


@bp.post("/dossiers/<uuid:dossier_id>/estimation")
@agent_only
def estimate(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Return the plan and estimated grant of the editor's current input (for plan.js)."""
    dossier = services().dossiers.load(actor(), dossier_id, "dossier.edit")
    context = plan_context(dossier, request.form,
                           services().dossiers.reglement_of(dossier).version)
    macro = get_template_attribute("commune/_plan.html", "plan_summary")
    return macro(context["plan"], context["estimate"], CAP_LABELS)


@bp.post("/dossiers/<uuid:dossier_id>/pieces")
@agent_only
@form_view("commune/dossier.html", dossier_context)
def attach(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Upload a document (its type is checked by content, its size limited)."""
    data = parse(UploadSchema(), request.form)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInputError({"file": ["choisissez un fichier"]})
    faps = services()
    document_id = faps.dossiers.attach(actor(), dossier_id, data["kind"], upload.filename,
                                       upload.read())
    kept = faps.dossiers.load(actor(), dossier_id).documents[document_id].name
    flash(f"Pièce « {kept} » jointe au dossier.", "success")
    return redirect_to("commune.dossier", dossier_id=dossier_id, _anchor="pieces")


@bp.post("/dossiers/<uuid:dossier_id>/pieces/<uuid:document_id>/retirer")
@agent_only
def remove_document(dossier_id: UUID, document_id: UUID):  # type: ignore[no-untyped-def]
    """Remove a document from a draft."""
    services().dossiers.remove_document(actor(), dossier_id, document_id)
    flash("Pièce retirée.", "info")
    return redirect_to("commune.dossier", dossier_id=dossier_id, _anchor="pieces")


@bp.post("/dossiers/<uuid:dossier_id>/depot")
@agent_only
@form_view("commune/dossier.html", dossier_context)
def submit(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """File the dossier: it gets its reference and a dated acknowledgement of receipt."""
    data = parse(SubmitSchema(), request.form)
    reference = services().dossiers.submit(actor(), dossier_id, data["expected_version"])
    flash(f"Dossier déposé sous la référence {reference}. Votre accusé de réception est prêt.",
          "success")
    return redirect_to("commune.receipt", dossier_id=dossier_id)


@bp.post("/dossiers/<uuid:dossier_id>/reponse")
@agent_only
@form_view("commune/dossier.html", dossier_context)
def answer(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Answer the open information request (join the documents asked for first)."""
    data = parse(AnswerSchema(), request.form)
    pieces = [Upload(name.removeprefix("piece-"), f.filename, f.read())
              for name, f in request.files.items(multi=True)
              if name.startswith("piece-") and f.filename]
    services().exchanges.reply(actor(), dossier_id, data["message"], data["missing_reason"],
                               pieces)
    flash("Réponse transmise au service instructeur.", "success")
    return redirect_to("commune.dossier", dossier_id=dossier_id)


class WithdrawSchema(FrenchSchema):
    motive = fields.String(required=True, validate=validate.Length(min=3, max=2000))
    confirm = fields.String(required=True, error_messages={
        "required": "cochez la case pour confirmer le retrait définitif"})


@bp.post("/dossiers/<uuid:dossier_id>/retrait")
@agent_only
@form_view("commune/dossier.html", dossier_context)
def withdraw(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Give up the request before the council's vote."""
    data = parse(WithdrawSchema(), request.form)
    services().dossiers.withdraw(actor(), dossier_id, data["motive"])
    flash("La demande est retirée.", "success")
    return redirect_to("commune.dossier", dossier_id=dossier_id)


class DeleteDraftSchema(FrenchSchema):
    confirm = fields.String(required=True)

    def __init__(self) -> None:
        super().__init__()
        self.fields["confirm"].error_messages["required"] = (
            "cochez la case pour confirmer la suppression du brouillon")


@bp.post("/dossiers/<uuid:dossier_id>/suppression")
@agent_only
@form_view("commune/dossier.html", dossier_context)
def delete_draft(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Delete a draft never filed (confirmed by a required checkbox)."""
    parse(DeleteDraftSchema(), request.form)
    services().dossiers.delete_draft(actor(), dossier_id)
    flash("Brouillon supprimé.", "success")
    return redirect_to("commune.dossiers")


@bp.get("/dossiers/<uuid:dossier_id>/accuse-de-reception")
@agent_only
def receipt(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Show the printable acknowledgement of receipt of a filed dossier."""
    found = services().dossiers.as_filed(actor(), dossier_id)
    if found is None:
        abort(404)
    return render_template("commune/receipt.html", dossier=found,
                           reglement=services().dossiers.reglement_of(found))


@bp.post("/dossiers/<uuid:dossier_id>/documents/<any(receipt, notification, agreement, "
         "deliberation):document>")
@agent_only
def document(dossier_id: UUID, document: str):  # type: ignore[no-untyped-def]
    """Download one of the dossier's PDF documents (each download is recorded and sealed)."""
    return send(services().exports.dossier_document(actor(), document, dossier_id))


# -- the Simulateur (commune agents and finance officers) ---------------------------------
CAP_LABELS = {
    "cap_rate": "Taux du règlement × base éligible",
    "cap_ceiling": "Plafond par dossier",
    "cap_commune_year": "Plafond annuel restant de la commune",
    "cap_half_share": "Moitié de la part restant à la commune (CGCT L5216-5 VI)",
    "cap_min_participation": "Participation minimale de 20 % du maître d’ouvrage (CGCT L1111-10)",
    "cap_requested": "Montant sollicité",
}


def simulator_form() -> dict[str, Any]:
    """Return the posted form (the agent's commune imposed), or a blank one."""
    if request.method == "POST":
        form = request.form.copy()
    else:
        form = MultiDict({"health_activity": "true", "works_started": "false",
                          "commune_awarded_this_year": "0"})
    if actor().role is Role.COMMUNE_AGENT:
        form["commune"] = actor().commune or ""
    return form  # type: ignore[return-value]


def simulator_context(**_: Any) -> dict[str, Any]:
    """Return what the Simulateur shows around its result."""
    form = simulator_form()
    action = form.get("action", "")
    extra = {p: 1 if action == f"add_{p}" else 0 for p in ROWS}
    return {"form": form, "result": None, "cap_labels": CAP_LABELS,
            "rows": {p: row_count(form, p, extra[p]) for p in ROWS}, "tenures": TENURES,
            "categories": CATEGORIES, "commune_options": [("", "— choisir —")] + [
                (c.insee, c.name) for c in services().communes],
            "in_force": services().reglements.current()}


@bp.route("/simulateur", methods=["GET", "POST"])
@roles_required(Role.COMMUNE_AGENT, Role.FINANCE_OFFICER)
@form_view("commune/simulator.html", simulator_context)
def simulator():  # type: ignore[no-untyped-def]
    """Show what the règlement in force would grant, and why (live with simulateur.js)."""
    context = simulator_context()
    if request.method == "POST":
        context["result"] = services().simulation.simulate(actor(), facts_request(context["form"]))
    return render_template("commune/simulator.html", errors={}, **context)
