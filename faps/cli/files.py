"""Files the export and audit commands read and write, with failures explained in French."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from faps.cli.support import fail

REASONS = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
}


def reason(exc: OSError) -> str:
    """Return why a file operation failed, in French."""
    return REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def check_writable(path: Path) -> None:
    """Stop with a French message unless `path` can be written (before any work is done)."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        fail(f"Impossible d'écrire {path} : c'est un dossier.")
    elif parent.exists() and not parent.is_dir():
        fail(f"Impossible d'écrire {path} : {parent} n'est pas un dossier.")
    elif not parent.is_dir():
        fail(f"Impossible d'écrire {path} : le dossier {parent} n'existe pas.")
    elif not os.access(path if path.exists() else parent, os.W_OK):
        fail(f"Impossible d'écrire {path} : permission refusée.")


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file, or stop with a French message."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        fail(f"Impossible d'écrire {path} : {reason(exc)}.")


def read_bytes(path: Path) -> bytes:
    """Read a file, or stop with a French message."""
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"Impossible de lire {path} : {reason(exc)}.")
        raise  # unreachable: fail exits
