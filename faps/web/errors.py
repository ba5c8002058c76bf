"""One place maps errors to HTTP: French pages for people, JSON for the API; 500s logged."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from faps.domain.errors import (
    BudgetExceededError,
    ConfigurationError,
    ConflictError,
    FapsError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    TransitionNotAllowedError,
)
from faps.infrastructure.documents import DocumentAlteredError

log = logging.getLogger("faps.web")
TITLES = {400: "Demande invalide", 403: "Accès refusé", 404: "Page introuvable",
          405: "Méthode non permise", 409: "Modification concurrente",
          413: "Fichier trop volumineux", 422: "Action impossible", 500: "Erreur du serveur"}
MESSAGES = {404: "La page demandée n’existe pas, ou vous n’y avez pas accès.",
            405: "Cette adresse ne s’utilise pas ainsi.",
            413: "Le fichier envoyé dépasse la taille autorisée.",
            500: "Une erreur inattendue s’est produite ; elle a été consignée. "
                 "Réessayez, ou contactez l’administrateur si elle persiste."}


def status_of(error: FapsError) -> int:
    """Return the HTTP status of a faps error."""
    if isinstance(error, DocumentAlteredError):
        return 500  # the store no longer matches the event's hash: an incident, not bad input
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, PermissionDeniedError):
        return 403
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, TransitionNotAllowedError | BudgetExceededError | ConfigurationError):
        return 422
    return 400


def respond(status: int, message: str, errors: dict[str, list[str]] | None = None):  # type: ignore[no-untyped-def]
    """Answer JSON to the API, a French page to people."""
    if request.path.startswith("/api/"):
        from faps.web.api.core import labelled, problem

        return problem(status, message, labelled(errors) if errors else None)
    return render_template("errors/error.html", status=status, title=TITLES.get(status, "Erreur"),
                           message=message, errors=errors or {}), status


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(FapsError)
    def _faps_error(error: FapsError):  # type: ignore[no-untyped-def]
        errors = error.errors if isinstance(error, InvalidInputError) else None
        if isinstance(error, ConflictError) and request.path.startswith("/api/"):
            from faps.web.api.core import problem

            if error.current_version is None:
                return problem(409, error.message)
            return problem(409, error.message, current_version=error.current_version)
        if status_of(error) >= 500:
            log.error("%s on %s %s: %s", type(error).__name__, request.method, request.path,
                      error.message)
        return respond(status_of(error), error.message, errors)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            from faps.web.api.core import http_problem

            return http_problem(error)
        status = error.code or 500
        message = MESSAGES.get(status) if status != 400 else None
        return respond(status, message or error.description or TITLES.get(status, "Erreur"))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return respond(500, MESSAGES[500])
