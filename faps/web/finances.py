"""Finances: the yearly budget dashboard with charts, the payments ledger, the deadlines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import Blueprint, flash, render_template, request
from marshmallow import ValidationError, fields, validate, validates_schema

from faps.application.budgets import NOT_CHECKED, NotChecked
from faps.application.deadlines import NEAR_DAYS, PER_PAGE
from faps.domain.actors import Role
from faps.domain.dossier_content import DossierState
from faps.domain.grant import INTERIM_RULE, advance_limit
from faps.domain.money import format_euros
from faps.web.charts import commune_bars, cumulative_payments
from faps.web.common import (
    actor,
    dossier_actions,
    form_view,
    login_required,
    parse,
    redirect_to,
    roles_required,
    services,
)
from faps.web.params import page_number, year_of
from faps.web.schemas import Euros, FrenchDate, FrenchSchema

bp = Blueprint("finances", __name__, url_prefix="/finances")
READERS = (Role.FINANCE_OFFICER, Role.SECRETARIAT, Role.AUDITOR, Role.ADMINISTRATOR)


class BudgetVoteSchema(FrenchSchema):
    year = fields.Integer(required=True, strict=False,
                          validate=validate.Range(min=2000, max=2100))
    amount = Euros(required=True)
    deliberation_reference = fields.String(required=True, validate=validate.Length(max=100))
    seen_year = fields.Integer(load_default=None, strict=False)
    seen_amount = fields.String(load_default="",
                                validate=validate.Regexp(r"^(\d{1,15}(\.\d{1,2})?)?$"))
    seen_reference = fields.String(load_default="", validate=validate.Length(max=100))

    def __init__(self) -> None:
        super().__init__()
        self.fields["year"].error_messages["invalid"] = "année invalide (par exemple 2025)"


def dashboard_context() -> dict[str, Any]:
    """Return what the dashboard shows for the year asked (or the year typed in the form)."""
    faps = services()
    raw = request.form.get("year", "") or request.args.get("annee", "")
    year = year_of(raw) or faps.clock.now().year
    view = faps.queries.budget(actor(), year)
    bars = commune_bars([(line.commune_name, line.committed, line.paid)
                         for line in (view.lines if view else [])], year)
    cumul = cumulative_payments(faps.queries.payments_by_day(actor(), year), year)
    return {"year": year, "view": view, "bars": bars, "cumul": cumul,
            "years": faps.queries.budget_years(actor())}


def seen_vote(data: dict[str, Any]) -> tuple[Decimal, str] | NotChecked | None:
    """Return the vote the page showed for the year voted (None: none), if it showed it."""
    if data["seen_year"] != data["year"]:
        return NOT_CHECKED
    if not data["seen_amount"]:
        return None
    return Decimal(data["seen_amount"]), data["seen_reference"]


@bp.get("/budget")
@login_required
@roles_required(*READERS)
def dashboard():  # type: ignore[no-untyped-def]
    """Show a year's budget: voted, committed, paid, remaining, per commune, with charts."""
    return render_template("finances/dashboard.html", errors={}, form={}, **dashboard_context())


@bp.post("/budget")
@login_required
@roles_required(Role.SECRETARIAT, Role.FINANCE_OFFICER)
@form_view("finances/dashboard.html", dashboard_context)
def vote():  # type: ignore[no-untyped-def]
    """Vote (or amend) a yearly budget; bad input comes back on the form with its errors."""
    data = parse(BudgetVoteSchema(), request.form)
    services().budgets.vote(actor(), data["year"], data["amount"],
                            data["deliberation_reference"], seen=seen_vote(data))
    return redirect_to("finances.dashboard", annee=data["year"])


@bp.get("/versements")
@login_required
@roles_required(*READERS)
def payments():  # type: ignore[no-untyped-def]
    """List the payments ledger (payments and clawbacks)."""
    year = request.args.get("annee", "")
    page = services().queries.payments_page(actor(), year_of(year),
                                            page_number(request.args.get("page")))
    return render_template("finances/payments.html", page=page, rows=page.items, year=year,
                           args={"annee": year} if year else {})


@bp.get("/echeances")
@login_required
@roles_required(*READERS)
def deadlines():  # type: ignore[no-untyped-def]
    """List the overdue and near deadlines, a page of dossiers at a time, the earliest first
    (lapse stays an officer's decision)."""
    page = services().deadlines.deadlines_page(actor(), page=page_number(request.args.get("page")),
                                               per_page=PER_PAGE)
    return render_template("finances/deadlines.html", page=page, near_days=NEAR_DAYS)


