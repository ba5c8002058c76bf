"""Use cases of accounts: open, change role, (de)activate, set a password, sign in, reset.

Every change that withdraws trust (a new password, another role, a deactivation) ends every
session of the account at once: a copied cookie stops working with it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from uuid import UUID

from eventsourcing.utils import get_topic

from faps.application import policy
from faps.application.context import Context
from faps.application.retry import retried
from faps.domain.accounts import Account, normalize_email
from faps.domain.actors import Actor, Role
from faps.domain.errors import InvalidInputError, NotFoundError

MIN_PASSWORD = 12
MAX_PASSWORD = 200
RESET_LIFETIME = timedelta(hours=1)


def check_password(password: str, field: str = "password") -> None:
    """Refuse passwords too short to resist guessing (ANSSI: 12 characters at least)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError({field: [
            f"le mot de passe doit compter au moins {MIN_PASSWORD} caractères"]})
    if len(password) > MAX_PASSWORD:
        raise InvalidInputError({field: [
            f"le mot de passe compte au plus {MAX_PASSWORD} caractères"]})
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise InvalidInputError({field: ["le mot de passe ne peut contenir de caractère "
                                         "de contrôle"]})


class SignIn(Enum):
    """What a sign-in attempt found (a deactivated account is told so after a right password)."""

    OK = "ok"
    WRONG = "wrong"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in, with the actor when it succeeded."""

    outcome: SignIn
    actor: Actor | None = None
    must_change: bool = False


class AccountService:
    """Accounts, roles and credentials."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @retried
    def open(self, actor: Actor, email: str, name: str, role: Role, commune: str | None,
             password: str, temporary: bool = False) -> UUID:
        """Open an account with a role (and a commune for a commune agent).

        `temporary`: the password was typed by an administrator, its owner must change it.
        """
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
        self.ctx.credentials.set_hash(account.id, self.ctx.hasher.hash(password),
                                      must_change=temporary)
        return account.id

    def get(self, account_id: UUID) -> Account:
        """Return an account."""
        account: Account = self.ctx.app.load(account_id, what="Compte")
        return account

    def every(self) -> list[Account]:
        """Return every account ever opened, in the order of the log (for the command line)."""
        topic, start = get_topic(Account.Opened), None
        found: list[Account] = []
        while True:
            batch = self.ctx.app.recorder.select_notifications(start, 1000, topics=[topic])
            found.extend(self.get(UUID(str(n.originator_id))) for n in batch)
            if len(batch) < 1000:
                return found
            start = batch[-1].id + 1

    def by_email(self, email: str) -> Account | None:
        """Return the account of an address, if any."""
        account_id = Account.create_id(normalize_email(email))
        return self.get(account_id) if self.ctx.app.exists(account_id) else None

    def authenticate(self, email: str, password: str) -> Actor | None:
        """Return the actor for valid credentials of an active account, else None."""
        return self.sign_in(email, password).actor

    def sign_in(self, email: str, password: str) -> SignInResult:
        """Check credentials; a deactivated account is named only after its right password."""
        account = self.by_email(email) if len(email) <= 254 else None
        stored = self.ctx.credentials.get_hash(account.id) if account else None
        if account is None or stored is None:
            self.ctx.hasher.hash(password)  # same work either way: no account enumeration
            return SignInResult(SignIn.WRONG)
        if not self.ctx.hasher.verify(stored, password):
            return SignInResult(SignIn.WRONG)
        if self.ctx.hasher.needs_rehash(stored):  # older parameters: same password, new hash
            self.ctx.credentials.upgrade_hash(account.id, stored, self.ctx.hasher.hash(password))
        if not account.active:
            return SignInResult(SignIn.DEACTIVATED)
        return SignInResult(SignIn.OK, account.as_actor(),
                            self.ctx.credentials.must_change(account.id))

    @retried
    def change_role(self, actor: Actor, account_id: UUID, role: Role,
                    commune: str | None) -> None:
        """Give an account another role or commune."""
        policy.require(actor, "accounts.manage")
        if commune and commune not in self.ctx.communes:
            raise InvalidInputError({"commune": [f"{commune} n'est pas une commune membre"]})
        account = self.get(account_id)
        account.change_role(actor, role, commune or None, self.ctx.clock.now())
        changed = bool(account.pending_events)
        self.ctx.app.save_all(account)
        if changed:
            self.ctx.sessions.revoke_all(account_id)

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
        if not active:
            self.ctx.sessions.revoke_all(account_id)

    def set_password(self, actor: Actor, account_id: UUID, password: str) -> None:
        """Set anyone's password (an administrator): its owner must change it at sign-in."""
        own = actor.account_id == account_id
        if not own:
            policy.require(actor, "accounts.manage")
        check_password(password)
        if not self.ctx.app.exists(account_id):
            raise NotFoundError("Compte introuvable.")
        self.ctx.credentials.set_hash(account_id, self.ctx.hasher.hash(password),
                                      must_change=not own)
        self.ctx.sessions.revoke_all(account_id)

    def change_own_password(self, actor: Actor, current: str, new: str, confirm: str) -> None:
        """Change one's password, the current one given; every session of the account ends."""
        stored = self.ctx.credentials.get_hash(actor.account_id)
        if stored is None or not self.ctx.hasher.verify(stored, current[:MAX_PASSWORD + 1]):
            raise InvalidInputError({"current": ["mot de passe actuel incorrect"]})
        check_password(new, "new")
        if new != confirm:
            raise InvalidInputError({"confirm": ["les deux mots de passe diffèrent"]})
        if new == current:
            raise InvalidInputError({"new": ["choisissez un mot de passe différent de l’actuel"]})
        self.set_password(actor, actor.account_id, new)

    def start_reset(self, email: str) -> tuple[Account, str] | None:
        """Return an active account and a new single-use reset token, if the address has one.

        The caller answers the same whatever the result: nobody learns whether it exists.
        """
        account = self.by_email(email) if 3 <= len(email) <= 254 else None
        if account is None or not account.active:
            return None
        token = secrets.token_urlsafe(32)
        self.ctx.credentials.add_reset(account.id, token, self.ctx.clock.now() + RESET_LIFETIME)
        return account, token

    def reset_is_valid(self, token: str) -> bool:
        """Tell whether a reset token can still be used."""
        return (len(token) <= 100
                and self.ctx.credentials.reset_account(token, self.ctx.clock.now()) is not None)

    def reset_password(self, token: str, new: str, confirm: str) -> UUID:
        """Set a new password with a reset token (once); every session of the account ends."""
        check_password(new, "new")
        if new != confirm:
            raise InvalidInputError({"confirm": ["les deux mots de passe diffèrent"]})
        account_id = (self.ctx.credentials.use_reset(token, self.ctx.clock.now())
                      if len(token) <= 100 else None)
        if account_id is None or not self.get(account_id).active:
            raise InvalidInputError({"_": ["ce lien de réinitialisation a expiré ou a déjà servi"]})
        self.ctx.credentials.set_hash(account_id, self.ctx.hasher.hash(new))
        self.ctx.sessions.revoke_all(account_id)
        return account_id
