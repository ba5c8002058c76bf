"""marshmallow schemas with French messages, and fields for euros and dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields

from faps.domain.money import parse_amount

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


class FrenchSchema(Schema):
    """A schema whose messages are in French; unknown fields are ignored (forms)."""

    class Meta:
        unknown = "exclude"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for key, message in FRENCH.items():
                if key in field.error_messages:
                    field.error_messages[key] = message
            for validator in getattr(field, "validators", []):
                if validator.__class__.__name__ == "Length":
                    for key, message in LENGTH.items():
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
        try:
            if "/" in text:
                day, month, year = (int(p) for p in text.split("/"))
                return date(year, month, day)
            return date.fromisoformat(text)
        except ValueError:
            raise ValidationError("date invalide (JJ/MM/AAAA)") from None
