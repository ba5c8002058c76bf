"""The Account aggregate: who may sign in, with which role and commune.

Password hashes are not events: they live in the credential store, so that the immutable
log holds no secret and a password change rewrites nothing.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from faps.domain.actors import Actor, Role
from faps.domain.errors import InvalidInputError, TransitionNotAllowedError
from faps.domain.events import ActedEvent


def normalize_email(email: str) -> str:
    """Return the canonical form of an e-mail address (trimmed, lower case)."""
    return email.strip().lower()


def check_role(role: Role, commune: str | None) -> None:
    """A commune agent belongs to exactly one commune; other roles to none."""
    if role is Role.SYSTEM:
        raise InvalidInputError({"role": ["rôle réservé au système"]})
    if role is Role.COMMUNE_AGENT and not commune:
        raise InvalidInputError({"commune": ["un agent communal est rattaché à une commune"]})
    if role is not Role.COMMUNE_AGENT and commune:
        raise InvalidInputError({"commune": ["seul un agent communal est rattaché à une commune"]})


class Account(Aggregate):
    """A person's account."""

    class Event(ActedEvent):
        """Base of the account's events."""

    class Opened(Event, Aggregate.Created):
        email: str
        name: str
        role: str
        commune: str | None

    @staticmethod
    def create_id(email: str) -> UUID:
        """Return the account id of an e-mail address (one account per address)."""
        return uuid5(NAMESPACE_URL, f"faps:account:{normalize_email(email)}")

    def __init__(self, actor: Actor, email: str, name: str, role: str,
                 commune: str | None) -> None:
        self.email = email
        self.name = name
        self.role = Role(role)
        self.commune = commune
        self.active = True
        self.api_tokens: dict[UUID, dict[str, object]] = {}  # live tokens: name, expiry

    @classmethod
    def open(cls, actor: Actor, email: str, name: str, role: Role, commune: str | None,
             at: datetime) -> Account:
        """Open an account."""
        check_role(role, commune)
        email = normalize_email(email)
        return cls._create(cls.Opened, id=cls.create_id(email), actor=actor, email=email,
                           name=name.strip(), role=role.value, commune=commune, timestamp=at)

    def as_actor(self) -> Actor:
        """Return the actor this account acts as."""
        return Actor(account_id=self.id, email=self.email, role=self.role,
                     commune=self.commune, name=self.name)

    class RoleChanged(Event):
        role: str
        commune: str | None

        def apply(self, account: Account) -> None:
            account.role = Role(self.role)
            account.commune = self.commune

    def change_role(self, actor: Actor, role: Role, commune: str | None, at: datetime) -> None:
        """Give the account another role or commune."""
        check_role(role, commune)
        if (role, commune) != (self.role, self.commune):
            self.trigger_event(self.RoleChanged, actor=actor, role=role.value, commune=commune,
                               timestamp=at)

    class Renamed(Event):
        name: str

        def apply(self, account: Account) -> None:
            account.name = self.name

    def rename(self, actor: Actor, name: str, at: datetime) -> None:
        """Change the displayed name."""
        if name.strip() and name.strip() != self.name:
            self.trigger_event(self.Renamed, actor=actor, name=name.strip(), timestamp=at)

    class Deactivated(Event):
        def apply(self, account: Account) -> None:
            account.active = False

    def deactivate(self, actor: Actor, at: datetime) -> None:
        """Forbid sign-in; the history of the account's acts is kept."""
        if not self.active:
            raise TransitionNotAllowedError("Ce compte est déjà désactivé.")
        if actor.account_id == self.id:
            raise TransitionNotAllowedError("Vous ne pouvez pas désactiver votre propre compte.")
        self.trigger_event(self.Deactivated, actor=actor, timestamp=at)

    class Reactivated(Event):
        def apply(self, account: Account) -> None:
            account.active = True

    def reactivate(self, actor: Actor, at: datetime) -> None:
        """Allow sign-in again."""
        if self.active:
            raise TransitionNotAllowedError("Ce compte est déjà actif.")
        self.trigger_event(self.Reactivated, actor=actor, timestamp=at)

    # -- API tokens: the log says who issued or revoked which token, never its secret ----
    class ApiTokenIssued(Event):
        token_id: UUID
        name: str
        expires_at: datetime | None

        def apply(self, account: Account) -> None:
            account.api_tokens[self.token_id] = {"name": self.name,
                                                   "expires_at": self.expires_at}

    def issue_api_token(self, actor: Actor, token_id: UUID, name: str,
                        expires_at: datetime | None, at: datetime) -> None:
        """Record a new personal API token (its hash is stored outside the log)."""
        name = name.strip()
        if not 1 <= len(name) <= 80:
            raise InvalidInputError({"name": ["Indiquez le nom du jeton (1 à 80 caractères)."]})
        if not self.active:
            raise TransitionNotAllowedError("Ce compte est désactivé : aucun jeton possible.")
        self.trigger_event(self.ApiTokenIssued, actor=actor, token_id=token_id, name=name,
                           expires_at=expires_at, timestamp=at)

    class ApiTokenRevoked(Event):
        token_id: UUID

        def apply(self, account: Account) -> None:
            account.api_tokens.pop(self.token_id, None)

    def revoke_api_token(self, actor: Actor, token_id: UUID, at: datetime) -> None:
        """Revoke a token: it is refused from now on."""
        if token_id not in self.api_tokens:
            raise TransitionNotAllowedError("Ce jeton est déjà révoqué, ou n’existe pas.")
        self.trigger_event(self.ApiTokenRevoked, actor=actor, token_id=token_id, timestamp=at)
