"""Personal API tokens: issue one (shown once), list, revoke, and authenticate a call.

The secret never enters the event log: the Account aggregate records that a token was issued
or revoked (id, name, expiry); only a SHA-256 of the secret is kept, in a table beside the
password hashes. A token is long and random, so a fast hash is enough to make a stolen table
useless (as for GitHub's or GitLab's tokens); a password needs argon2, a token does not.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid4

from faps.application import policy
from faps.application.accounts import AccountService
from faps.application.context import Context
from faps.domain.actors import Actor
from faps.domain.errors import InvalidInputError, NotFoundError

PREFIX = "faps_"
MAX_EXPIRY_DAYS = 3650


@dataclass(frozen=True)
class StoredToken:
    """A token as the table keeps it (never the secret)."""

    token_id: UUID
    account_id: UUID
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def live(self, now: datetime) -> bool:
        """Tell whether the token may still be used."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret is given this once."""

    token_id: UUID
    secret: str
    name: str
    expires_at: datetime | None


class ApiTokenStore(Protocol):
    """Token hashes, kept outside the event log."""

    def add(self, token: StoredToken, token_hash: str) -> None:
        """Store a new token's hash."""

    def revoke(self, token_id: UUID, at: datetime) -> None:
        """Mark a token revoked."""

    def get(self, token_id: UUID) -> StoredToken | None:
        """Return a token by id."""

    def find(self, token_hash: str) -> StoredToken | None:
        """Return the token of a hash."""

    def of_account(self, account_id: UUID) -> list[StoredToken]:
        """Return an account's tokens, newest first."""

    def touch(self, token_id: UUID, at: datetime) -> None:
        """Record when a token was last used."""


def token_hash(secret: str) -> str:
    """Return the stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenService:
    """Issue, list, revoke and check personal API tokens."""

    def __init__(self, ctx: Context, accounts: AccountService, store: ApiTokenStore) -> None:
        self.ctx, self.accounts, self.store = ctx, accounts, store

    def _check_owner(self, actor: Actor, account_id: UUID) -> None:
        if actor.account_id != account_id:
            policy.require(actor, "accounts.manage")

    def create(self, actor: Actor, account_id: UUID, name: str,
               expires_days: int | None = None) -> IssuedToken:
        """Issue a token acting as the account; return its secret (shown once)."""
        self._check_owner(actor, account_id)
        if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
            raise InvalidInputError({"expires_days": [
                f"Indiquez une durée de validité de 1 à {MAX_EXPIRY_DAYS} jours."]})
        account = self.accounts.get(account_id)
        now = self.ctx.clock.now()
        expires_at = now + timedelta(days=expires_days) if expires_days else None
        token_id, secret = uuid4(), PREFIX + secrets.token_urlsafe(32)
        account.issue_api_token(actor, token_id, name, expires_at, now)
        self.ctx.app.save_all(account)
        self.store.add(StoredToken(token_id, account_id, name.strip(), now, expires_at, None,
                                   None), token_hash(secret))
        return IssuedToken(token_id, secret, name.strip(), expires_at)

    def list(self, actor: Actor, account_id: UUID) -> list[StoredToken]:
        """Return an account's tokens (revoked and expired ones too)."""
        self._check_owner(actor, account_id)
        return self.store.of_account(account_id)

    def revoke(self, actor: Actor, token_id: UUID) -> None:
        """Revoke a token: every later call with it is refused."""
        stored = self.store.get(token_id)
        if stored is None:
            raise NotFoundError("Jeton introuvable.")
        self._check_owner(actor, stored.account_id)
        account = self.accounts.get(stored.account_id)
        now = self.ctx.clock.now()
        account.revoke_api_token(actor, token_id, now)
        self.ctx.app.save_all(account)
        self.store.revoke(token_id, now)

    def authenticate(self, secret: str) -> tuple[Actor, UUID] | None:
        """Return the actor and token id of a live token of an active account, else None."""
        if not secret.startswith(PREFIX) or len(secret) > 200:
            return None
        stored = self.store.find(token_hash(secret))
        now = self.ctx.clock.now()
        if stored is None or not stored.live(now):
            return None
        account = self.ctx.app.find(stored.account_id)
        if account is None or not account.active or stored.token_id not in account.api_tokens:
            return None
        if stored.last_used_at is None or now - stored.last_used_at > timedelta(minutes=5):
            self.store.touch(stored.token_id, now)
        return account.as_actor(), stored.token_id
