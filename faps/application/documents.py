"""Uploaded files: type checked by content, size limited, stored by SHA-256."""

from __future__ import annotations

from uuid import uuid4

from faps.domain.dossier_content import DocumentRef
from faps.domain.errors import InvalidInputError

ACCEPTED = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniff_media_type(data: bytes) -> str | None:
    """Return the media type read from the file's first bytes (PDF, PNG, JPEG), or None."""
    head = data[:1024].lstrip(b"\r\n\t ")
    for magic, media_type in ACCEPTED.items():
        if head.startswith(magic):
            return media_type
    return None


def check_upload(name: str, data: bytes, max_bytes: int) -> str:
    """Check an upload and return its media type; the name's extension is not trusted."""
    if not data:
        raise InvalidInputError({"file": ["le fichier est vide"]})
    if len(data) > max_bytes:
        raise InvalidInputError({"file": [
            f"le fichier dépasse la taille maximale de {max_bytes // (1024 * 1024)} Mo"]})
    media_type = sniff_media_type(data)
    if media_type is None:
        raise InvalidInputError({"file": [
            f"« {name} » n'est ni un PDF ni une image PNG ou JPEG (contenu vérifié)"]})
    return media_type


def document_ref(kind: str, name: str, data: bytes, media_type: str, sha256: str) -> DocumentRef:
    """Return the event-facing description of a stored file."""
    clean = name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "document"
    return DocumentRef(document_id=uuid4(), kind=kind, name=clean, size=len(data),
                       media_type=media_type, sha256=sha256)
