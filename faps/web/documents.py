"""Serving a dossier's documents inline, checked against the hash their event recorded."""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

from flask import Blueprint, Response

from faps.web.common import actor, login_required, services

bp = Blueprint("documents", __name__)


def content_disposition(name: str) -> str:
    """Return an inline Content-Disposition that keeps accented names (RFC 6266 / 5987)."""
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.get("/dossiers/<uuid:dossier_id>/pieces/<uuid:document_id>")
@login_required
def view(dossier_id: UUID, document_id: UUID) -> Response:
    """Serve a document to those who may read the dossier (a commune: only its own)."""
    ref, data = services().dossiers.document(actor(), dossier_id, document_id)
    response = Response(data, mimetype=ref.media_type)
    response.headers["Content-Disposition"] = content_disposition(ref.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # A PDF or an image is shown by the browser, never run as a page of faps.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; " \
        "style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'; sandbox"
    return response
