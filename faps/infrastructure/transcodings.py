"""How dates and value objects are stored inside events (a long-lived public format)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import Transcoding
from pydantic import BaseModel

from faps.domain.actors import Actor
from faps.domain.assessment import Assessment
from faps.domain.dossier_content import DocumentRef, DossierContent, FieldChange
from faps.domain.reglement import Reglement
from faps.domain.text import STORED


class DateAsISO(Transcoding):
    """A calendar date as YYYY-MM-DD."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def model_transcoding(model: type[BaseModel], name: str) -> Transcoding:
    """Return a transcoding of a pydantic value object as its JSON form."""

    class ModelAsJSON(Transcoding):
        type = model

        def encode(self, obj: BaseModel) -> Any:
            return obj.model_dump(mode="json")

        def decode(self, data: Any) -> BaseModel:
            return model.model_validate(data, context=STORED)  # accepted once, loads again

    ModelAsJSON.name = name
    return ModelAsJSON()


def faps_transcodings() -> list[Transcoding]:
    """Return every transcoding faps registers; names are stored, never change them."""
    return [
        DateAsISO(),
        model_transcoding(Actor, "faps_actor"),
        model_transcoding(DossierContent, "faps_dossier_content"),
        model_transcoding(FieldChange, "faps_field_change"),
        model_transcoding(DocumentRef, "faps_document_ref"),
        model_transcoding(Assessment, "faps_assessment"),
        model_transcoding(Reglement, "faps_reglement"),
    ]
