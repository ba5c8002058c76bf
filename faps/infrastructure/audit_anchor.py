"""Anchored chain: signed checkpoints of the chain's head, kept outside the database.

A chain kept in the database can be recomputed by whoever can write there. A checkpoint signs
(position, head) with an Ed25519 key that is not in the database, and is appended to a file
outside it (and printed, for publication). The log must still give that head at that position:
a rewrite, a truncation or an insertion behind a checkpoint breaks it.

Checkpoint file: JSON Lines, one signed checkpoint a line, never rewritten.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from faps.domain.errors import ConfigurationError
from faps.domain.hash_chain import Seal

PURPOSE = "faps-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint: the chain's head at a position, when, by which key."""

    number: int  # its line in the file, from 1
    position: int
    head: str
    signed_at: str
    key_id: str
    signature: str

    def message(self) -> bytes:
        """Return the bytes the signature covers."""
        return signed_bytes(self.position, self.head, self.signed_at)

    def line(self) -> str:
        """Return the checkpoint as written in the file (and published)."""
        return json.dumps({"position": self.position, "head": self.head,
                           "signed_at": self.signed_at, "key": self.key_id,
                           "signature": self.signature}, separators=(",", ":"))

    def label(self) -> str:
        """Return « point d'ancrage n° 3 (position 120, signé le 06/12/2026 à 14:05 UTC) »."""
        moment = datetime.fromisoformat(self.signed_at)
        return (f"point d'ancrage n° {self.number} (position {self.position}, signé le "
                f"{moment:%d/%m/%Y à %H:%M} UTC)")


def signed_bytes(position: int, head: str, signed_at: str) -> bytes:
    """Return what a checkpoint's signature covers."""
    return f"{PURPOSE}\n{position}\n{head}\n{signed_at}\n".encode()


def key_id(public: Ed25519PublicKey) -> str:
    """Return a short fingerprint of a public key (16 hex digits of its SHA-256)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def create_key(path: Path) -> Ed25519PublicKey:
    """Write a new private key (PEM, owner-only) at `path` and its public half at `path`.pub."""
    if path.exists():
        raise ConfigurationError(f"{path} existe déjà : une clé n'est jamais remplacée en place.")
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    public = key.public_key()
    public_path(path).write_bytes(public.public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo))
    return public


def public_path(path: Path) -> Path:
    """Return where the public half of a key file is written."""
    return path.with_name(path.name + ".pub")


def _read_pem(path: Path | None) -> bytes:
    if path is None:
        raise ConfigurationError("FAPS_AUDIT_SIGNING_KEY : indiquez le fichier de la clé de "
                                 "signature (créée par « faps audit keygen FICHIER »).")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"FAPS_AUDIT_SIGNING_KEY : impossible de lire {path} "
                                 f"({exc.strerror or exc}).") from None


def load_signing_key(path: Path | None) -> Ed25519PrivateKey:
    """Return the private key of FAPS_AUDIT_SIGNING_KEY, or a French configuration error."""
    try:
        key = serialization.load_pem_private_key(_read_pem(path), password=None)
    except ValueError:
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"FAPS_AUDIT_SIGNING_KEY : {path} n'est pas une clé privée "
                                 "Ed25519 au format PEM.")
    return key


def load_verifying_key(path: Path | None) -> Ed25519PublicKey:
    """Return the public key to check checkpoints with: the key file's, or a public PEM."""
    pem = _read_pem(path)
    if b"PRIVATE KEY" in pem:
        return load_signing_key(path).public_key()
    try:
        public = serialization.load_pem_public_key(pem)
    except ValueError:
        public = None
    if not isinstance(public, Ed25519PublicKey):
        raise ConfigurationError(f"FAPS_AUDIT_SIGNING_KEY : {path} n'est pas une clé Ed25519 "
                                 "au format PEM.")
    return public


def sign(key: Ed25519PrivateKey, seal: Seal, number: int, now: datetime) -> Checkpoint:
    """Return the checkpoint of a seal, signed now."""
    signed_at = now.astimezone(UTC).replace(microsecond=0).isoformat()
    signature = key.sign(signed_bytes(seal.position, seal.head, signed_at))
    return Checkpoint(number, seal.position, seal.head, signed_at, key_id(key.public_key()),
                      base64.b64encode(signature).decode())


def append(path: Path, checkpoint: Checkpoint) -> None:
    """Append a checkpoint to the file and force it to disk (the file is only ever appended)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(checkpoint.line() + "\n")
        out.flush()
        os.fsync(out.fileno())


class CheckpointFileError(ConfigurationError):
    """A line of the checkpoint file that is not a checkpoint."""


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Return the checkpoints of the file (none if it does not exist)."""
    if not path.exists():
        return []
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            data = json.loads(line)
            found.append(Checkpoint(number, int(data["position"]), str(data["head"]),
                                    str(data["signed_at"]), str(data["key"]),
                                    str(data["signature"])))
            datetime.fromisoformat(found[-1].signed_at)
        except (ValueError, KeyError, TypeError):
            raise CheckpointFileError(f"{path}, ligne {number} : ce n'est pas un point "
                                      "d'ancrage lisible (fichier modifié ?).") from None
    return found


def signature_problem(checkpoint: Checkpoint, public: Ed25519PublicKey) -> str | None:
    """Return why a checkpoint's signature does not hold, if it does not."""
    if checkpoint.key_id != key_id(public):
        return f"signé par une autre clé ({checkpoint.key_id}, attendue {key_id(public)})"
    try:
        public.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.message())
    except (InvalidSignature, ValueError):
        return "signature invalide : le point d'ancrage a été modifié"
    return None


class AnchorBook:
    """The checkpoint file and the key that checks it, as the settings name them."""

    def __init__(self, checkpoints: Path, key: Path | None) -> None:
        self.path = checkpoints
        self.key = key

    def checkpoints(self) -> list[Checkpoint]:
        """Return the recorded checkpoints."""
        return read_checkpoints(self.path)

    def signature_problem(self, checkpoint: Checkpoint) -> str | None:
        """Return why a checkpoint's signature does not hold (the key must be configured)."""
        return signature_problem(checkpoint, load_verifying_key(self.key))

    def anchor(self, seal: Seal, now: datetime) -> Checkpoint:
        """Sign a seal with the configured key and append it to the file."""
        key = load_signing_key(self.key)
        checkpoint = sign(key, seal, len(self.checkpoints()) + 1, now)
        append(self.path, checkpoint)
        return checkpoint
