"""The building blocks of the API's schemas: days, amounts, bounded texts, strict bodies.

Amounts travel as strings of euros with cents ("32850.00"), dates as ISO 8601.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, fields, validate

from faps.domain.dossier_content import DossierState
from faps.web.params import FIRST_DAY, LAST_DAY
from faps.web.schemas import FrenchSchema

AMOUNT = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"
STATES = [s.value for s in DossierState]


class Day(fields.Date):
    """A day (ISO 8601) within the fund's range: a far date never reaches a computation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(
            FIRST_DAY, LAST_DAY, error="date entre le 01/01/1900 et le 31/12/2199 attendue"),
            **kwargs)


def euros(required: bool = False, **kwargs: Any) -> fields.String:
    """An amount in euros as a string with at most two decimals."""
    metadata = {"example": "32850.00", "pattern": AMOUNT, **kwargs.pop("metadata", {})}
    return fields.String(required=required, validate=validate.Regexp(
        AMOUNT, error="montant en euros attendu, par exemple 12345.67"),
        metadata=metadata, **kwargs)


def text(maximum: int, required: bool = True, minimum: int = 1, **kwargs: Any) -> fields.String:
    """A bounded text."""
    return fields.String(required=required, validate=validate.Length(min=minimum, max=maximum),
                         **kwargs)


class In(FrenchSchema):
    """A request body: unknown fields are refused (a typo is not silently ignored)."""

    class Meta:
        unknown = RAISE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages = {**self.error_messages, "unknown": "champ inconnu",
                               "type": "le corps de la requête doit être un objet JSON"}


class Out(FrenchSchema):
    """A response body."""


class EmptyIn(In):
    """No field: the step needs nothing more than the dossier."""


class StepOut(Out):
    id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    link = fields.String(required=True)
