"""Where the PDF templates come from, and their digests (recorded with every export).

faps ships one template per document (faps/infrastructure/templates/exports/<name>.txt). The
secretariat may adjust one by putting a file of the same name in `<instance>/templates/`: it
takes precedence over the packaged one. Each export records the SHA-256 of the template it used
and the faps version, so that a regeneration that differs can say that a template changed since,
and can use, when it is still there, the template whose digest the export recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from faps.application.export_kinds import faps_version, template_of
from faps.infrastructure.exports.pdf import TEMPLATES as PACKAGED

INSTANCE_FOLDER = "templates"
# The packaged templates of earlier wordings, exactly as they were: an export that recorded
# one's digest is rebuilt with it (looked up last, never to build a new export).
PREVIOUS = PACKAGED / "previous"
__all__ = ["INSTANCE_FOLDER", "PACKAGED", "PREVIOUS", "TemplateFolders", "faps_version",
           "template_of"]


@dataclass(frozen=True)
class TemplateFolders:
    """The folders templates are looked up in, first match wins."""

    folders: tuple[Path, ...] = (PACKAGED, PREVIOUS)

    @classmethod
    def for_instance(cls, instance: Path | None) -> TemplateFolders:
        """Return the instance's override folder, then the packaged templates."""
        return cls((instance / INSTANCE_FOLDER, PACKAGED, PREVIOUS)) if instance else cls()

    def path(self, name: str) -> Path | None:
        """Return the file a template is read from, or None if no folder has it."""
        return next((f / name for f in self.folders if (f / name).is_file()), None)

    def digest(self, name: str) -> str | None:
        """Return the SHA-256 of the template used for `name`, or None if missing."""
        path = self.path(name)
        return hashlib.sha256(path.read_bytes()).hexdigest() if path else None

    def digests(self, names: Iterable[str]) -> dict[str, str]:
        """Return the SHA-256 of each template used (the ones found)."""
        found = {name: self.digest(name) for name in names}
        return {name: digest for name, digest in found.items() if digest}

    def holding(self, name: str, digest: str) -> TemplateFolders | None:
        """Return the folders restricted to the one whose `name` has this digest, if any."""
        for folder in self.folders:
            path = folder / name
            if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == digest:
                return TemplateFolders((folder,))
        return None

    def origin(self, name: str) -> str:
        """Return where a template comes from, in French."""
        path = self.path(name)
        if path is None:
            return "introuvable"
        packaged = path.parent in (PACKAGED, PREVIOUS)
        return "modèle livré avec faps" if packaged else f"modèle de {path}"
