"""Serving a dossier's documents inline, checked against the hash their event recorded."""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

from flask import Blueprint, Response

from faps.application.documents import file_name
from faps.web.common import actor, login_required, services

bp = Blueprint("documents", __name__)


def content_disposition(name: str, disposition: str = "inline") -> str:
    """Return a Content-Disposition that keeps accented names (RFC 6266 / 5987).

    The plain `filename` holds printable ASCII only (no quote, backslash, CR, LF or NUL).
    """
    ascii_name = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.get("/dossiers/<uuid:dossier_id>/pieces/<uuid:document_id>")
@login_required
def view(dossier_id: UUID, document_id: UUID) -> Response:
    """Serve a document to those who may read the dossier (a commune: only its own)."""
    ref, data = services().dossiers.document(actor(), dossier_id, document_id)
    response = Response(data, mimetype=ref.media_type)
    # Names stored before they were cleaned are cleaned when served.
    response.headers["Content-Disposition"] = content_disposition(
        file_name(ref.name, ref.media_type))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # A PDF or an image is shown by the browser, never run as a page of faps.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; " \
        "style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'; sandbox"
    return response
