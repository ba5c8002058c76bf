"""Finances: the yearly budget dashboard with charts, the payments ledger, the deadlines."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, render_template, request

from faps.domain.actors import Role
from faps.domain.errors import InvalidInputError
from faps.domain.money import parse_amount
from faps.web.charts import commune_bars, cumulative_payments
from faps.web.common import actor, login_required, redirect_to, roles_required, services

bp = Blueprint("finances", __name__, url_prefix="/finances")
READERS = (Role.FINANCE_OFFICER, Role.SECRETARIAT, Role.AUDITOR, Role.ADMINISTRATOR)


def _year() -> int:
    raw = request.args.get("annee", "")
    return int(raw) if raw.isdigit() else services().ctx.clock.now().year


@bp.get("/budget")
@login_required
@roles_required(*READERS)
def dashboard():  # type: ignore[no-untyped-def]
    """Show a year's budget: voted, committed, paid, remaining, per commune, with charts."""
    faps, year = services(), _year()
    view = faps.queries.budget(actor(), year)
    payments = faps.queries.payments(actor(), year)
    bars = commune_bars([(line.commune_name, line.committed, line.paid)
                         for line in (view.lines if view else [])], year)
    cumul = cumulative_payments([(p.paid_on, p.amount) for p in payments], year)
    return render_template("finances/dashboard.html", year=year, view=view, bars=bars,
                           cumul=cumul, years=faps.queries.budget_years(actor()))


@bp.post("/budget")
@login_required
@roles_required(Role.SECRETARIAT, Role.FINANCE_OFFICER)
def vote():  # type: ignore[no-untyped-def]
    """Vote (or amend) a yearly budget."""
    form = request.form
    year = int(form.get("year", "0") or 0)
    try:
        amount: Decimal = parse_amount(form.get("amount", ""))
    except ValueError as exc:
        raise InvalidInputError({"amount": [str(exc)]}) from None
    services().budgets.vote(actor(), year, amount, form.get("deliberation_reference", ""))
    services().projections.catch_up()
    return redirect_to("finances.dashboard", annee=year)


@bp.get("/versements")
@login_required
@roles_required(*READERS)
def payments():  # type: ignore[no-untyped-def]
    """List the payments ledger (payments and clawbacks)."""
    year = request.args.get("annee", "")
    rows = services().queries.payments(actor(), int(year) if year.isdigit() else None)
    return render_template("finances/payments.html", rows=rows, year=year)


@bp.get("/echeances")
@login_required
@roles_required(*READERS)
def deadlines():  # type: ignore[no-untyped-def]
    """List the overdue and near deadlines (lapse stays an officer's decision)."""
    items = services().deadlines.deadlines(actor())
    return render_template("finances/deadlines.html", overdue_items=items)
