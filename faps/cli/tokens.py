"""`faps tokens`: personal API tokens of an account (create, list, revoke)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import click

from faps.cli.support import INPUT_ERROR, fail, opened
from faps.domain.actors import SYSTEM_ACTOR
from faps.web.formatting import datetime_fr


@click.group(help="Jetons d'API personnels. Ces commandes agissent en tant que système : "
             "l'accès au serveur vaut droit d'administration.")
def tokens() -> None:
    """Manage personal API tokens from the server."""


@tokens.command("create", help="Crée un jeton pour le compte de cette adresse et l’affiche, "
                "une seule fois\u202f: conservez-le aussitôt.")
@click.argument("email")
@click.option("--name", required=True, help="Nom du jeton (à quoi il sert).")
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None,
              help="Durée de validité en jours (par défaut : sans expiration).")
def create(email: str, name: str, expires_days: int | None) -> None:
    """Issue a token and print its secret once."""
    with opened() as faps:
        account = faps.accounts.by_email(email)
        if account is None:
            fail(f"Aucun compte pour l'adresse {email}.", INPUT_ERROR)
            return
        issued = faps.tokens.create(SYSTEM_ACTOR, account.id, name, expires_days)
        until = f", valable jusqu’au {datetime_fr(issued.expires_at)}" if issued.expires_at else ""
        click.echo(f"Jeton «\u202f{issued.name}\u202f» créé pour {account.email} "
                   f"(id {issued.token_id}{until}). Il ne sera plus affiché\u202f:", err=True)
        click.echo(issued.secret)


@tokens.command("list", help="Liste les jetons d'un compte (jamais leur secret).")
@click.argument("email")
def list_tokens(email: str) -> None:
    """Print an account's tokens."""
    with opened() as faps:
        account = faps.accounts.by_email(email)
        if account is None:
            fail(f"Aucun compte pour l'adresse {email}.", INPUT_ERROR)
            return
        service = faps.tokens
        rows = service.list(SYSTEM_ACTOR, account.id)
        if not rows:
            click.echo("Aucun jeton.")
        now = faps.clock.now()
        for row in rows:
            state = ("révoqué" if row.revoked_at else "actif" if row.live(now) else "expiré")
            click.echo(f"{row.token_id}  {row.name:<30} {state:<8} créé le "
                       f"{datetime_fr(row.created_at)}  expire : {_when(row.expires_at)}  "
                       f"dernier usage : {_when(row.last_used_at)}")


def _when(value: datetime | None) -> str:
    return datetime_fr(value) if value else "—"


@tokens.command("revoke", help="Révoque un jeton (par son identifiant).")
@click.argument("token_id")
def revoke(token_id: str) -> None:
    """Revoke a token."""
    try:
        parsed = UUID(token_id)
    except ValueError:
        fail("Identifiant de jeton invalide.", INPUT_ERROR)
        return
    with opened() as faps:
        faps.tokens.revoke(SYSTEM_ACTOR, parsed)
        click.echo(f"Jeton {parsed} révoqué.")
