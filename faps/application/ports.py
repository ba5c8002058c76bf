"""What the application needs from the outside world (implemented in faps.infrastructure)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class DocumentStore(Protocol):
    """Files addressed by their SHA-256."""

    def put(self, data: bytes) -> str:
        """Store the bytes; return their SHA-256 (hex)."""

    def get(self, sha256: str) -> bytes:
        """Return the bytes stored under a hash, checked against it (raises if altered)."""


class Credentials(Protocol):
    """Password hashes, kept outside the event log."""

    def set_hash(self, account_id: UUID, password_hash: str) -> None:
        """Store (or replace) an account's password hash."""

    def get_hash(self, account_id: UUID) -> str | None:
        """Return an account's password hash, if any."""


class PasswordHasher(Protocol):
    """A current password hashing algorithm."""

    def hash(self, password: str) -> str:
        """Return the hash of a password."""

    def verify(self, password_hash: str, password: str) -> bool:
        """Tell whether a password matches a hash."""
