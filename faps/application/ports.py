"""What the application needs from the outside world (implemented in faps.infrastructure)."""

from __future__ import annotations

from datetime import datetime
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

    def set_hash(self, account_id: UUID, password_hash: str, must_change: bool = False) -> None:
        """Store (or replace) an account's password hash; its pending reset links end."""

    def get_hash(self, account_id: UUID) -> str | None:
        """Return an account's password hash, if any."""

    def must_change(self, account_id: UUID) -> bool:
        """Tell whether the account must choose a new password (an administrator set it)."""

    def add_reset(self, account_id: UUID, token: str, expires_at: datetime) -> None:
        """Record a password-reset token until it expires."""

    def reset_account(self, token: str, now: datetime) -> UUID | None:
        """Return the account of a valid reset token, if any."""

    def use_reset(self, token: str, now: datetime) -> UUID | None:
        """Consume a reset token once; return its account if it was valid."""

    def upgrade_hash(self, account_id: UUID, old_hash: str, new_hash: str) -> None:
        """Replace a hash of the same password made with older parameters (nothing else)."""


class Sessions(Protocol):
    """The server-side sessions of the web application."""

    def revoke_all(self, account_id: UUID) -> int:
        """End every session of an account; return how many ended."""


class PasswordHasher(Protocol):
    """A current password hashing algorithm."""

    def hash(self, password: str) -> str:
        """Return the hash of a password."""

    def verify(self, password_hash: str, password: str) -> bool:
        """Tell whether a password matches a hash."""

    def needs_rehash(self, password_hash: str) -> bool:
        """Tell whether a hash was made with other parameters than the current ones."""
