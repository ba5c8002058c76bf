"""The public API (/api/v1): documented by its OpenAPI 3.1 document, browsable at /api/v1/docs.

`bp` is what create_app registers: registering it sets flask-smorest up on the application
(the API's blueprints, its document, the token checks, limits and idempotent retries).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, render_template, send_from_directory
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response

from faps.web.api import core, guards

bp = Blueprint("api", __name__, url_prefix=core.PREFIX)
DOC_ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css"})
DESCRIPTION = """\
L'API du Fonds d'aide aux projets de santé (FAPS).

**Authentification** : `Authorization: Bearer <jeton>` (jeton personnel créé sur la page
*Mon compte › Jetons d'API* ou par `faps tokens create`) ; le jeton agit avec le rôle et la
commune de son compte. Une session du navigateur convient aussi, ses écritures portant
l'en-tête `X-CSRF-Token`.

**Montants** en chaînes d'euros avec centimes (`"32850.00"`), **dates** en ISO 8601.

**Erreurs** : `application/problem+json` (RFC 9457), avec un objet `errors` par champ.

**Reprises sûres** : toute écriture accepte un en-tête `Idempotency-Key` ; la même clé avec
le même contenu renvoie la première réponse sans rien enregistrer de plus ; avec un autre
contenu, 422 ; la même clé arrivant pendant que la première requête s'exécute attend sa
réponse, ou reçoit 409. **Limite** : au-delà du nombre d'appels permis par minute (comptés pour
tous les serveurs), 429 et `Retry-After`.
"""


def _setup(state: BlueprintSetupState) -> None:
    init_api(state.app)  # type: ignore[arg-type]  # a Flask application here


bp.record_once(_setup)


def init_api(app: Flask) -> core.FapsApi:
    """Set flask-smorest up with the API's blueprints and the token, limit and retry checks."""
    from faps.web.api import dossiers, endings, exchanges, exports, fund, sessions, steps

    for key, value in {"API_TITLE": "FAPS", "API_VERSION": "1.0.0", "OPENAPI_VERSION": "3.1.0",
                       "OPENAPI_URL_PREFIX": core.PREFIX, "OPENAPI_JSON_PATH": "openapi.json",
                       "FAPS_API_RATE_LIMIT": app.config["FAPS_SETTINGS"].api_rate_limit
                       }.items():
        app.config.setdefault(key, value)
    api = core.FapsApi(app, spec_kwargs={
        "info": {"description": core.typographic(DESCRIPTION)},
        "servers": [{"url": "/", "description": "Ce serveur"}],
        "components": {"securitySchemes": {
            "jeton": {"type": "http", "scheme": "bearer",
                      "description": "Jeton personnel d'API."},
            "session": {"type": "apiKey", "in": "cookie", "name": "faps_session"}}},
        "security": [{"jeton": []}, {"session": []}],
    })
    for blueprint in (dossiers.blp, steps.blp, exchanges.blp, endings.blp, sessions.blp,
                      fund.blp, exports.blp):
        api.register_blueprint(blueprint)
    guards.install(app)
    app.extensions["faps_api"] = api
    return api


@bp.get("/docs")
def docs() -> Any:
    """Show the API's document to people (Swagger UI, served from this server)."""
    response = Response(render_template("api/docs.html"), mimetype="text/html")
    # Swagger UI sets styles from its script: the page allows inline styles, nothing else.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'none'")
    return response


@bp.get("/docs/assets/<name>")
def doc_asset(name: str) -> Response:
    """Serve Swagger UI's files from the installed swagger-ui-py package."""
    if name not in DOC_ASSETS:
        abort(404)
    import swagger_ui

    folder = Path(swagger_ui.__file__).parent / "static"
    response = send_from_directory(folder, name, max_age=86400)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
