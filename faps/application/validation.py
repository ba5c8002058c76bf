"""Turn pydantic validation errors into French messages keyed by field path."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from faps.domain.errors import InvalidInputError

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "champ obligatoire",
    "string_too_long": "texte trop long (au plus {max_length} caractères)",
    "string_too_short": "texte trop court (au moins {min_length} caractères)",
    "too_long": "trop d'éléments (au plus {max_length})",
    "too_short": "pas assez d'éléments (au moins {min_length})",
    "enum": "valeur inconnue\u202f; valeurs admises\u202f: {expected}",
    "literal_error": "valeur inconnue\u202f; valeurs admises\u202f: {expected}",
    "bool_parsing": "oui ou non attendu",
    "bool_type": "oui ou non attendu",
    "date_from_datetime_parsing": "date invalide (AAAA-MM-JJ attendu)",
    "date_parsing": "date invalide (AAAA-MM-JJ attendu)",
    "date_type": "date invalide (AAAA-MM-JJ attendu)",
    "int_parsing": "nombre entier attendu",
    "decimal_parsing": "nombre décimal attendu",
    "string_type": "texte attendu",
    "list_type": "liste attendue",
    "tuple_type": "liste attendue",
    "dict_type": "objet attendu",
    "model_type": "objet attendu",
    "extra_forbidden": "champ inconnu",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être au moins {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être au plus {le}",
    "string_pattern_mismatch": "format invalide",
    "uuid_parsing": "identifiant invalide",
}


def _path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(str(item))
    return ".".join(parts) or "_"


def french_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Return {field path: [French messages]} for a pydantic ValidationError."""
    found: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        kind = error["type"]
        if kind == "value_error":
            message = str(error.get("ctx", {}).get("error", error["msg"]))
        elif kind in _MESSAGES:
            ctx = {k: str(v).replace(" or ", " ou ") for k, v in error.get("ctx", {}).items()}
            message = _MESSAGES[kind].format(**ctx)
        else:
            message = error["msg"]
        found.setdefault(_path(loc), []).append(message)
    return found


def validate(model: type[M], data: Any) -> M:
    """Validate data into a pydantic model, raising InvalidInputError in French."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(french_errors(exc)) from None
