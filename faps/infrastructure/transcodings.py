"""How dates and value objects are stored inside events (a long-lived public format).

A value object is stored as its JSON fields under a versioned name, `faps_reglement/v1`: the
name says the version of its fields. Events written before versions were (release 45df273 and
earlier) carry the bare name, `faps_reglement`, which is version 0. To change a value object's
fields (removing one would otherwise break the decoding of every event that holds it: some
forbid unknown fields), raise its `version` in STORED_FORMS and give the upcast from the previous
version, which turns old fields into new ones; every older name stays registered for decoding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eventsourcing.persistence import Transcoding
from pydantic import BaseModel

from faps.domain.actors import Actor
from faps.domain.assessment import Assessment
from faps.domain.dossier_content import DocumentRef, DossierContent, FieldChange
from faps.domain.reglement import Reglement
from faps.domain.text import STORED

Upcast = Callable[[dict[str, Any]], dict[str, Any]]


class DateAsISO(Transcoding):
    """A calendar date as YYYY-MM-DD."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class StoredForm:
    """A value object's stored name, its fields' current version and the upcasts that bring
    each older version up to date (`upcasts[n]` turns version n's fields into n + 1's; a
    version without one kept the same fields)."""

    model: type[BaseModel]
    base_name: str
    version: int = 1
    upcasts: Mapping[int, Upcast] = field(default_factory=dict)

    def name(self, version: int) -> str:
        """Return the name stored with a version's fields (version 0: the bare, older name)."""
        return self.base_name if version == 0 else f"{self.base_name}/v{version}"

    def upcast(self, data: dict[str, Any], version: int) -> dict[str, Any]:
        """Return a version's fields brought up to the current version."""
        for step in range(version, self.version):
            data = self.upcasts.get(step, dict)(data)
        return data


# Names and versions are stored: never rename one, never lower a version.
STORED_FORMS = (
    StoredForm(Actor, "faps_actor"),
    StoredForm(DossierContent, "faps_dossier_content"),
    StoredForm(FieldChange, "faps_field_change"),
    StoredForm(DocumentRef, "faps_document_ref"),
    StoredForm(Assessment, "faps_assessment"),
    StoredForm(Reglement, "faps_reglement"),
)


def model_transcoding(form: StoredForm, version: int | None = None) -> Transcoding:
    """Return the transcoding of a value object's version (the current one by default): it
    decodes that version, upcast; only the current version's transcoding is used to encode."""
    stored_version = form.version if version is None else version
    model = form.model

    class ModelAsJSON(Transcoding):
        type = model

        def encode(self, obj: BaseModel) -> Any:
            return obj.model_dump(mode="json")

        def decode(self, data: Any) -> BaseModel:
            fields = form.upcast(dict(data), stored_version)
            return model.model_validate(fields, context=STORED)  # accepted once, loads again

    ModelAsJSON.name = form.name(stored_version)
    return ModelAsJSON()


def faps_transcodings() -> list[Transcoding]:
    """Return every transcoding faps registers: each value object's older versions first (for
    decoding), then its current one (registered last, it is the one that encodes)."""
    older = [model_transcoding(f, v) for f in STORED_FORMS for v in range(f.version)]
    return [DateAsISO(), *older, *(model_transcoding(f) for f in STORED_FORMS)]


def stored_names() -> dict[type, str]:
    """Return the name each type is stored under today."""
    return {t.type: t.name for t in faps_transcodings()}
