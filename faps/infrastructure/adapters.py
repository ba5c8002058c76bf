"""The adapters of the export and audit ports (faps.application.ports), built from settings.

The composition root calls `export_adapters` once and hands its fields to the use cases:
the audit chain that seals the log, the file writers, the PDF templates of the instance, the
publisher's identifiers and the signed checkpoints of the chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from faps.domain.publisher import Publisher
from faps.infrastructure.audit_anchor import AnchorBook
from faps.infrastructure.audit_chain import AuditChain, start_audit_chain
from faps.infrastructure.export_templates import TemplateFolders
from faps.infrastructure.exports.formats import FileFormats
from faps.infrastructure.settings import Settings

FUND_NAME = "Fonds d’aide aux projets de santé (FAPS)"


@dataclass(frozen=True)
class ExportAdapters:
    """What the export, reproduction and audit use cases are given."""

    chain: AuditChain
    formats: FileFormats
    templates: TemplateFolders
    settings: Settings

    @property
    def publisher(self) -> Publisher:
        """Return who publishes, as the settings say at the time of the export."""
        return publisher(self.settings)

    @property
    def anchors(self) -> AnchorBook:
        """Return the signed checkpoints' file and key, as the settings name them."""
        return AnchorBook(self.settings.resolved_audit_checkpoints(),
                          self.settings.audit_signing_key)


def publisher(settings: Settings) -> Publisher:
    """Return who publishes, from the settings' identifiers."""
    return Publisher(FUND_NAME, settings.agglomeration_name, settings.agglomeration_siren,
                     settings.agglomeration_siret, dict(settings.commune_sirets))


def export_adapters(settings: Settings, engine: sa.Engine, app: Any) -> ExportAdapters:
    """Build the adapters of an application's store; seal what is not yet sealed."""
    return ExportAdapters(
        chain=start_audit_chain(engine, app), formats=FileFormats(),
        templates=TemplateFolders.for_instance(settings.instance_path),
        settings=settings)
