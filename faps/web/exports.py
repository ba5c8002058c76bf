"""Exports (secretariat, auditors, finance): decision tables, SCDL, PDF documents, audit log.

Every download is a POST with its CSRF token: the export service records each export as an
event, so a GET never produces a file.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, Response, redirect, render_template, request, url_for
from marshmallow import fields, validate

from faps.application.export_kinds import KIND_LABELS, describe_parameters
from faps.application.exports import ExportFile
from faps.application.reproduction import ReproductionService
from faps.domain.actors import Role
from faps.domain.errors import FapsError, InvalidInputError
from faps.domain.labels import BODY_LABELS
from faps.web.common import actor, form_view, parse, roles_required, services
from faps.web.documents import content_disposition
from faps.web.schemas import FrenchSchema

bp = Blueprint("exports", __name__, url_prefix="/exports")
exporters = roles_required(Role.SECRETARIAT, Role.AUDITOR, Role.FINANCE_OFFICER)
PDF_KINDS = {"deliberation": "Extrait de délibération", "notification": "Notification",
             "agreement": "Convention"}
FORMATS = [("xlsx", "Tableur Excel (XLSX)"), ("ods", "Tableur OpenDocument (ODS)"),
           ("csv", "CSV")]
SEPARATORS = [(";", "point-virgule (virgule décimale)"), (",", "virgule (point décimal)")]


class TableForm(FrenchSchema):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    format = fields.String(load_default="xlsx", validate=validate.OneOf([f for f, _ in FORMATS]))
    separator = fields.String(load_default=";", validate=validate.OneOf([s for s, _ in SEPARATORS]))


class YearForm(FrenchSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class ItemForm(FrenchSchema):
    item = fields.Integer(required=True, validate=validate.Range(min=1, max=10000))


def attachment(data: bytes, name: str, media_type: str) -> Response:
    """Return a file download."""
    response = Response(data, mimetype=media_type)
    response.headers["Content-Disposition"] = content_disposition(name, "attachment")
    response.headers["Cache-Control"] = "no-store"
    return response


def send(result: ExportFile) -> Response:
    """Return a produced export, with its seal in headers."""
    response = attachment(result.data, result.name, result.media_type)
    response.headers["X-Faps-Seal"] = f"{result.seal.position}:{result.seal.head}"
    return response


def run(kind: str, parameters: dict[str, Any]) -> Response:
    """Produce, record and send an export."""
    return send(services().exports.export(actor(), kind, parameters))


def years() -> list[int]:
    """Return the years that have sessions (latest first), or this year."""
    found = {s.session_date.year for s in services().queries.sessions(actor())}
    found.add(services().clock.now().year)
    return sorted(found, reverse=True)


def index_context(**_: Any) -> dict[str, Any]:
    """Return what the exports page shows."""
    return {"years": years(), "sessions": services().queries.sessions(actor()),
            "formats": FORMATS, "separators": SEPARATORS, "verification": None,
            "form": request.form, "this_year": services().clock.now().year}


def session_context(session_id: UUID, **_: Any) -> dict[str, Any]:
    """Return a session, its agenda and the documents of its voted items."""
    queries = services().queries
    return {"session": queries.session(actor(), session_id),
            "agenda": queries.agenda(actor(), session_id), "pdf_kinds": PDF_KINDS,
            "formats": FORMATS, "separators": SEPARATORS, "form": request.form}


@bp.get("/")
@exporters
def index():  # type: ignore[no-untyped-def]
    """Offer the exports of a year and the audit of the log."""
    return render_template("exports/index.html", errors={}, **index_context())


@bp.post("/decisions")
@exporters
@form_view("exports/index.html", index_context)
def decisions():  # type: ignore[no-untyped-def]
    """Download the decision table of a year."""
    data = parse(TableForm(), request.form)
    if data["year"] is None:
        data["year"] = services().clock.now().year
    parameters: dict[str, Any] = {"year": data["year"], "format": data["format"]}
    if data["format"] == "csv":
        parameters["separator"] = data["separator"]
    return run("decisions", parameters)


@bp.post("/scdl/<any(subventions, deliberations):dataset>")
@exporters
@form_view("exports/index.html", index_context)
def scdl(dataset: str):  # type: ignore[no-untyped-def]
    """Download an SCDL open data file of a year."""
    return run(f"scdl-{dataset}", {"year": parse(YearForm(), request.form)["year"]})


@bp.post("/audit/verification")
@exporters
def verify():  # type: ignore[no-untyped-def]
    """Walk the whole chain and show the result."""
    result = services().audit.verify(actor())
    return render_template("exports/index.html", errors={},
                           **dict(index_context(), verification=result))


@bp.post("/audit/journal")
@exporters
def audit_log():  # type: ignore[no-untyped-def]
    """Start writing the whole log as JSON Lines in the background; show its progress.

    A large log takes minutes (longer than a web worker may hold a request): the file is
    prepared by a job, offered on the job's page and mailed to the requester when ready.
    """
    job_id = services().audit_log_downloads.request(actor())
    return redirect(url_for("jobs.show", job_id=job_id), code=303)


@bp.get("/seances/<uuid:session_id>")
@exporters
def session(session_id: UUID):  # type: ignore[no-untyped-def]
    """Offer a session's decision table and documents."""
    return render_template("exports/session.html", errors={},
                           **session_context(session_id))


