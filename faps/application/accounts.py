"""Use cases of accounts: open, change role, (de)activate, set a password, sign in."""

from __future__ import annotations

from uuid import UUID

from faps.application import policy
from faps.application.context import Context
from faps.application.retry import retried
from faps.domain.accounts import Account, normalize_email
from faps.domain.actors import Actor, Role
from faps.domain.errors import InvalidInputError, NotFoundError

MIN_PASSWORD = 12


def check_password(password: str) -> None:
    """Refuse passwords too short to resist guessing (ANSSI: 12 characters at least)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError({"password": [
            f"le mot de passe doit compter au moins {MIN_PASSWORD} caractères"]})


class AccountService:
    """Accounts, roles and credentials."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @retried
    def open(self, actor: Actor, email: str, name: str, role: Role, commune: str | None,
             password: str) -> UUID:
        """Open an account with a role (and a commune for a commune agent)."""
        policy.require(actor, "accounts.manage")
        if "@" not in email or len(email) > 254:
            raise InvalidInputError({"email": ["adresse électronique invalide"]})
        if commune and commune not in self.ctx.communes:
            raise InvalidInputError({"commune": [f"{commune} n'est pas une commune membre"]})
        check_password(password)
        if self.ctx.app.exists(Account.create_id(email)):
            raise InvalidInputError({"email": ["un compte existe déjà pour cette adresse"]})
        account = Account.open(actor, email, name, role, commune or None, self.ctx.clock.now())
        self.ctx.app.save_all(account)
        self.ctx.credentials.set_hash(account.id, self.ctx.hasher.hash(password))
        return account.id

    def get(self, account_id: UUID) -> Account:
        """Return an account."""
        account: Account = self.ctx.app.load(account_id, what="Compte")
        return account

    def by_email(self, email: str) -> Account | None:
        """Return the account of an address, if any."""
        account_id = Account.create_id(normalize_email(email))
        return self.get(account_id) if self.ctx.app.exists(account_id) else None

    def authenticate(self, email: str, password: str) -> Actor | None:
        """Return the actor for valid credentials of an active account, else None."""
        account = self.by_email(email)
        stored = self.ctx.credentials.get_hash(account.id) if account else None
        if account is None or stored is None:
            self.ctx.hasher.hash(password)  # same work either way: no account enumeration
            return None
        if not self.ctx.hasher.verify(stored, password) or not account.active:
            return None
        return account.as_actor()

    @retried
    def change_role(self, actor: Actor, account_id: UUID, role: Role,
                    commune: str | None) -> None:
        """Give an account another role or commune."""
        policy.require(actor, "accounts.manage")
        if commune and commune not in self.ctx.communes:
            raise InvalidInputError({"commune": [f"{commune} n'est pas une commune membre"]})
        account = self.get(account_id)
        account.change_role(actor, role, commune or None, self.ctx.clock.now())
        self.ctx.app.save_all(account)

    @retried
    def set_active(self, actor: Actor, account_id: UUID, active: bool) -> None:
        """Deactivate or reactivate an account."""
        policy.require(actor, "accounts.manage")
        account = self.get(account_id)
        if active:
            account.reactivate(actor, self.ctx.clock.now())
        else:
            account.deactivate(actor, self.ctx.clock.now())
        self.ctx.app.save_all(account)

    def set_password(self, actor: Actor, account_id: UUID, password: str) -> None:
        """Set a password: one's own, or anyone's by an administrator."""
        if actor.account_id != account_id:
            policy.require(actor, "accounts.manage")
        check_password(password)
        if not self.ctx.app.exists(account_id):
            raise NotFoundError("Compte introuvable.")
        self.ctx.credentials.set_hash(account_id, self.ctx.hasher.hash(password))
