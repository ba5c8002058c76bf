"""The dossier resources: list, draft, read (as of a date), edit, documents, filing, history."""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

from flask import Response, request

from faps.application.queries import DossierFilter
from faps.application.timetravel import end_of
from faps.domain.actors import Role
from faps.domain.errors import ConflictError, InvalidInputError, NotFoundError
from faps.infrastructure.readmodels.api_list import dossiers_after
from faps.web.api import schemas as s
from faps.web.api.core import ApiBlueprint, problem
from faps.web.api.shapes import (
    EXAMPLE_CONTENT,
    EXAMPLE_ID,
    EXAMPLE_ROW,
    dossier_out,
    json_response,
    link,
    plain,
    row_out,
    step,
)
from faps.web.common import actor, parse, services
from faps.web.documents import content_disposition

blp = ApiBlueprint("api_dossiers", __name__, tag="Dossiers",
                   url_prefix="/api/v1/dossiers",
                   description="Les dossiers de demande de fonds de concours.")
NOT_FOUND = 404

def _cursor(text: str | None) -> UUID | None:
    if not text:
        return None
    try:
        return UUID(base64.urlsafe_b64decode(text.encode() + b"==").decode())
    except (ValueError, UnicodeDecodeError):
        raise InvalidInputError({"cursor": ["curseur invalide : reprenez le `next_cursor` "
                                            "de la page précédente"]}) from None


@blp.route("", methods=["GET"])
@blp.doc(operationId="listDossiers", summary="Lister les dossiers visibles",
         description="Un agent communal ne voit que ceux de sa commune. Pagination par "
         "curseur : ordre stable (identifiant), `next_cursor` vaut null sur la dernière page.")
@blp.arguments(s.DossierListArgs, location="query")
@blp.response(200, s.DossierPageOut, example={"items": [EXAMPLE_ROW], "next_cursor": None})
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
def list_dossiers(args: dict[str, Any]) -> Response:
    flt = DossierFilter(commune=args.get("commune"), states=tuple(args.get("etat") or ()),
                        year=args.get("annee"), text=args.get("q"))
    rows, after = dossiers_after(services().queries, actor(), flt, _cursor(args.get("cursor")),
                                 args["limit"])
    cursor = base64.urlsafe_b64encode(str(after).encode()).decode().rstrip("=") if after else None
    # Serialized here rather than by the response schema (which documents the same shape):
    # a page of 50 rows through marshmallow was most of the read's time.
    return json_response({"items": [row_out(r) for r in rows], "next_cursor": cursor})


@blp.route("", methods=["POST"])
@blp.doc(operationId="createDossier", summary="Ouvrir un brouillon de dossier",
         description="Réservé aux agents communaux, pour leur commune.")
@blp.arguments(s.DraftIn, example={"commune": "77258", **EXAMPLE_CONTENT})
@blp.response(201, s.CreatedOut, example={"id": EXAMPLE_ID, "version": 1,
                                          "link": f"/api/v1/dossiers/{EXAMPLE_ID}"})
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create_dossier(data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    who = actor()
    commune = data.pop("commune", None) or (who.commune if who.role is Role.COMMUNE_AGENT else "")
    if not commune:
        raise InvalidInputError({"commune": ["Commune : champ obligatoire"]})
    dossier_id = services().dossiers.draft(who, commune, data)
    return ({"id": dossier_id, "version": 1, "link": link(dossier_id)}, 201,
            {"Location": link(dossier_id)})


@blp.route("/<uuid:dossier_id>", methods=["GET"])
@blp.doc(operationId="getDossier", summary="Lire un dossier (à une date, si demandé)",
         description="Avec `as_of`, le dossier tel qu'il était à la fin de ce jour (UTC).")
@blp.arguments(s.AsOfArgs, location="query")
@blp.response(200, s.DossierOut, example={
    "id": EXAMPLE_ID, "reference": "FAPS-2026-002", "commune": "77258", "state": "depose",
    "state_label": "Déposé", "version": 8, "reglement_version": "2022-03-31",
    "submitted_on": "2026-12-06", "content": EXAMPLE_CONTENT, "proposed_amount": None,
    "awarded_amount": "0.00", "paid": "0.00", "clawback_due": "0.00", "decision": None,
    "documents": [], "information_requests": [], "payment_requests": [],
    "officer_name": None, "as_of": None})
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_dossier(args: dict[str, Any], dossier_id: UUID) -> Any:
    faps = services()
    if args.get("as_of") is None:
        dossier = faps.dossiers.load(actor(), dossier_id)
        response = dossier_out(dossier)
        return response, 200, {"ETag": f'"{dossier.version}"'}
    history = faps.timetravel.history(actor(), dossier_id, as_of=args["as_of"])
    if history.state is None:
        raise NotFoundError("Le dossier n'existait pas encore à cette date.")
    return dossier_out(history.state, end_of(args["as_of"]))


def expected_version() -> int:
    """Return the version named by If-Match (428 if absent)."""
    header = (request.headers.get("If-Match") or "").strip().removeprefix("W/").strip('"')
    if not header:
        raise PreconditionRequired()
    if not header.isdigit() or len(header) > 9:
        raise InvalidInputError({"If-Match": ["numéro de version attendu, par exemple \"3\""]})
    return int(header)


class PreconditionRequired(Exception):
    """PATCH without If-Match."""


class VersionMismatch(Exception):
    """If-Match names another version."""

    def __init__(self, current: int) -> None:
        super().__init__(current)
        self.current = current


@blp.errorhandler(PreconditionRequired)
def _precondition_required(_error: PreconditionRequired) -> Response:
    return problem(428, "Envoyez la version du dossier que vous modifiez dans l'en-tête "
                   "If-Match (son ETag).")


@blp.errorhandler(VersionMismatch)
def _version_mismatch(error: VersionMismatch) -> Response:
    return problem(412, "Le dossier a changé depuis la version envoyée dans If-Match : "
                   "relisez-le et recommencez.", current_version=error.current)


IF_MATCH = {"in": "header", "name": "If-Match", "required": True,
            "description": "La version lue (l'ETag de GET), par exemple \"3\".",
            "schema": {"type": "string", "pattern": r'^(W/)?"?[0-9]{1,9}"?$'}}


@blp.route("/<uuid:dossier_id>", methods=["PATCH"])
@blp.doc(operationId="updateDossier", summary="Modifier le projet d'un brouillon",
         description="Seuls les champs envoyés changent. La version lue va dans If-Match : "
         "une version périmée reçoit 412, sans rien enregistrer.", parameters=[IF_MATCH])
@blp.arguments(s.ContentIn, example={"requested_amount": "28000.00"})
@blp.response(200, s.StepOut)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(428, response="PRECONDITION_REQUIRED")
def update_dossier(data: dict[str, Any], dossier_id: UUID) -> Any:
    version = expected_version()
    faps = services()
    try:
        faps.dossiers.edit(actor(), dossier_id, data, expected_version=version)
    except ConflictError as exc:
        if exc.current_version is None:  # a concurrent save, not the version sent: 409
            raise
        raise VersionMismatch(exc.current_version) from None
    return step(dossier_id)


UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["kind", "file"],
    "properties": {"kind": {"type": "string", "minLength": 1, "maxLength": 40,
                            "description": "Type de pièce (code du règlement).",
                            "example": "devis"},
                   "file": {"type": "string", "format": "binary",
                            "description": "Le fichier : PDF, PNG ou JPEG."}}}}}}


