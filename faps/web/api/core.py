"""The public API's machinery: flask-smorest set up for problem+json, tokens, limits, retries.

- A call is authenticated by `Authorization: Bearer <token>` (acting with its account's role
  and commune) or by the browser session, whose writes carry the `X-CSRF-Token` header.
- Errors are `application/problem+json` (RFC 9457) with a per-field `errors` object.
- A write with an `Idempotency-Key` is answered once; the same key and body again gets the
  first response back (nothing recorded twice); another body with that key gets 422.
- Each token (or signed-in account) may make `FAPS_API_RATE_LIMIT` calls a minute; past it,
  429 with `Retry-After`. The count is kept per process (each gunicorn worker counts its own).
"""

from __future__ import annotations

import hashlib
import http
import threading
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, g, json, request
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from marshmallow import Schema, fields
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from faps.domain.labels import FIELD_LABELS
from faps.infrastructure.api_store import SqlAlchemyIdempotency, StoredResponse
from faps.web.common import current_actor, services

PROBLEM = "application/problem+json"
PREFIX = "/api/v1"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TITLES = {400: "Demande invalide", 401: "Authentification requise", 403: "Accès refusé",
          404: "Ressource introuvable", 405: "Méthode non permise",
          409: "Modification concurrente", 412: "Version périmée", 413: "Fichier trop volumineux",
          415: "Type de contenu non pris en charge", 422: "Action impossible",
          428: "Version attendue", 429: "Trop de requêtes", 500: "Erreur du serveur"}
# Statuses worth answering again to a retry: a success or a final refusal of this very body.
REPLAYABLE = frozenset({200, 201, 202, 204, 400, 404, 422})


class ProblemSchema(Schema):
    """An error, as RFC 9457 describes it, with the messages of each field."""

    type = fields.String(metadata={"description": "Toujours « about:blank »."})
    title = fields.String(required=True, metadata={"description": "Le genre d'erreur."})
    status = fields.Integer(required=True, metadata={"description": "Le code HTTP."})
    detail = fields.String(required=True, metadata={"description": "Ce qui s'est passé et "
                                                    "que faire."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Par champ, ses messages (en français)."})
    current_version = fields.Integer(metadata={"description": "La version actuelle (409, 412)."})


class FrenchParser(FlaskParser):
    """Bad input is a 400, like the rest of faps."""

    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose input errors are 400."""

    ARGUMENTS_PARSER = FrenchParser()


class FapsApi(Api):
    """flask-smorest, documenting problem+json errors and leaving the pages' handlers alone."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """faps.web.errors maps every error, for the API as for the pages."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": TITLES.get(status, status.phrase)}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                response["example"] = {"type": "about:blank", "title": response["description"],
                                       "status": int(status),
                                       "detail": _EXAMPLES.get(status, response["description"])}
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)


_EXAMPLES = {400: "Vérifiez les champs signalés.", 401: "Jeton absent, invalide ou révoqué.",
             403: "Votre rôle ne permet pas cette action.", 404: "Dossier introuvable.",
             409: "Le dossier a été modifié entre-temps : rechargez-le et recommencez.",
             412: "Le dossier a changé depuis la version envoyée dans If-Match.",
             422: "Impossible de déposer : le dossier est « Déposé ».",
             429: "Trop de requêtes : réessayez dans 12 secondes."}


