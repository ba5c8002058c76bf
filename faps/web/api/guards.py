"""What every /api/ call goes through: authentication, the rate limit, safe retries.

- A call is authenticated by `Authorization: Bearer <token>` (acting with its account's role
  and commune) or by the browser session, whose writes carry the `X-CSRF-Token` header.
- Each token (or signed-in account) may make `FAPS_API_RATE_LIMIT` calls a minute, counted in
  the database by every process and host; past it, 429 with `Retry-After`.
- A write with an `Idempotency-Key` first claims the key (a marker row): the same key and body
  again gets the first response back (nothing recorded twice), another body 422. A second
  request arriving while the first still runs waits for its answer (up to
  `FAPS_API_IDEMPOTENCY_WAIT` seconds, 10 by default), then gets 409: the two never both run.
"""

from __future__ import annotations

import hashlib
import time

from flask import Flask, Response, current_app, g, json, request

from faps.infrastructure.api_store import (
    SqlAlchemyIdempotency,
    SqlAlchemyRateLimit,
    StoredResponse,
)
from faps.web.api.core import PREFIX, problem
from faps.web.common import current_actor, services

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Statuses worth answering again to a retry: a success or a final refusal of this very body.
REPLAYABLE = frozenset({200, 201, 202, 204, 400, 404, 422})
POLL_SECONDS = 0.05
PUBLIC = frozenset({f"{PREFIX}/openapi.json", f"{PREFIX}/docs", f"{PREFIX}/docs/"})


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


def _rate_limit() -> SqlAlchemyRateLimit:
    return services().web.rate_limit


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
    store = _idempotency()
    held = store.claim(caller, key, fingerprint)
    if held is None:
        g.idempotency = (caller, key, fingerprint)
        return None
    if held.fingerprint != fingerprint:
        return problem(422, "Cette clé d'idempotence a déjà servi pour une autre requête : "
                       "prenez une nouvelle clé pour une nouvelle opération.",
                       {"Idempotency-Key": ["déjà utilisée avec un autre contenu"]})
    deadline = time.monotonic() + float(current_app.config.get("FAPS_API_IDEMPOTENCY_WAIT", 10))
    while held is not None and held.in_progress and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        held = store.get(caller, key)
    if held is None:  # the first request gave no answer worth keeping: run this one
        return _replay_or_refuse(caller)
    if held.in_progress:
        return problem(409, "Une requête avec cette clé d'idempotence est en cours : "
                       "attendez sa réponse, puis réessayez avec la même clé.",
                       {"Idempotency-Key": ["requête en cours avec cette clé"]},
                       headers={"Retry-After": "1"})
    return _replayed(held)


def _replayed(stored: StoredResponse) -> Response:
    response = current_app.response_class(stored.body, status=stored.status,
                                          content_type=stored.content_type)
    if stored.location:
        response.headers["Location"] = stored.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _remember(response: Response) -> Response:
    pending = g.pop("idempotency", None)
    if pending is None:
        return response
    caller, key, fingerprint = pending
    if response.status_code in REPLAYABLE:
        _idempotency().put(caller, key, StoredResponse(
            fingerprint, response.status_code, response.content_type or "application/json",
            response.headers.get("Location"), response.get_data()))
    else:  # a conflict, a server error…: nothing to replay, a retry runs again
        _idempotency().release(caller, key)
    return response


def install(app: Flask) -> None:
    """Authenticate, limit and make retries safe on every /api/ call."""

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
        wait = _rate_limit().retry_after(caller, int(app.config.get("FAPS_API_RATE_LIMIT", 600)),
                                         time.time())
        if wait:
            return problem(429, f"Trop de requêtes : réessayez dans {wait} secondes.",
                           headers={"Retry-After": str(wait)})
        return _replay_or_refuse(caller)

    @app.after_request
    def _api_after(response: Response) -> Response:
        if request.path.startswith("/api/"):
            response = _remember(response)
        return response

    @app.teardown_request
    def _api_teardown(_error: BaseException | None) -> None:
        pending = g.pop("idempotency", None)  # still here: the request died before answering
        if pending is not None:
            _idempotency().release(pending[0], pending[1])


def _public(path: str) -> bool:
    return path in PUBLIC or path.startswith(f"{PREFIX}/docs/assets/")