@blp.route("/<uuid:dossier_id>/documents", methods=["POST"])
@blp.doc(operationId="attachDocument", summary="Joindre une pièce (PDF, PNG ou JPEG)",
         description="Formulaire multipart : `kind` (type de pièce) et `file`.",
         requestBody=UPLOAD_BODY)
@blp.response(201, s.DocumentOut, example={
    "id": "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6", "kind": "devis", "name": "devis.pdf",
    "size": 48213, "media_type": "application/pdf", "sha256": "9f86d08" + "0" * 57,
    "link": f"/api/v1/dossiers/{EXAMPLE_ID}/documents/5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"})
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def attach_document(dossier_id: UUID) -> Any:
    form = parse(s.DocumentUploadIn(), request.form)
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInputError({"file": ["Fichier : joignez le fichier (champ « file »)"]})
    faps = services()
    document_id = faps.dossiers.attach(actor(), dossier_id, form["kind"],
                                       (upload.filename or "piece")[:255], upload.read())
    dossier = faps.dossiers.load(actor(), dossier_id)
    out = next(d for d in dossier_out(dossier)["documents"] if d["id"] == document_id)
    return out, 201, {"Location": out["link"]}


@blp.route("/<uuid:dossier_id>/documents/<uuid:document_id>", methods=["GET"])
@blp.doc(operationId="getDocument", summary="Télécharger une pièce",
         description="Le fichier tel qu'il a été déposé, vérifié contre son empreinte.",
         responses={"200": {"description": "Le fichier.", "content": {
             media: {"schema": {"type": "string", "format": "binary"},
                     "example": "%PDF-1.4 …" if media == "application/pdf" else ""}
             for media in ("application/pdf", "image/png", "image/jpeg")}}})
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_document(dossier_id: UUID, document_id: UUID) -> Response:
    ref, data = services().dossiers.document(actor(), dossier_id, document_id)
    response = Response(data, mimetype=ref.media_type)
    response.headers["Content-Disposition"] = content_disposition(ref.name)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@blp.route("/<uuid:dossier_id>/submission", methods=["POST"])
@blp.doc(operationId="submitDossier", summary="Déposer le dossier",
         description="Le dossier reçoit sa référence et sera jugé selon la version du "
         "règlement en vigueur ce jour.")
@blp.response(201, s.SubmittedOut, example={"id": EXAMPLE_ID, "version": 4,
                                            "reference": "FAPS-2026-002",
                                            "link": f"/api/v1/dossiers/{EXAMPLE_ID}"})
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def submit_dossier(dossier_id: UUID) -> Any:
    faps = services()
    reference = faps.dossiers.submit(actor(), dossier_id)
    dossier = faps.dossiers.load(actor(), dossier_id)
    return {"id": dossier_id, "version": dossier.version, "reference": reference,
            "link": link(dossier_id)}, 201


@blp.route("/<uuid:dossier_id>/events", methods=["GET"])
@blp.doc(operationId="listDossierEvents", summary="Lire l'historique d'un dossier",
         description="Chaque événement : qui, quoi, quand, et les champs changés. Les notes "
         "internes ne sont pas montrées aux communes.")
@blp.response(200, s.EventsOut, example={"items": [{
    "version": 1, "at": "2026-12-06T14:05:00+00:00", "kind": "Drafted",
    "label": "Brouillon créé", "actor_name": "Agent de Lognes", "actor_role": "agent_commune",
    "summary": "", "changes": [{"field": "Montant sollicité", "before": "0.00",
                                "after": "30000.00"}]}]})
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_events(dossier_id: UUID) -> dict[str, Any]:
    rows = services().queries.timeline(actor(), dossier_id)
    return {"items": [{"version": r.version, "at": r.at, "kind": r.kind, "label": r.label,
                       "actor_name": r.actor_name, "actor_role": r.actor_role,
                       "summary": r.summary,
                       "changes": [{"field": str(c[0]), "before": plain(c[1]),
                                    "after": plain(c[2])} for c in r.changes]}
                      for r in rows]}
