"""The subscriptions' signing secrets, sealed at rest.

A secret is needed to sign every delivery, so it is kept — but encrypted with Fernet
(AES-128-CBC + HMAC-SHA256, `cryptography`) under a key derived by HKDF-SHA256 from the
application's secret key (`FAPS_SECRET_KEY`, or the instance folder's `secret_key`). A copy of
the database alone does not give the secrets away. Changing the secret key makes the sealed
secrets unreadable: subscribe again (each new subscription shows its new secret once).
Secrets stored in clear by an earlier version (`whsec_…`) are sealed on start-up.
"""

from __future__ import annotations

import base64

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from faps.domain.errors import ConfigurationError
from faps.infrastructure.webhook_tables import subscriptions

CLEAR = "whsec_"  # how a secret starts, in clear


class SecretBox:
    """Seal and open signing secrets with a key derived from the application's secret key."""

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ConfigurationError("Aucune clé secrète : les secrets des webhooks ne "
                                     "peuvent être chiffrés (FAPS_SECRET_KEY).")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"faps-webhooks",
                       info=b"subscription secrets v1").derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secret: str) -> str:
        """Return the secret encrypted (what the table keeps)."""
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        """Return the secret in clear (an old clear one as it is)."""
        if stored.startswith(CLEAR):
            return stored
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken:
            raise ConfigurationError("Le secret d'un abonnement ne se déchiffre pas : la clé "
                                     "secrète a changé ; abonnez de nouveau cette URL.") from None

    def seal_clear_ones(self, engine: sa.Engine) -> int:
        """Seal the secrets an earlier version kept in clear; return how many."""
        if engine.dialect.name == "postgresql":  # the column was VARCHAR(100): widen it once
            column = next(c for c in sa.inspect(engine).get_columns(subscriptions.name)
                          if c["name"] == "secret")
            if getattr(column["type"], "length", None):
                with engine.begin() as conn:
                    conn.execute(sa.text(f"ALTER TABLE {subscriptions.name} "
                                         "ALTER COLUMN secret TYPE TEXT"))
        with engine.begin() as conn:
            rows = conn.execute(sa.select(subscriptions.c.subscription_id,
                                          subscriptions.c.secret).where(
                subscriptions.c.secret.like(f"{CLEAR}%"))).all()
            for subscription_id, secret in rows:
                conn.execute(subscriptions.update().where(
                    subscriptions.c.subscription_id == subscription_id).values(
                    secret=self.seal(secret)))
        return len(rows)
