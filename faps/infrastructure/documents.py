"""The document store: files in a folder, named by their SHA-256 and checked when read."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from faps.domain.errors import FapsError, NotFoundError


class DocumentAlteredError(FapsError):
    """A stored file no longer matches the hash its event recorded."""


class FolderDocumentStore:
    """Content-addressed files under a folder (ab/cdef… layout)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFoundError("Pièce introuvable.")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store the bytes once; return their SHA-256."""
        sha256 = hashlib.sha256(data).hexdigest()
        path = self._path(sha256)
        if path.exists():
            return sha256
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        return sha256

    def get(self, sha256: str) -> bytes:
        """Return the bytes, refusing a file whose content no longer matches its hash."""
        path = self._path(sha256)
        if not path.exists():
            raise NotFoundError("Le fichier de cette pièce est introuvable dans le stockage.")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DocumentAlteredError(
                "Le fichier stocké a été modifié depuis son dépôt (empreinte SHA-256 différente).")
        return data


class MemoryDocumentStore:
    """Content-addressed files in memory (tests, simulations)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, data: bytes) -> str:
        """Store the bytes; return their SHA-256."""
        sha256 = hashlib.sha256(data).hexdigest()
        self.files[sha256] = data
        return sha256

    def get(self, sha256: str) -> bytes:
        """Return the bytes, checked against their hash."""
        if sha256 not in self.files:
            raise NotFoundError("Pièce introuvable.")
        data = self.files[sha256]
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DocumentAlteredError("Le fichier stocké a été modifié depuis son dépôt.")
        return data
