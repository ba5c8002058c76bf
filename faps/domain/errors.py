"""Errors of faps, all under FapsError; messages are in French for users."""

from __future__ import annotations


class FapsError(Exception):
    """Base of every error faps raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInputError(FapsError):
    """Input that fails validation; carries a per-field list of French messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        from faps.domain.labels import field_label  # labels import the value types, not errors

        self.errors = errors
        def name(key: object) -> str:  # « _ » (or no text): the input as a whole
            return field_label(key) if isinstance(key, str) and key != "_" else "Saisie"

        summary = "\u202f; ".join(f"{name(k)}\u202f: {', '.join(v)}" for k, v in errors.items())
        super().__init__(f"Saisie invalide — {summary.rstrip('.')}.")


class TransitionNotAllowedError(FapsError):
    """A command refused in the aggregate's current state."""


class NotFoundError(FapsError):
    """Something that does not exist, or that the caller may not know exists."""


class PermissionDeniedError(FapsError):
    """The caller's role does not allow this action."""


class ConflictError(FapsError):
    """Someone else changed the record since the caller read it."""

    def __init__(self, message: str | None = None, *, current_version: int | None = None) -> None:
        super().__init__(
            message
            or "Ces données ont changé depuis que vous les avez ouvertes : rechargez la page "
            "pour voir la nouvelle version."
        )
        self.current_version = current_version


class StaleSaveError(ConflictError):
    """The store refused a save because another one changed an aggregate first.

    The use case is run again on the new state (see `faps.application.retry`): only a conflict
    on what the person saw, found by that new run, reaches them.
    """

    def __init__(self) -> None:
        super().__init__("D’autres enregistrements ont eu lieu au même instant et ont empêché "
                         "le vôtre plusieurs fois de suite ; rien n’a été enregistré. "
                         "Réessayez dans un instant.")


class BudgetExceededError(FapsError):
    """An award or payment above what remains of the yearly budget."""


class ConfigurationError(FapsError):
    """A setting needed for the job is missing or wrong."""