def problem(status: int, detail: str, errors: Mapping[str, list[str]] | None = None,
            headers: Mapping[str, str] | None = None, **extra: Any) -> Response:
    """Return an application/problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": TITLES.get(status, "Erreur"),
                            "status": status, "detail": detail, **extra}
    if errors:
        body["errors"] = dict(errors)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Return webargs/marshmallow messages as {field path: [messages]} (locations dropped)."""
    found: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not prefix and key in ("json", "query", "form", "files", "headers", "view_args"):
                found.update(flatten(value, ""))
                continue
            path = f"{prefix}[{key}]" if isinstance(key, int) else (
                f"{prefix}.{key}" if prefix else str(key))
            found.update(flatten(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        found[prefix or "_"] = list(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            found.update(flatten(value, f"{prefix}[{index}]"))
    else:
        found[prefix or "_"] = [str(messages)]
    return found


def http_problem(error: HTTPException) -> Response:
    """Return the problem of an HTTP error raised in the API (webargs' bad input included)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if "messages" in data:
        errors = labelled(flatten(data["messages"]))
        return problem(400, "Vérifiez les champs signalés : " + ", ".join(errors) + ".", errors,
                       headers=data.get("headers"))
    if status == 401:
        return problem(401, error.description or TITLES[401],
                       headers={"WWW-Authenticate": 'Bearer realm="faps"'})
    return problem(status, error.description or TITLES.get(status, "Erreur"))


# The labels of the fields the API takes, as the people who use faps name them: the one map of
# faps.domain.labels, and the API's own query parameters.
LABELS = {**FIELD_LABELS, "request_id": "Demande de versement", "annee": "Année", "etat": "État",
          "q": "Recherche", "limit": "Nombre par page", "cursor": "Curseur",
          "expires_days": "Durée de validité"}


def labelled(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Prefix each message with its field's label: « Montant sollicité : champ obligatoire »."""
    found: dict[str, list[str]] = {}
    for path, messages in errors.items():
        head = path.split(".")[0].split("[")[0]
        label = LABELS.get(path.rsplit(".", 1)[-1]) if "." in path else None
        label = label or LABELS.get(head)
        found[path] = [f"{label}\u202f: {m}" if label and not m.startswith(label) else m
                       for m in messages]
    return found


# -- authentication, rate limit and idempotency ---------------------------------------------
class RateLimiter:
    """A fixed window per caller and minute, in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def retry_after(self, caller: str, limit: int) -> int:
        """Count a call; return 0 if allowed, else the seconds until the next window."""
        now = time.time()
        window = int(now // 60)
        with self._lock:
            start, count = self._windows.get(caller, (window, 0))
            if start != window:
                start, count = window, 0
            if count >= limit:
                return max(1, int((window + 1) * 60 - now) + 1)
            self._windows[caller] = (start, count + 1)
            if len(self._windows) > 10_000:
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
        return 0


def _authenticate() -> Response | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return problem(401, "En-tête Authorization invalide : « Bearer <jeton> » attendu.",
                       headers={"WWW-Authenticate": 'Bearer realm="faps"'})
    found = services().tokens.authenticate(secret.strip())
    if found is None:
        return problem(401, "Jeton absent, invalide, expiré ou révoqué.",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    g.actor, g.api_token_id = found
    return None


def _caller() -> str | None:
    token_id = g.get("api_token_id")
    if token_id is not None:
        return f"token:{token_id}"
    found = current_actor()
    return f"account:{found.account_id}" if found is not None else None


def _idempotency() -> SqlAlchemyIdempotency:
    return services().web.idempotency


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    if request.mimetype != "multipart/form-data":
        digest.update(request.get_data(cache=True))
        return digest.hexdigest()
    # A multipart body's boundary is random: the same upload is its fields and files' bytes.
    for name, value in sorted(request.form.items(multi=True)):
        digest.update(json.dumps(["field", name, value]).encode())
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
        content = upload.stream.read()
        upload.stream.seek(0)
        digest.update(json.dumps(["file", name, upload.filename,
                                  hashlib.sha256(content).hexdigest()]).encode())
    return digest.hexdigest()


def _replay_or_refuse(caller: str) -> Response | None:
    key = request.headers.get("Idempotency-Key")
    if key is None or request.method not in WRITES:
        return None
    if not 1 <= len(key) <= 255 or not key.isprintable():
        return problem(400, "En-tête Idempotency-Key invalide (1 à 255 caractères).",
                       {"Idempotency-Key": ["1 à 255 caractères imprimables"]})
    fingerprint = _fingerprint()
    stored = _idempotency().get(caller, key)
    if stored is None:
        g.idempotency = (caller, key, fingerprint)
        return None
    if stored.fingerprint != fingerprint:
        return problem(422, "Cette clé d'idempotence a déjà servi pour une autre requête : "
                       "prenez une nouvelle clé pour une nouvelle opération.",
                       {"Idempotency-Key": ["déjà utilisée avec un autre contenu"]})
    response = current_app.response_class(stored.body, status=stored.status,
                                          content_type=stored.content_type)
    if stored.location:
        response.headers["Location"] = stored.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _remember(response: Response) -> Response:
    pending = g.pop("idempotency", None)
    if pending is not None and response.status_code in REPLAYABLE:
        caller, key, fingerprint = pending
        _idempotency().put(caller, key, StoredResponse(
            fingerprint, response.status_code, response.content_type or "application/json",
            response.headers.get("Location"), response.get_data()))
    return response


def install(app: Flask) -> None:
    """Authenticate, limit and make retries safe on every /api/ call."""
    limiter = RateLimiter()

    @app.before_request
    def _api_before() -> Response | None:
        if not request.path.startswith("/api/") or _public(request.path):
            return None
        refused = _authenticate()
        if refused is not None:
            return refused
        caller = _caller()
        if caller is None:
            return problem(401, "Authentifiez-vous : en-tête « Authorization: Bearer <jeton> », "
                           "ou session du navigateur.",
                           headers={"WWW-Authenticate": 'Bearer realm="faps"'})
        wait = limiter.retry_after(caller, int(app.config.get("FAPS_API_RATE_LIMIT", 600)))
        if wait:
            return problem(429, f"Trop de requêtes : réessayez dans {wait} secondes.",
                           headers={"Retry-After": str(wait)})
        return _replay_or_refuse(caller)

    @app.after_request
    def _api_after(response: Response) -> Response:
        if request.path.startswith("/api/"):
            response = _remember(response)
        return response


PUBLIC = frozenset({f"{PREFIX}/openapi.json", f"{PREFIX}/docs", f"{PREFIX}/docs/"})


def _public(path: str) -> bool:
    return path in PUBLIC or path.startswith(f"{PREFIX}/docs/assets/")
