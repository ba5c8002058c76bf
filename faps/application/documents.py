"""Uploaded files: type checked by content, size limited, stored by SHA-256."""

from __future__ import annotations

import re
from uuid import uuid4

from faps.domain.dossier_content import DocumentRef
from faps.domain.errors import InvalidInputError
from faps.domain.text import printable

ACCEPTED = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}

EXTENSIONS = {"application/pdf": (".pdf",), "image/png": (".png",),
              "image/jpeg": (".jpg", ".jpeg")}
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")


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


def file_name(name: str, media_type: str) -> str:
    """Return the name a file is kept and served under: its extension tells its real type.

    No folder, no control character (a CR or LF would break the header that serves it), at
    most 255 characters; a PDF sent as `x.html` is kept as `x.pdf`.
    """
    base = printable(name).replace("\t", " ").replace("\r", "").replace("\n", "")
    base = base.replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
    allowed = EXTENSIONS.get(media_type, ())
    if allowed and not base.lower().endswith(allowed):
        base = _SUFFIX.sub("", base) or "document"
        return base[:255 - len(allowed[0])] + allowed[0]
    return base[:255]


def document_ref(kind: str, name: str, data: bytes, media_type: str, sha256: str) -> DocumentRef:
    """Return the event-facing description of a stored file."""
    return DocumentRef(document_id=uuid4(), kind=kind, name=file_name(name, media_type),
                       size=len(data), media_type=media_type, sha256=sha256)
