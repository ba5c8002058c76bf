"""The public API's machinery: flask-smorest set up for problem+json and French tags.

- Errors are `application/problem+json` (RFC 9457) with a per-field `errors` object, the
  fields named by their labels.
- Operations are grouped under French tags (`ApiBlueprint(tag=…)`).
Tokens, limits and retries are in `guards`.
"""

from __future__ import annotations

import http
import re
from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, json
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from marshmallow import Schema, fields
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from faps.domain.labels import FIELD_LABELS

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


def typographic(text: str) -> str:
    """Return French running text with its typography: ’, and a narrow no-break space before
    « ; : ! ? » and inside guillemets (the document's summaries and descriptions)."""
    text = re.sub(r"(?<=\w)'(?=\w)", "\u2019", text)
    text = re.sub(r" ([;:!?])(?=\s|$)", "\u202f\\1", text)
    return text.replace("« ", "«\u202f").replace(" »", "\u202f»")


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose input errors are 400, grouped under a French tag."""

    ARGUMENTS_PARSER = FrenchParser()

    def __init__(self, name: str, import_name: str, *, tag: str, **kwargs: Any) -> None:
        if "description" in kwargs:
            kwargs["description"] = typographic(kwargs["description"])
        super().__init__(name, import_name, **kwargs)
        self.tag = tag

    def doc(self, **kwargs: Any) -> Any:
        """Document an operation, its summary and description set in French typography."""
        for name in ("summary", "description"):
            if isinstance(kwargs.get(name), str):
                kwargs[name] = typographic(kwargs[name])
        return super().doc(**kwargs)

    def route(self, rule: str, *, parameters: Any = None, tags: Any = None,
              **options: Any) -> Any:
        """Declare a route; its operations go under the blueprint's French tag."""
        return super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)


class FapsApi(Api):
    """flask-smorest, documenting problem+json errors and leaving the pages' handlers alone."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def register_blueprint(self, blp: Blueprint, *, parameters: Any = None,
                           **options: Any) -> None:
        """Register a blueprint, its operations grouped under its French tag (not its name)."""
        tag = getattr(blp, "tag", None) or options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp.name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=blp.name,
                                  parameters=parameters)
        self.spec.tag({"name": tag, "description": blp.description})

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
