"""The export files by kind and format, produced, sealed and recorded as the pages do."""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import fields, validate

from faps.application.export_kinds import KIND_LABELS
from faps.application.exports import MEDIA
from faps.domain.errors import InvalidInputError
from faps.web.api.core import ApiBlueprint
from faps.web.api.schema_base import In
from faps.web.common import actor, services

blp = ApiBlueprint("api_exports", __name__, tag="Fichiers publiés",
                   url_prefix="/api/v1",
                   description="Les fichiers publiés : décisions, SCDL, documents PDF.")
NEEDS = {"decisions": (), "scdl-subventions": ("year",), "scdl-deliberations": ("year",),
         "pdf-session-list": ("session_id",), "pdf-deliberation": ("session_id", "item"),
         "pdf-notification": ("session_id", "item"), "pdf-agreement": ("session_id", "item")}


class ExportIn(In):
    kind = fields.String(required=True, validate=validate.OneOf(list(KIND_LABELS)),
                         metadata={"description": "Le type de fichier."})
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    session_id = fields.UUID()
    item = fields.Integer(validate=validate.Range(min=1, max=10000))
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "ods", "csv"]),
                           metadata={"description": "Tableau des décisions seulement."})
    separator = fields.String(load_default=";", validate=validate.OneOf([";", ","]),
                              metadata={"description": "CSV seulement."})


def parameters_of(data: dict[str, Any]) -> dict[str, Any]:
    """Return the export's parameters, as the exports page sends them."""
    kind = data["kind"]
    missing = [name for name in NEEDS[kind] if data.get(name) is None]
    if kind == "decisions" and data.get("year") is None and data.get("session_id") is None:
        missing = ["year"]
    labels = {"year": "Année", "session_id": "Séance", "item": "Point"}
    if missing:
        raise InvalidInputError({name: [f"{labels[name]}\u202f: champ obligatoire pour ce type "
                                        "d'export"] for name in missing})
    found: dict[str, Any] = {name: data[name] for name in ("year", "item") if
                             data.get(name) is not None and name in (*NEEDS[kind], "year")}
    if data.get("session_id") is not None:
        found["session_id"] = str(data["session_id"])
    if kind == "decisions":
        found["format"] = data["format"]
        if data["format"] == "csv":
            found["separator"] = data["separator"]
        if "session_id" in found:
            found.pop("year", None)
    return found


@blp.route("/exports", methods=["POST"])
@blp.doc(operationId="createExport", summary="Produire un fichier publié (enregistré et scellé)",
         description="Comme la page Exports : chaque export est enregistré (qui, quand, "
         "paramètres) et porte le sceau du journal (en-tête `X-Faps-Seal`).",
         responses={"200": {"description": "Le fichier.", "content": {
             media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
             for media in MEDIA.values()}}})
@blp.arguments(ExportIn, example={"kind": "decisions", "year": 2026, "format": "csv",
                                  "separator": ";"})
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create_export(data: dict[str, Any]) -> Response:
    result = services().exports.export(actor(), data["kind"], parameters_of(data))
    response = Response(result.data, mimetype=result.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{result.name}"'
    response.headers["X-Faps-Seal"] = f"{result.seal.position}:{result.seal.head}"
    return response