@bp.post("/seances/<uuid:session_id>/decisions")
@exporters
@form_view("exports/session.html", session_context)
def session_decisions(session_id: UUID):  # type: ignore[no-untyped-def]
    """Download a session's decision table."""
    data = parse(TableForm(), request.form)
    parameters: dict[str, Any] = {"session_id": str(session_id), "format": data["format"]}
    if data["format"] == "csv":
        parameters["separator"] = data["separator"]
    return run("decisions", parameters)


@bp.post("/seances/<uuid:session_id>/liste")
@exporters
def session_list(session_id: UUID):  # type: ignore[no-untyped-def]
    """Download the list of a session's deliberations (PDF)."""
    return run("pdf-session-list", {"session_id": str(session_id)})


@bp.post("/seances/<uuid:session_id>/<any(deliberation, notification, agreement):document>")
@exporters
@form_view("exports/session.html", session_context)
def item_pdf(session_id: UUID, document: str):  # type: ignore[no-untyped-def]
    """Download a voted item's PDF document."""
    item = parse(ItemForm(), request.form)["item"]
    return run(f"pdf-{document}", {"session_id": str(session_id), "item": item})


def describe_record(parameters: dict[str, Any]) -> str:
    """Return a recorded export's parameters in French, a session named by its body and date."""
    queries = services().queries

    def session_name(session_id: str) -> str:
        try:
            found = queries.session(actor(), UUID(str(session_id)))
        except (FapsError, ValueError):
            return "introuvable"
        body = BODY_LABELS.get(found.body, found.body).lower()
        return f"du {body} du {found.session_date:%d/%m/%Y}"

    return describe_parameters(parameters, session_name)


def reproduction() -> ReproductionService:
    """Return the auditors' service over recorded exports."""
    return services().reproduction


def records_context(**extra: Any) -> dict[str, Any]:
    """Return the recorded exports, latest first, and any verdict to show."""
    records = reproduction().records(actor())
    context = {"records": records, "kind_labels": KIND_LABELS,
               "superseded": reproduction().superseded(actor(), records),
               "describe": describe_record, "regeneration": None, "check": None}
    return dict(context, **{k: v for k, v in extra.items() if k in context})


@bp.get("/enregistres")
@exporters
def records():  # type: ignore[no-untyped-def]
    """List every recorded export with its seal, to identify or regenerate a file."""
    return render_template("exports/records.html", errors={}, **records_context())


@bp.post("/enregistres/<uuid:export_id>/regeneration")
@exporters
def regenerate(export_id: UUID):  # type: ignore[no-untyped-def]
    """Rebuild a recorded export from the log up to its seal and compare the digests."""
    result = reproduction().regenerate(actor(), export_id)
    return render_template("exports/records.html", errors={},
                           **records_context(regeneration=result))


@bp.post("/enregistres/verification")
@exporters
@form_view("exports/records.html", records_context)
def check_file():  # type: ignore[no-untyped-def]
    """Find which recorded export a file is (by SHA-256), then regenerate and compare it."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInputError({"file": ["choisissez le fichier à vérifier"]})
    result = reproduction().check(actor(), upload.read(), upload.filename)
    return render_template("exports/records.html", errors={}, **records_context(check=result))
