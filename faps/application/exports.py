"""Use cases of publication: decision tables, SCDL open data and PDF documents, each recorded.

Every export is built, sealed with the chain's head, and recorded as an ExportRecord event with
its parameters (including the settings used) and digest, so that faps.application.reproduction
can rebuild it byte for byte from the log up to the recorded position.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from faps.application import policy
from faps.application.decisions import DecisionReader
from faps.application.export_kinds import (
    DOSSIER_DOCUMENTS,
    WORDING,
    builder,
    faps_version,
    template_of,
)
from faps.application.ports import AuditSeal, FileFormats, TemplateStore
from faps.application.reproduction import recorded_exports
from faps.domain.actors import Actor
from faps.domain.errors import ConflictError, NotFoundError
from faps.domain.exports import ExportRecord
from faps.domain.hash_chain import Seal
from faps.domain.publisher import Publisher

MEDIA = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "ods": "application/vnd.oasis.opendocument.spreadsheet"}


@dataclass(frozen=True)
class ExportFile:
    """A file produced and recorded."""

    name: str
    media_type: str
    data: bytes
    seal: Seal
    sha256: str
    export_id: UUID | None = None


class ExportService:
    """Produce, seal and record the files the secretariat publishes."""

    def __init__(self, app: Any, chain: AuditSeal, communes: Any, publisher: Publisher,
                 clock: Any, formats: FileFormats, templates: TemplateStore) -> None:
        self.app, self.chain, self.communes = app, chain, communes
        self.publisher, self.clock = publisher, clock
        self.formats, self.templates = formats, templates

    def export(self, actor: Actor, kind: str, parameters: dict[str, Any]) -> ExportFile:
        """Build the file of `kind` (see faps.application.export_kinds), seal it, record it."""
        policy.require(actor, "export.decisions")
        return self._export(actor, kind, parameters)

    def dossier_document(self, actor: Actor, document: str, dossier_id: UUID) -> ExportFile:
        """Build, seal and record a dossier's receipt, notification, agreement or extract.

        A commune agent gets those of its own commune's dossiers only; the document is recorded
        like every export, so it can be regenerated and checked later.
        """
        if document not in DOSSIER_DOCUMENTS:
            raise NotFoundError("Document inconnu.")
        if not self.app.exists(dossier_id):
            raise NotFoundError("Dossier introuvable.")
        dossier = self.app.repository.get(dossier_id)
        policy.require(actor, "dossier.read", dossier.commune)
        if document == "receipt":
            parameters: dict[str, Any] = {"dossier_id": str(dossier_id),
                                          "reference": dossier.reference}
        elif dossier.decision is None or dossier.agenda_item is None:
            raise NotFoundError("Aucune délibération n'a encore été prise sur ce dossier.")
        else:
            parameters = {"session_id": str(dossier.decision["session_id"]),
                          "item": dossier.agenda_item}
        return self._export(actor, DOSSIER_DOCUMENTS[document], parameters)

    def _export(self, actor: Actor, kind: str, parameters: dict[str, Any]) -> ExportFile:
        build = builder(kind, self.formats, self.templates)
        at = self.clock.now().replace(microsecond=0)
        parameters = dict(parameters, wording=WORDING)
        reader = DecisionReader(self.app, self.communes)
        used = self._provenance(kind)
        for _attempt in range(5):  # the file must reflect exactly the log up to its seal
            seal = self.chain.catch_up()
            name, data = build(reader, self.publisher, seal, at, parameters)
            if self.chain.catch_up() == seal:
                break
        else:
            raise ConflictError("Le journal change trop vite pour sceller l'export : "
                                "réessayez dans un instant.")
        digest = hashlib.sha256(data).hexdigest()
        recorded = dict(parameters, publisher=self.publisher.to_json(), **used)
        record = ExportRecord.record(actor, kind, recorded, name, digest, len(data), seal.head,
                                     seal.position, at)
        self.app.save_all(record)
        return ExportFile(name, MEDIA[name.rsplit(".", 1)[-1]], data, seal, digest, record.id)

    def _provenance(self, kind: str) -> dict[str, Any]:
        """Return what the file depends on besides the log: templates' digests, faps version."""
        name = template_of(kind)
        templates = self.templates.digests([name] if name else [])
        return {"faps_version": faps_version(), **({"templates": templates} if name else {})}

    def records(self, actor: Actor) -> list[ExportRecord]:
        """Return every recorded export, latest first."""
        policy.require(actor, "audit.read")
        return recorded_exports(self.app)
