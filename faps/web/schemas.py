"""marshmallow schemas with French messages, and fields for euros and dates."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from faps.domain.money import parse_amount
from faps.domain.text import control_problem
from faps.web.params import to_date

FRENCH = {
    "required": "champ obligatoire",
    "null": "champ obligatoire",
    "invalid": "valeur invalide",
    "type": "valeur invalide",
    "too_large": "nombre trop grand",
    "invalid_uuid": "identifiant invalide",
    "format": "format invalide",
}
LENGTH = {"min": "au moins {min} caractères", "max": "au plus {max} caractères",
          "all": "entre {min} et {max} caractères", "equal": "exactement {equal} caractères"}
ITEMS = {"min": "au moins {min} éléments", "max": "au plus {max} éléments",
         "all": "entre {min} et {max} éléments", "equal": "exactement {equal} éléments"}


# Fields typed in a textarea: line breaks allowed; every other text is one line.
MULTILINE = frozenset({"description", "professionals", "motive", "message", "text", "answer"})
# Compared or checked elsewhere, never printed: a secret once chosen must still be typed; the
# page to return to after sign-in is judged by the sign-in view.
UNCHECKED = frozenset({"password", "csrf_token", "next"})
# Bounds of the fields that have none of their own: a number SQLite can hold (a version
# seen), a text no longer than a dossier's description, a list as long as an agenda can be.
MAX_INTEGER = 2**31 - 1
MAX_TEXT = 4000
MAX_ITEMS = 200


class NoControlCharacters:
    """A marshmallow validator refusing control characters (and line breaks in one line)."""

    def __init__(self, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        problem = control_problem(value, self.multiline) if isinstance(value, str) else None
        if problem:
            raise ValidationError(problem)


def _has(field: fields.Field, kind: type) -> bool:
    return any(isinstance(v, kind) for v in field.validators)


def _guard_text(name: str, field: fields.Field) -> None:
    """Bound a field: texts without control characters and of a bounded length, lists too."""
    if isinstance(field, fields.List):
        _guard_text(name, field.inner)
        if not _has(field, validate.Length):
            field.validators = [*field.validators, validate.Length(max=MAX_ITEMS)]
    elif isinstance(field, fields.String):
        bound = [] if _has(field, validate.Length) else [validate.Length(max=MAX_TEXT)]
        check = [] if name in UNCHECKED else [NoControlCharacters(name in MULTILINE)]
        field.validators = [*field.validators, *bound, *check]
    elif isinstance(field, fields.Integer) and not any(
            isinstance(v, validate.Range) for v in field.validators):
        field.validators = [*field.validators, validate.Range(min=0, max=MAX_INTEGER)]


class FrenchSchema(Schema):
    """A schema whose messages are in French; unknown fields are ignored (forms).

    Every text field refuses control characters, with a French message next to the field.
    """

    class Meta:
        unknown = "exclude"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            _guard_text(name, field)
            for key, message in FRENCH.items():
                if key in field.error_messages:
                    field.error_messages[key] = message
            for validator in getattr(field, "validators", []):
                if validator.__class__.__name__ == "Length":
                    texts = LENGTH if not isinstance(field, fields.List) else ITEMS
                    for key, message in texts.items():
                        setattr(validator, f"message_{key}", message)
                if validator.__class__.__name__ == "OneOf":
                    validator.error = "valeur inconnue"
                if validator.__class__.__name__ == "Range":
                    validator.message_min = "doit être au moins {min}"
                    validator.message_max = "doit être au plus {max}"
                    validator.message_all = "doit être entre {min} et {max}"


class Euros(fields.Field):
    """An amount in euros typed the French way (« 12 345,67 »); never a float."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value in (None, ""):
            if self.required:
                raise ValidationError("champ obligatoire")
            return None
        try:
            return parse_amount(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class FrenchDate(fields.Field):
    """A date as 2024-03-31 (HTML date input) or 31/03/2024."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = str(value or "").strip()
        if not text:
            if self.required:
                raise ValidationError("champ obligatoire")
            return None
        found = to_date(text)
        if found is None:
            raise ValidationError("date invalide (JJ/MM/AAAA, entre 1900 et 2199)")
        return found


def count(required: bool = False) -> fields.Integer:
    """Return a head count field (0 to 500): councillors present, voting, votes (forms, API)."""
    if required:
        return fields.Integer(required=True, validate=validate.Range(min=0, max=500))
    return fields.Integer(load_default=0, validate=validate.Range(min=0, max=500))
