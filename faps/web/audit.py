"""The auditor's space (Audit): read-only timelines, a dossier and the fund as of a date, diffs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import Blueprint, redirect, render_template, request, url_for

from faps.application.queries import DossierFilter
from faps.application.timetravel import end_of
from faps.domain.actors import Role
from faps.domain.dossier import Dossier
from faps.domain.errors import InvalidInputError, NotFoundError
from faps.web.common import actor, roles_required, services
from faps.web.params import MAX_VERSION, page_number, to_date, to_int

bp = Blueprint("audit", __name__, url_prefix="/audit")
auditor = roles_required(Role.AUDITOR)


def date_arg(name: str, errors: dict[str, list[str]]) -> date | None:
    """Read a date (2024-03-31 or 31/03/2024) from the query string; note a bad one."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    found = to_date(text)
    if found is None:
        errors[name] = ["date invalide (JJ/MM/AAAA, entre 1900 et 2199)"]
    return found


def find(reference: str) -> UUID | None:
    """Return the dossier a reference names, or None."""
    try:
        return services().dossiers.resolve(reference)
    except NotFoundError:
        return None


def today() -> date:
    """Return the fund's today."""
    return services().clock.now().date()


@bp.get("/")
@auditor
def index():  # type: ignore[no-untyped-def]
    """Search a dossier by reference, or list them."""
    q = (request.args.get("q") or "").strip()
    found = find(q) if q.upper().startswith("FAPS-") else None
    if found is not None:
        return redirect(url_for("audit.dossier", dossier_id=found))
    flt = DossierFilter(text=q[:200] or None, sort="reference",
                        page=page_number(request.args.get("page")))
    return render_template("audit/index.html", q=q, args={"q": q} if q else {},
                           page=services().queries.dossiers(actor(), flt))


def dossier_context(dossier_id: UUID) -> dict[str, Any]:
    """Return the timeline and the dossier as of a date or at a version."""
    faps = services()
    errors: dict[str, list[str]] = {}
    as_of = date_arg("as_of", errors)
    version = request.args.get("version", "")
    history = faps.timetravel.history(actor(), dossier_id)
    communes = {e.version: e.actor.commune for e in history.entries}
    state: Dossier | None
    if (number := to_int(version, 1, MAX_VERSION)) is not None:
        state = faps.timetravel.at_version(actor(), dossier_id, number)
    elif as_of is not None:
        state = faps.timetravel.history(actor(), dossier_id, as_of=as_of).state
    else:
        state = history.state
    return {"row": faps.queries.dossier(actor(), dossier_id),
            "timeline": faps.queries.timeline(actor(), dossier_id), "communes_of": communes,
            "state": state, "as_of": as_of, "version": version, "errors": errors,
            "dossier_id": dossier_id}


@bp.get("/dossiers/<uuid:dossier_id>")
@auditor
def dossier(dossier_id: UUID):  # type: ignore[no-untyped-def]
    """Show a dossier's whole timeline and its state as of a date or at a version."""
    return render_template("audit/dossier.html", **dossier_context(dossier_id))


@bp.get("/fonds")
@auditor
def fund():  # type: ignore[no-untyped-def]
    """Show the whole fund as of a chosen date (its dossiers a page at a time); a date it
    cannot read is said beside the field (400), with no fund of another date beside it."""
    errors: dict[str, list[str]] = {}
    as_of = date_arg("as_of", errors)
    if errors:
        return render_template("audit/fund.html", as_of=None, overview=None, errors=errors,
                               error_message=InvalidInputError(errors).message,
                               field_labels={"as_of": "Date"}, args={}), 400
    as_of = as_of or today()
    overview = services().queries.fund_overview(actor(), end_of(as_of),
                                                page_number(request.args.get("page")))
    return render_template("audit/fund.html", as_of=as_of, overview=overview, errors=errors,
                           args={"as_of": as_of.isoformat()})


CHANGES_PER_PAGE = 50  # changed dossiers a page of the écarts (each with its changes' lines)


@bp.get("/ecarts")
@auditor
def diff():  # type: ignore[no-untyped-def]
    """Show what changed in the fund between two dates."""
    errors: dict[str, list[str]] = {}
    end = date_arg("to", errors) or today()
    start = date_arg("from", errors) or date(end.year, 1, 1)
    if end > today():
        errors.setdefault("to", []).append("date à venir : choisissez aujourd’hui au plus tard")
    if start > end:
        errors.setdefault("from", []).append("la date de début doit précéder la date de fin")
    if errors:  # the period is not shown: the fields keep the dates that were read
        errors = {k: errors[k] for k in ("from", "to") if k in errors}  # in the form's order
        return render_template("audit/diff.html", errors=errors,
                               start=None if "from" in errors else start,
                               end=None if "to" in errors else end,
                               error_message=InvalidInputError(errors).message,
                               changed=None, deltas=[], zero=Decimal(0)), 400
    found = services().queries.fund_changes(actor(), end_of(start), end_of(end),
                                            page_number(request.args.get("page")),
                                            per_page=CHANGES_PER_PAGE)
    return render_template("audit/diff.html", start=start, end=end, errors=errors,
                           zero=Decimal(0), changed=found.changed, deltas=found.deltas,
                           args={"from": start.isoformat(), "to": end.isoformat()})