# -- payment forms: the commune's request, the officer's decisions -----------------------
KIND_OPTIONS = [("avance", "Avance"), ("acompte", "Acompte"), ("solde", "Solde")]
PAYMENTS_READERS = (Role.FINANCE_OFFICER, Role.SECRETARIAT, Role.AUDITOR)
officer_only = roles_required(Role.FINANCE_OFFICER)


class PaymentRequestSchema(FrenchSchema):
    kind = fields.String(required=True, validate=validate.OneOf([k for k, _ in KIND_OPTIONS]))
    amount = Euros(required=True)
    expenses_paid = Euros(load_default=None)  # an advance rests on no expense (règlement)
    documents = fields.List(fields.UUID(), load_default=list)
    upload_kind = fields.String(load_default="")

    @validates_schema
    def _expenses_for_interim_and_balance(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") in ("acompte", "solde") and data.get("expenses_paid") is None:
            raise ValidationError("indiquez les dépenses éligibles acquittées", "expenses_paid")


class PaySchema(FrenchSchema):
    amount = Euros(required=True)
    paid_on = FrenchDate(required=True)
    mandate_reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    retained_expenses = Euros(load_default=None)
    retention_motive = fields.String(load_default="", validate=validate.Length(max=2000))


class MotiveSchema(FrenchSchema):
    motive = fields.String(required=True, validate=validate.Length(min=3, max=2000))


class ConfirmSchema(FrenchSchema):
    """An irreversible action: a required checkbox says the person read what will happen."""

    confirm = fields.String(required=True)

    def __init__(self) -> None:
        super().__init__()
        self.fields["confirm"].error_messages["required"] = "cochez la case pour confirmer"


class ConfirmedMotiveSchema(MotiveSchema, ConfirmSchema):
    pass


class ReduceSchema(MotiveSchema):
    real_eligible_cost = Euros(required=True)


class ClawbackSchema(FrenchSchema):
    amount = Euros(required=True)
    title_reference = fields.String(required=True, validate=validate.Length(min=1, max=100))


def payment_context(dossier_id: UUID, **_: Any) -> dict[str, Any]:
    """Return what both payment pages show: the dossier, its statement, the règlement's pieces."""
    faps = services()
    dossier = faps.dossiers.load(actor(), dossier_id)
    reglement = faps.dossiers.reglement_of(dossier)
    pending = [p for p in dossier.payment_requests.values() if p.status == "en_attente"]
    nature = request.values.get("kind") or request.args.get("nature") or ""
    return {"dossier": dossier, "statement": faps.grants.statement(actor(), dossier_id),
            "reglement": reglement, "nature": nature if nature in KINDS else "",
            "blockers": payment_blockers(dossier),
            "prefill": payment_prefill(dossier, reglement),
            "interim_rule": INTERIM_RULE, "balance_paid": balance_paid(dossier),
            "settlements": {p.request_id: dossier.balance_settlement(p.request_id)
                            for p in pending},
            "kind_options": KIND_OPTIONS, "document_labels": reglement.document_kinds(),
            "required": {"avance": reglement.documents_at_advance,
                         "acompte": reglement.documents_at_interim,
                         "solde": reglement.documents_at_balance},
            "pending": pending, "field_labels": {"kind": "Nature du versement"},
            "failed": request.endpoint if request.method == "POST" else None}


KINDS = [k for k, _ in KIND_OPTIONS]


def balance_paid(dossier: Any) -> bool:
    """Tell whether the balance was paid (the dossier is then to be soldé)."""
    return any(p.kind == "solde" and p.status == "paye" for p in dossier.payment_requests.values())


def payment_blockers(dossier: Any) -> list[str]:
    """Return why the commune cannot ask for a payment now (empty: it can), in French."""
    if dossier.state is not DossierState.AWARDED:
        return [f"Le dossier est « {dossier.state.label} » : aucun versement ne peut être "
                "demandé."]
    if balance_paid(dossier):
        return ["Le solde est versé : aucun autre versement ne peut être demandé."]
    needed = []
    if not dossier.municipal_deliberation:
        needed.append("La délibération concordante du conseil municipal doit être enregistrée.")
    if not dossier.notified_on:
        needed.append("La décision doit être notifiée à la commune.")
    if not dossier.agreement:
        needed.append("La convention de financement doit être signée.")
    if dossier.pending_payment:
        needed.append("La demande de versement en cours doit d’abord être traitée.")
    return needed


def payment_prefill(dossier: Any, reglement: Any) -> dict[str, str]:
    """Return the amount each kind of request starts from: the règlement's figures."""
    def typed(value: Any) -> str:
        return format_euros(value)[:-2]

    return {"avance": typed(min(advance_limit(dossier.awarded_amount, reglement.advance_rate),
                                dossier.remaining_to_pay)),
            "acompte": "", "solde": typed(dossier.remaining_to_pay)}


def _form_data() -> dict[str, Any]:
    return {**request.form.to_dict(), "documents": request.form.getlist("documents")}


def _uploads(dossier_id: UUID, data: dict[str, Any]) -> list[UUID]:
    """Attach every file sent with the request (several per kind of piece); return their ids."""
    attached = []
    for name in request.files:
        kind = name.removeprefix("file_") if name.startswith("file_") else data["upload_kind"]
        for upload in request.files.getlist(name):
            if upload.filename:
                attached.append(services().dossiers.attach(actor(), dossier_id, kind or "autre",
                                                           upload.filename, upload.read()))
    return attached


@bp.route("/dossiers/<uuid:dossier_id>/versement", methods=["GET", "POST"])
@roles_required(Role.COMMUNE_AGENT)
@form_view("finances/payment_request.html", payment_context)
def payment_request(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Let the commune ask for a payment, with its justificatifs (an upload is attached first)."""
    if request.method == "GET":
        return render_template("finances/payment_request.html", errors={}, form={},
                               **payment_context(dossier_id))
    data = parse(PaymentRequestSchema(), _form_data())
    documents = [*data["documents"], *_uploads(dossier_id, data)]
    services().grants.request_payment(actor(), dossier_id, data["kind"], data["amount"],
                                      data["expenses_paid"] or Decimal("0.00"), tuple(documents))
    flash("Demande de versement transmise au service instructeur.", "success")
    return redirect_to("commune.dossier", dossier_id=dossier_id)


@bp.get("/dossiers/<uuid:dossier_id>/versements")
@roles_required(*PAYMENTS_READERS)
def dossier_payments(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Show a grant's statement, its pending requests and the officer's forms."""
    return render_template("finances/dossier_payments.html", errors={}, form={},
                           **payment_context(dossier_id))


payment_action = dossier_actions(bp, "finances/dossier_payments.html", payment_context,
                                 officer_only)


def _done(dossier_id: UUID, message: str):  # type: ignore[no-untyped-def]
    flash(message, "success")
    return redirect_to("finances.dossier_payments", dossier_id=dossier_id)


@payment_action("versements/<uuid:request_id>/payer", "pay")
def pay(dossier_id: UUID, request_id: UUID):  # type: ignore[no-untyped-def]
    """Pay a pending request (mandate)."""
    data = parse(PaySchema(), request.form)
    services().grants.make_payment(actor(), dossier_id, request_id, data["amount"],
                                   data["paid_on"], data["mandate_reference"],
                                   data["retained_expenses"], data["retention_motive"])
    dossier = services().dossiers.load(actor(), dossier_id)
    if balance_paid(dossier) and dossier.state is DossierState.AWARDED:
        return _done(dossier_id, "Versement du solde enregistré : vous pouvez maintenant "
                     "solder le dossier.")
    return _done(dossier_id, "Versement enregistré.")


@payment_action("versements/<uuid:request_id>/refuser", "refuse")
def refuse(dossier_id: UUID, request_id: UUID):  # type: ignore[no-untyped-def]
    """Refuse a pending request, with a motive."""
    data = parse(MotiveSchema(), request.form)
    services().grants.refuse_payment(actor(), dossier_id, request_id, data["motive"])
    return _done(dossier_id, "Demande de versement refusée.")


@payment_action("reduction", "reduce")
def reduce(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Reduce the grant pro rata to the real eligible cost."""
    data = parse(ReduceSchema(), request.form)
    amount = services().grants.reduce(actor(), dossier_id, data["real_eligible_cost"],
                                      data["motive"])
    return _done(dossier_id, f"Subvention ramenée à {format_euros(amount)}.")


@payment_action("reversement", "clawback")
def clawback(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Record money paid back by the commune (titre de recette)."""
    data = parse(ClawbackSchema(), request.form)
    services().grants.record_clawback(actor(), dossier_id, data["amount"],
                                      data["title_reference"])
    return _done(dossier_id, "Reversement enregistré.")


@payment_action("caducite", "lapse")
def lapse(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Declare the grant lapsed."""
    data = parse(ConfirmedMotiveSchema(), request.form)
    services().grants.lapse(actor(), dossier_id, data["motive"])
    return _done(dossier_id, "Subvention déclarée caduque.")


@payment_action("cloture", "close")
def close(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Close (solder) a grant, once confirmed."""
    parse(ConfirmSchema(), request.form)
    services().grants.close(actor(), dossier_id)
    return _done(dossier_id, "Dossier soldé.")
