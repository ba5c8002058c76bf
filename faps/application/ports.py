"""What the application needs from the outside world (implemented in faps.infrastructure)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from faps.domain.hash_chain import Seal, Walk
from faps.domain.publisher import Publisher


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


class AuditSeal(Protocol):
    """The audit chain of the log (faps.domain.hash_chain), kept up to date and checked."""

    def seal(self) -> Seal:
        """Return the chain's current head (position 0 and the genesis link on an empty log)."""

    def catch_up(self) -> Seal:
        """Seal every event recorded since the head; return the new head."""

    def prove(self, position: int) -> Seal:
        """Recompute, from the log alone, the seal of the events up to `position`."""

    def walk(self, positions: Collection[int] = ()) -> Walk:
        """Recompute every link of the whole log and compare it with the stored links; keep the
        recomputed heads at `positions`."""


class CheckedEvents(Protocol):
    """The events of an exported log file, each checked (shape, order, link) before it comes.

    Iterating yields (line number, stored event) and raises LogFileError at the first defect;
    `head`, `position` and `events` follow the chain recomputed so far.
    """

    head: str
    position: int
    events: int

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        """Yield each checked event with its line number."""


class TemplateStore(Protocol):
    """The templates of the PDF documents: the instance's own first, then the packaged ones."""

    @property
    def folders(self) -> tuple[Path, ...]:
        """Return the folders templates are looked up in, first match wins."""

    def path(self, name: str) -> Path | None:
        """Return the file a template is read from, or None if no folder has it."""

    def digest(self, name: str) -> str | None:
        """Return the SHA-256 of the template used for `name`, or None if missing."""

    def digests(self, names: Iterable[str]) -> dict[str, str]:
        """Return the SHA-256 of each template used (the ones found)."""

    def holding(self, name: str, digest: str) -> TemplateStore | None:
        """Return the store restricted to the folder whose `name` has this digest, if any."""

    def origin(self, name: str) -> str:
        """Return where a template comes from, in French."""


class FileFormats(Protocol):
    """The writers of published files: tables (CSV, XLSX, ODS), SCDL open data, PDF."""

    def decision_table(self, title: str, decisions: list[Any], siren: str, author: str,
                       metadata: list[tuple[str, str]], at: datetime) -> Any:
        """Return the decisions as a typed table (with the seal's metadata rows)."""

    def table_file(self, table: Any, fmt: str, separator: str) -> bytes:
        """Return a table as a file of format csv, xlsx or ods."""

    def scdl_subventions(self, decisions: list[Any], publisher: Publisher) -> bytes:
        """Return the SCDL « subventions » file of awards."""

    def scdl_deliberations(self, decisions: list[Any], publisher: Publisher, year: int) -> bytes:
        """Return the SCDL « délibérations » file of a year."""

    def render_text(self, name: str, context: dict[str, Any], templates: TemplateStore,
                    apostrophe: str = "’") -> str:
        """Render a document template (the first found in `templates`) to marked-up text,
        eliding « de » with `apostrophe` (straight in files of wording 1 and 2)."""

    def render_pdf(self, text: str, title: str, footer: str, author: str) -> bytes:
        """Return the PDF of a rendered document."""
