"""Read règlement versions from JSON or TOML files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from faps.domain.errors import InvalidInputError
from faps.domain.reglement import Reglement
from faps.infrastructure.bounded import bounded_json

DEFAULT_REGLEMENT = "reglement-2022-03-31.toml"


def parse_reglement(text: str, *, toml: bool) -> Reglement:
    """Parse a règlement from its text; errors name the field in French."""
    data: Any = bounded_json(text, "reglement", toml=toml)
    try:
        return Reglement.model_validate(data)
    except ValidationError as exc:
        from faps.application.validation import french_errors

        raise InvalidInputError(french_errors(exc)) from None


def load_reglement(path: Path) -> Reglement:
    """Load a règlement file; TOML by its .toml suffix, JSON otherwise."""
    return parse_reglement(path.read_text(encoding="utf-8"), toml=path.suffix.lower() == ".toml")


def default_reglement() -> Reglement:
    """Return the règlement version shipped with faps (figures to be confirmed)."""
    text = resources.files("faps.data").joinpath(DEFAULT_REGLEMENT).read_text(encoding="utf-8")
    return parse_reglement(text, toml=True)
