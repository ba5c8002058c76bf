"""The answer link of an external opinion: a token signing the dossier and opinion ids with
HMAC-SHA256 under the application's secret key (see faps.application.exchanges)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

from faps.domain.errors import NotFoundError


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def opinion_token(key: str, dossier_id: UUID, opinion_id: UUID) -> str:
    """Return the unguessable token of an opinion's answer link."""
    payload = dossier_id.bytes + opinion_id.bytes
    mac = hmac.new(key.encode(), b"faps-opinion:" + payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def read_opinion_token(key: str, token: str) -> tuple[UUID, UUID]:
    """Return (dossier id, opinion id) of a genuine token; NotFoundError otherwise."""
    head = token.partition(".")[0]
    try:
        payload = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
    except ValueError:
        payload = b""
    if len(payload) != 32 or len(token) > 200:
        raise NotFoundError("Lien invalide.")
    dossier_id, opinion_id = UUID(bytes=payload[:16]), UUID(bytes=payload[16:])
    if not hmac.compare_digest(opinion_token(key, dossier_id, opinion_id), token):
        raise NotFoundError("Lien invalide.")
    return dossier_id, opinion_id
